package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.HandOffs;
import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;
import io.github.kerneltrace.probes.libbpf.BpfMap;
import io.github.kerneltrace.probes.libbpf.LibC;
import io.github.kerneltrace.probes.metrics.LatencyHistograms;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;
import io.github.kerneltrace.probes.syscalls.Errno;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * The kernel-side counters of one traced test. Typical use:
 * <pre>{@code
 * try (TraceSlot slot = KernelTracer.shared().openSlot()) {
 *     slot.trackThread(Threads.currentTid(), true);
 *     slot.start();
 *     codeUnderTest();
 *     slot.stop();
 *     KernelMetrics metrics = slot.metrics();
 * }
 * }</pre>
 * Counting happens only between {@link #start()} and {@link #stop()}: both are a single store
 * into memory shared with the BPF programs, so no system call of their own is counted.
 */
public final class TraceSlot implements AutoCloseable {

    private static final int HASH_BATCH = 4096;

    static {
        ThreadRunTime.runtime(); // loads and links it before any window: its first use allocates
    }

    private final KernelTracer tracer;
    private final int index;
    private final boolean exclusive;
    /** The threads registered by user space: their id in this JVM, and the kernel's. */
    private final Map<Integer, Integer> trackedTids = new LinkedHashMap<>();
    private boolean closed;
    private boolean counting;
    /** Whether the thread that started counting is one of this slot's tracked threads. */
    private boolean countingThread;
    /** Its kernel id (0 until started). */
    private int countingTid;
    /** The slot's hash keys, when read after counting stopped: then close() need not search for them. */
    private SlotKeys keysAfterStop;
    private boolean wholeProcess;
    private boolean nativeAllocations;
    private final HeapAllocationCounter heap = new HeapAllocationCounter();
    /** Whether a registered thread follows hand-offs: then borrowed threads may join while counting. */
    private boolean followsHandOffs;
    /** Whether another traced test's slot was open while this one counted (a pool thread may have served both). */
    private boolean besideOtherTests;
    /** KernelTracer's slotsOpened when counting started. */
    private long slotsOpenedAtStart;

    TraceSlot(KernelTracer tracer, int index, boolean exclusive) {
        this.tracer = tracer;
        this.index = index;
        this.exclusive = exclusive;
    }

    /** This slot's number in the kernel maps, 0 to 63. */
    public int index() {
        return index;
    }

    /**
     * Counts what the thread with id {@code tid} (as {@link Threads#currentTid()} gives it) does;
     * with {@code followChildren}, also every thread and process it creates from now on (and
     * those they create).
     */
    public void trackThread(int tid, boolean followChildren) {
        trackThread(tid, followChildren, false);
    }

    /**
     * As {@link #trackThread(int, boolean)}; with {@code followHandOffs}, also the threads of this
     * JVM that existed before and that it (or a thread it created or borrowed) wakes from a futex
     * call while counting — a pool's worker given a task, a virtual thread's carrier — each from
     * that wake-up until this slot stops tracking. Call before {@link #start()}: it makes a system call.
     *
     * @throws TracingUnavailableException when the programs do not see this JVM's system calls
     */
    public synchronized void trackThread(int tid, boolean followChildren, boolean followHandOffs) {
        requireOpen();
        int flags = (followChildren ? TRACK_FOLLOW_CHILDREN : 0) | (followHandOffs ? TRACK_FOLLOW_HANDOFFS : 0);
        track(tid, tracer.ids().kernelTid(tid), tracer.kernelProcessOf(tid), flags);
        followsHandOffs |= followHandOffs;
    }

    /**
     * Registers a thread under a kernel id given by the caller, not asked of the kernel: a seam
     * for tests that simulate a thread the programs do not see (as a wrong id in a container would).
     */
    synchronized void trackThreadAsKernelId(int tid, int kernelTid, boolean followChildren) {
        requireOpen();
        track(tid, kernelTid, tracer.ids().kernelTgid(), followChildren ? TRACK_FOLLOW_CHILDREN : 0);
    }

    private void track(int tid, int kernelTid, int kernelTgid, int flags) {
        tracer.track(tid, kernelTid, kernelTgid, index, flags);
        trackedTids.put(tid, kernelTid);
    }

    /**
     * Counts every thread of this JVM, and the threads and processes they create. Needs a slot from
     * {@link KernelTracer#openExclusiveSlot()}: a thread is counted in one slot at a time.
     */
    public synchronized void trackProcess() {
        requireOpen();
        if (!exclusive) {
            throw new IllegalStateException("tracing the whole process needs KernelTracer.openExclusiveSlot()");
        }
        wholeProcess = true;
        int kernelTgid = tracer.ids().kernelTgid();
        // Threads may start while we register; read the thread list until it stops growing.
        Set<Integer> seen;
        do {
            seen = new LinkedHashSet<>(trackedTids.keySet());
            threadsOfThisProcess().forEach((tid, kernelTid) -> {
                if (!trackedTids.containsKey(tid)) {
                    track(tid, kernelTid, kernelTgid, TRACK_FOLLOW_CHILDREN); // listed as ours: it may end meanwhile
                }
            });
        } while (!seen.equals(trackedTids.keySet()));
    }

    /** This JVM's threads: their ids here and the kernel's (the same outside a container). */
    private Map<Integer, Integer> threadsOfThisProcess() {
        if (tracer.ids().inChildNamespace()) {
            return tracer.ids().threadsOfThisProcess();
        }
        Map<Integer, Integer> tids = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                tids.put(tid, tid);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list this process's threads in /proc/self/task", e);
        }
        return tids;
    }

    /**
     * Whether to time each call (on by default). Timing costs two clock reads and a histogram
     * update per call; without it, calls, failures and bytes are still counted exactly.
     */
    public void recordLatency(boolean latency) {
        requireOpen();
        tracer.setLatency(index, latency);
    }

    /**
     * Also count the C library allocator calls (malloc, calloc, realloc, free, posix_memalign,
     * aligned_alloc) of the slot's threads, and remember their blocks until released. This attaches
     * uprobes to this process's allocator, which then traps on every allocator call of every thread of
     * the JVM (a few µs per malloc+free pair, see docs/performance.md) until no slot asks any more.
     *
     * @throws TracingUnavailableException when the uprobes cannot be attached here, saying why
     */
    public void countNativeAllocations() {
        requireOpen();
        tracer.countNativeAllocations(index);
        nativeAllocations = true;
    }

    /**
     * Counting on.
     *
     * @throws TracingUnavailableException when the calling thread is tracked but the programs do
     *                                     not see it (the canary): counting would measure nothing
     */
    public synchronized void start() {
        requireOpen();
        if (counting) {
            return;
        }
        int tid = Threads.currentTid();
        countingThread = trackedTids.containsKey(tid);
        countingTid = tid;
        // The counting thread's last system call before counting must be the one at which the
        // programs record its fault counters and run-queue wait (sched.bpf.h): any later one would
        // be taken for the previous window's stop. Each system call at an edge is also a chance
        // for the kernel to switch the thread out just outside the window: there is one.
        tracer.setControl(index, CONTROL_START_TID, countingThread ? trackedTids.get(tid) : 0);
        tracer.setControl(index, CONTROL_STOP_MIN_FLT, 0);
        tracer.setControl(index, CONTROL_STOP_MAJ_FLT, 0);
        tracer.setControl(index, CONTROL_STOP_RUNTIME, 0);
        tracer.setControl(index, CONTROL_STOP_RUN_DELAY, 0);
        tracer.setControl(index, CONTROL_START_RUN_DELAY, 0);
        tracer.setControl(index, CONTROL_START_MIN_FLT, 0);
        tracer.setControl(index, CONTROL_START_MAJ_FLT, 0);
        tracer.setControl(index, CONTROL_START_SEEN, 0);
        long[] activity = tracer.slotActivity();
        besideOtherTests |= activity[0] > 1;
        slotsOpenedAtStart = activity[1];
        // Other threads borrowed later need a heap baseline taken now. From here on nothing
        // allocates, so the counting thread's heap figure is the JVM's own delta.
        heap.start(trackedTids.size() > (countingThread ? 1 : 0) || followsHandOffs, wholeProcess);
        if (countingThread) {
            // Its run time exactly at the window's edge (the kernel's own counter may be a tick
            // behind), read by a system call at which the programs record its fault counters. That
            // call is also the canary: a thread the programs do not see would count nothing.
            tracer.setFlag(index, SLOT_CAPTURE_START_FAULTS, true);
            long runtime = ThreadRunTime.runtime();
            if (tracer.control(index, CONTROL_START_SEEN) == 0) {
                tracer.setFlag(index, SLOT_CAPTURE_START_FAULTS, false);
                throw new TracingUnavailableException("the BPF programs do not see this test's thread (id " + tid
                        + " here, registered as kernel thread " + trackedTids.get(tid) + "), so nothing it does"
                        + " would be counted");
            }
            tracer.setControl(index, CONTROL_START_RUNTIME, runtime);
        }
        counting = true;
        // The scheduler's window first: with start after the old stop, it is empty until stop_ns is cleared.
        tracer.setControl(index, CONTROL_START_NS, System.nanoTime());
        tracer.setControl(index, CONTROL_STOP_NS, 0);
        tracer.setOpen(index, true);
    }

    /** Counting off; what was counted stays readable. */
    public synchronized void stop() {
        if (!counting) {
            return;
        }
        counting = false;
        tracer.setControl(index, CONTROL_STOP_NS, System.nanoTime());
        tracer.setOpen(index, false);
        // This thread is on a CPU, so no context switch will close its last on-CPU stretch: one
        // (uncounted) system call does, in the thread's own context (sched.bpf.h). The first one,
        // the CPU clock's read, records its fault counters and run-queue wait.
        long runtime = countingThread ? ThreadRunTime.runtime() : 0;
        heap.stop(tracksOtherThreads());
        long[] activity = tracer.slotActivity(); // after the heap's read: it allocates
        besideOtherTests |= activity[0] > 1 || activity[1] != slotsOpenedAtStart;
        if (countingThread) {
            tracer.setControl(index, CONTROL_STOP_RUNTIME, runtime); // last: BPF waits for it
            LibC.INSTANCE.getppid();
        }
    }

    /** What was counted so far. Call it after {@link #stop()} for a stable picture. */
    public synchronized KernelMetrics metrics() {
        requireOpen();
        SyscallTable table = tracer.syscallTable();
        long[] stats = tracer.stats(index);
        SlotKeys keys = new SlotKeys();
        Map<Integer, Histogram> latencies = readLatencies(keys);
        Map<Integer, Map<String, Long>> errors = hasErrors(stats) ? readErrors(keys) : Map.of();
        // once counting is off no key can be added, so close() can delete exactly these
        keysAfterStop = counting ? null : keys;
        List<SyscallMetrics> syscalls = new ArrayList<>();
        for (int nr = 0; nr < MAX_SYSCALLS; nr++) {
            long calls = stats[nr * STATS_LONGS + STATS_CALLS / 8];
            Histogram latency = latencies.get(nr);
            if (calls == 0 && latency == null) {
                continue;
            }
            syscalls.add(new SyscallMetrics(table.name(nr), calls, stats[nr * STATS_LONGS + STATS_ERRORS / 8],
                    errors.getOrDefault(nr, Map.of()), stats[nr * STATS_LONGS + STATS_BYTES / 8],
                    latency != null ? latency : LatencyHistograms.create()));
        }
        Histogram allocationSizes = latencies.remove(HIST_ALLOCATION_SIZE);
        return new KernelMetrics(syscalls, sumBytes(stats, table.byteReadingSyscalls()),
                sumBytes(stats, table.byteWritingSyscalls()), diagnostics(), scheduler(latencies),
                memory(allocationSizes));
    }

    /** Heap from the JVM; page faults, address space and native allocations from memory_stats. */
    private MemoryMetrics memory(Histogram allocationSizes) {
        long[] memory = tracer.memoryStats(index);
        Map<Integer, String> others = new HashMap<>();
        long exited = tracer.control(index, CONTROL_EXITED_THREADS);
        if (tracksOtherThreads()) {
            // One picture of which threads ended and which are listed: a thread that exits while
            // they are read would be missed by both, or counted in both, as not counted.
            for (int attempt = 0; attempt < 5; attempt++) {
                others.clear();
                for (KernelTracer.TrackedThread thread : tracer.trackedThreads(index)) {
                    String name = ThreadNames.of(thread.tid()); // "" for threads of other processes: no Java heap there
                    if (thread.counted() && thread.tid() != countingTid && !name.isEmpty()) {
                        others.put(thread.tid(), name);
                    }
                }
                long exitedAfter = tracer.control(index, CONTROL_EXITED_THREADS);
                if (exitedAfter == exited) {
                    break;
                }
                exited = exitedAfter;
            }
        }
        HeapAllocation heapAllocation = heap.result(others, exited);
        NativeAllocationMetrics nativeMetrics = NativeAllocationMetrics.NOT_COUNTED;
        if (nativeAllocations) {
            nativeMetrics = new NativeAllocationMetrics(true, Arrays.copyOf(memory, NATIVE_FUNCTIONS),
                    memory[MEM_ALLOCATIONS], memory[MEM_ALLOCATED_BYTES], memory[MEM_FREES], memory[MEM_FREED_BYTES],
                    memory[MEM_FAILED], memory[MEM_LOST],
                    allocationSizes != null ? allocationSizes : LatencyHistograms.create(), largestOutstanding(10));
        }
        return new MemoryMetrics(heapAllocation, nativeMetrics, memory[MEM_MINOR_FAULTS], memory[MEM_MAJOR_FAULTS],
                memory[MEM_MAPPED_BYTES], memory[MEM_UNMAPPED_BYTES]);
    }

    /**
     * Switches of the slot's threads while it was tracking them but not counting: the edges of
     * its windows, for tests that compare with the kernel's own counters read around them.
     */
    synchronized long switchesOutsideWindows() {
        return tracer.control(index, CONTROL_OUTSIDE_SWITCHES);
    }

    /** Whether threads other than the counting one are tracked: registered, followed, borrowed, or the whole process. */
    private boolean tracksOtherThreads() {
        return wholeProcess || trackedTids.size() > 1 || tracer.control(index, CONTROL_FOLLOWED_CHILDREN) > 0
                || tracer.control(index, CONTROL_BORROWED_THREADS) > 0;
    }


    /** The slot's largest blocks in live_allocations, largest first. */
    private List<OutstandingAllocation> largestOutstanding(int limit) {
        PriorityQueue<OutstandingAllocation> largest = new PriorityQueue<>(Comparator.comparingLong(OutstandingAllocation::bytes));
        NativeFunction[] functions = NativeFunction.values();
        tracer.liveAllocations().readAll(LIVE_KEY_SIZE, LIVE_VALUE_SIZE, HASH_BATCH, (keys, values, count) -> {
            for (int i = 0; i < count; i++) {
                long value = (long) i * LIVE_VALUE_SIZE;
                if (values.getInt(value + LIVE_SLOT) != index) {
                    continue;
                }
                int function = values.getInt(value + LIVE_FUNCTION);
                int tid = values.getInt(value + LIVE_TID);
                largest.add(new OutstandingAllocation(keys.getLong((long) i * LIVE_KEY_SIZE), values.getLong(value + LIVE_SIZE),
                        functions[Math.min(function, functions.length - 1)], tid, ""));
                if (largest.size() > limit) {
                    largest.poll();
                }
            }
        });
        List<OutstandingAllocation> sorted = new ArrayList<>();
        for (OutstandingAllocation block : largest) {
            sorted.add(new OutstandingAllocation(block.address(), block.bytes(), block.function(), block.tid(),
                    ThreadNames.of(block.tid())));
        }
        sorted.sort(Comparator.comparingLong(OutstandingAllocation::bytes).reversed()
                .thenComparingLong(OutstandingAllocation::address));
        return sorted;
    }

    /** The scheduler's counters, and its two histograms (kept with the latencies under reserved numbers). */
    private SchedulerMetrics scheduler(Map<Integer, Histogram> histograms) {
        long[] sched = tracer.schedStats(index);
        Histogram runQueue = histograms.remove(HIST_RUN_QUEUE);
        Histogram offCpu = histograms.remove(HIST_OFF_CPU);
        return new SchedulerMetrics(sched[0], sched[1], sched[2], sched[3], sched[4], sched[5], sched[6],
                runQueue != null ? runQueue : LatencyHistograms.create(),
                offCpu != null ? offCpu : LatencyHistograms.create());
    }

    private static boolean hasErrors(long[] stats) {
        for (int nr = 0; nr < MAX_SYSCALLS; nr++) {
            if (stats[nr * STATS_LONGS + STATS_ERRORS / 8] != 0) {
                return true;
            }
        }
        return false;
    }

    private static long sumBytes(long[] stats, int[] syscalls) {
        long sum = 0;
        for (int nr : syscalls) {
            sum += stats[nr * STATS_LONGS + STATS_BYTES / 8];
        }
        return sum;
    }

    private KernelMetrics.Diagnostics diagnostics() {
        return new KernelMetrics.Diagnostics(
                tracer.control(index, CONTROL_FOLLOWED_CHILDREN),
                tracer.control(index, CONTROL_UNMATCHED_EXITS),
                tracer.control(index, CONTROL_RESTARTS),
                tracer.control(index, CONTROL_DROPPED_LATENCIES),
                tracer.control(index, CONTROL_DROPPED_ERRORS),
                tracer.control(index, CONTROL_LOST_CHILDREN),
                handOffs());
    }

    /** Threads that existed before the test and that its threads woke to take over work. */
    private HandOffs handOffs() {
        long borrowed = tracer.control(index, CONTROL_BORROWED_THREADS);
        long uncounted = tracer.control(index, CONTROL_UNFOLLOWED_THREADS);
        long foreign = tracer.control(index, CONTROL_FOREIGN_WAKERS);
        if (borrowed == 0 && uncounted == 0 && foreign == 0) {
            return HandOffs.NONE;
        }
        return new HandOffs(borrowed, tracer.control(index, CONTROL_BORROWED_WAKEUPS),
                tracer.handOffNames(index, HANDOFF_BORROWED), uncounted, tracer.handOffNames(index, HANDOFF_UNCOUNTED),
                foreign, tracer.handOffNames(index, HANDOFF_FOREIGN), besideOtherTests);
    }

    /** Rebuilds each system call's HdrHistogram from the kernel's bucket counts, without loss. */
    private Map<Integer, Histogram> readLatencies(SlotKeys slotKeys) {
        Map<Integer, Histogram> histograms = new HashMap<>();
        readOwnCounts(tracer.latencyBuckets(), slotKeys.latency, (nr, bucket, count) ->
                histograms.computeIfAbsent(nr, n -> LatencyHistograms.create())
                        .recordValueWithCount(LatencyHistograms.valueAtIndex(bucket), count));
        return histograms;
    }

    private Map<Integer, Map<String, Long>> readErrors(SlotKeys slotKeys) {
        Map<Integer, Map<String, Long>> errors = new HashMap<>();
        readOwnCounts(tracer.errorCounts(), slotKeys.errors, (nr, errno, count) ->
                errors.computeIfAbsent(nr, n -> new HashMap<>()).merge(Errno.name(errno), count, Long::sum));
        return errors;
    }

    /** One entry of a count hash keyed { u32 slot; u16 nr; u16 detail }: a bucket index or an errno. */
    private interface CountVisitor {
        void visit(int nr, int detail, long count);
    }

    /** Visits this slot's entries of a count hash, and remembers their keys for close(). */
    private void readOwnCounts(BpfMap map, List<Long> ownKeys, CountVisitor visitor) {
        map.readAll(HASH_KEY_SIZE, COUNT_VALUE_SIZE, HASH_BATCH, (keys, values, count) -> {
            for (int i = 0; i < count; i++) {
                long offset = (long) i * HASH_KEY_SIZE;
                if (keys.getInt(offset) != index) {
                    continue;
                }
                ownKeys.add(keys.getLong(offset));
                visitor.visit(Short.toUnsignedInt(keys.getShort(offset + 4)),
                        Short.toUnsignedInt(keys.getShort(offset + 6)), values.getLong((long) i * COUNT_VALUE_SIZE));
            }
        });
    }

    /** Stops counting, forgets the tracked threads and the counts, and frees the slot. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        try {
            trackedTids.values().forEach(tracer::untrack);
            if (tracer.control(index, CONTROL_FOLLOWED_CHILDREN) > 0 || tracer.control(index, CONTROL_BORROWED_THREADS) > 0
                    || tracer.control(index, CONTROL_UNFOLLOWED_THREADS) > 0) {
                tracer.untrackFollowed(index);
            }
            if (tracer.control(index, CONTROL_FOREIGN_WAKERS) > 0) {
                tracer.forgetForeignWakers(index);
            }
            if (nativeAllocations) {
                tracer.deleteMatchingValues(tracer.liveAllocations(), LIVE_KEY_SIZE, LIVE_VALUE_SIZE, HASH_BATCH, index, LIVE_SLOT);
            }
            if (keysAfterStop != null) {
                tracer.deleteKeys(tracer.latencyBuckets(), keysAfterStop.latency);
                tracer.deleteKeys(tracer.errorCounts(), keysAfterStop.errors);
            } else {
                tracer.deleteMatching(tracer.latencyBuckets(), HASH_KEY_SIZE, COUNT_VALUE_SIZE, HASH_BATCH, index);
                tracer.deleteMatching(tracer.errorCounts(), HASH_KEY_SIZE, COUNT_VALUE_SIZE, HASH_BATCH, index);
            }
        } finally {
            tracer.releaseSlot(index, exclusive);
        }
    }

    /** The 8-byte hash keys (slot, nr, bucket or errno) this slot owns, as read. */
    private static final class SlotKeys {
        final List<Long> latency = new ArrayList<>();
        final List<Long> errors = new ArrayList<>();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("trace slot " + index + " is closed");
        }
    }
}
