package io.github.kerneltrace.probes;

import io.github.kerneltrace.probes.libbpf.LibC;
import io.github.kerneltrace.probes.metrics.HandOffs;
import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.JvmEventMetrics;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
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
 *
 * <p>This class runs the slot's life (threads, window edges, reading, freeing); the memory
 * layout is {@link SlotMemory}'s, the threads {@link SlotThreads}', and each metric family's
 * decoding its decoder's. Locking: every field is guarded by this object's monitor, and every
 * public method takes it; the slot's records in {@link SlotMemory} are this slot's alone while
 * it is open (the BPF programs aside, see there).
 */
public final class TraceSlot implements AutoCloseable {

    static {
        ThreadRunTime.runtime(); // loads and links it before any window: its first use allocates
    }

    private final SlotPool pool;
    private final Attachments attachments;
    private final SlotMemory memory;
    private final SyscallTable syscallTable;
    private final int index;
    private final boolean exclusive;
    private final SlotThreads threads;
    private final HeapAllocationCounter heap = new HeapAllocationCounter();
    private boolean closed;
    private boolean counting;
    /** Whether the thread that started counting is one of this slot's registered threads. */
    private boolean countingThread;
    /** The id of the thread that started counting (0 until started). */
    private int countingTid;
    /** The slot's hash keys, when read after counting stopped: then close() need not search for them. */
    private long[] latencyKeysAfterStop;
    private long[] errorKeysAfterStop;
    private boolean nativeAllocations;
    /** The probes the test declared, in index order, and their links (detached after the slot closes). */
    private java.util.List<DeclaredProbe> declaredProbes = java.util.List.of();
    private DeclaredAttachments.DeclaredLinks declaredLinks = DeclaredAttachments.DeclaredLinks.NONE;
    private boolean jvmEvents;
    /** Why contended monitor enters are not counted (null: they are), when counting JVM events. */
    private String monitorsNotCounted;
    /** Whether another traced test's slot was open while this one counted (a pool thread may have served both). */
    private boolean besideOtherTests;
    /** The pool's count of slots opened when counting started. */
    private long slotsOpenedAtStart;

    TraceSlot(SlotPool pool, Attachments attachments, SlotMemory memory, KernelIds ids, SyscallTable syscallTable,
              int index, boolean exclusive) {
        this.pool = pool;
        this.attachments = attachments;
        this.memory = memory;
        this.syscallTable = syscallTable;
        this.index = index;
        this.exclusive = exclusive;
        this.threads = new SlotThreads(memory, ids, index);
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
     * Hand-offs are seen by the scheduler programs: without them ({@link #require}) none is followed.
     *
     * @throws TracingUnavailableException when the programs do not see this JVM's system calls
     */
    public synchronized void trackThread(int tid, boolean followChildren, boolean followHandOffs) {
        requireOpen();
        threads.register(tid, followChildren, followHandOffs);
    }

    /**
     * Tells the slot that the thread {@code tid} (this JVM's id, as for {@link #trackThread}) is one
     * of a pool's threads that run tests, such as JUnit's ForkJoinPool workers under parallel
     * execution: the pool's other workers do other tests' work, never this slot's. None of them is
     * borrowed when a thread of the slot wakes it, and a thread the slot follows from a fork stops
     * counting when it takes their name (the pool started it for a blocked test thread). They are
     * known by the kernel's name of {@code tid} (its Java name's first 15 bytes, which the workers
     * of one pool share: "ForkJoinPool-1-"). Call before {@link #trackThread}; it reads a file.
     */
    public synchronized void excludeThreadsNamedLike(int tid) {
        requireOpen();
        byte[] name = ThreadNames.bytesOf(tid);
        if (name.length == 0) {
            throw new IllegalArgumentException("no thread with id " + tid + " is running in this JVM");
        }
        memory.nameTestRunners(index, name);
    }

    /**
     * Registers a thread under a kernel id given by the caller, not asked of the kernel: a seam
     * for tests that simulate a thread the programs do not see (as a wrong id in a container would).
     */
    synchronized void trackThreadAsKernelId(int tid, int kernelTid, boolean followChildren) {
        requireOpen();
        threads.registerAsKernelId(tid, kernelTid, followChildren);
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
        threads.registerProcess();
    }

    /**
     * Whether to time each call (on by default). Timing costs two clock reads and a histogram
     * update per call; without it, calls, failures and bytes are still counted exactly.
     */
    public synchronized void recordLatency(boolean latency) {
        requireOpen();
        memory.setLatency(index, latency);
    }

    /**
     * Also count the C library allocator calls (malloc, calloc, realloc, free, posix_memalign,
     * aligned_alloc) of the slot's threads, and remember their blocks until released. This attaches
     * uprobes to this process's allocator, which then traps on every allocator call of every thread of
     * the JVM (a few µs per malloc+free pair, see docs/performance.md) until no slot asks any more.
     *
     * @throws TracingUnavailableException when the uprobes cannot be attached here, saying why
     */
    public synchronized void countNativeAllocations() {
        requireOpen();
        attachments.countNativeAllocations(index);
        nativeAllocations = true;
    }

    /**
     * Also count the probes the test declares (hits; entry→return latency of uprobes and kprobes),
     * attached now for this slot only and detached after it closes. Call before counting starts.
     *
     * @throws IllegalArgumentException    when a probe cannot be attached (unknown symbol, USDT probe or
     *                                     tracepoint; no kprobes here), naming it and why; none stays attached
     * @throws TracingUnavailableException when the kernel refused the declared-probe programs
     */
    public synchronized void declareProbes(java.util.List<DeclaredProbe> probes) {
        requireOpen();
        if (probes.isEmpty()) {
            return;
        }
        if (!declaredProbes.isEmpty()) {
            throw new IllegalStateException("probes were declared already for " + this);
        }
        int generation = attachments.declared().slots().nextGeneration(index);
        declaredLinks = attachments.declared().attach(index, generation, probes);
        declaredProbes = java.util.List.copyOf(probes);
    }

    /**
     * Also count JVM events (GC pauses, safepoints, parks, sleeps, JIT compilations, loaded classes,
     * contended monitor enters) from HotSpot's USDT probes, which then trap in every thread of the
     * JVM that passes one (about a microsecond each) until no slot asks any more.
     *
     * @throws TracingUnavailableException when this JVM has no probes or they cannot be attached, saying why
     */
    public synchronized void countJvmEvents() {
        requireOpen();
        monitorsNotCounted = attachments.countJvmEvents(index);
        jvmEvents = true;
    }

    /**
     * Fails unless the programs of {@code family} are loaded and attached: a test whose limits or
     * assertions need a family the kernel refused must not pass on zeros.
     *
     * @throws TracingUnavailableException naming the family and why the kernel refused it
     */
    public synchronized void require(ProbeFamily family) {
        requireOpen();
        String refusal = attachments.refused().get(family);
        if (refusal != null) {
            throw new TracingUnavailableException(refusal + "; the " + family.description() + " metrics cannot be measured"
                    + " here, while the other families' can");
        }
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
        countingThread = threads.isRegistered(tid);
        countingTid = tid;
        // The counting thread's last system call before counting must be the one at which the
        // programs record its fault counters and run-queue wait (sched.bpf.h): any later one would
        // be taken for the previous window's stop. Each system call at an edge is also a chance
        // for the kernel to switch the thread out just outside the window: there is one.
        memory.prepareWindow(index, threads.kernelTidOf(tid));
        long[] activity = pool.activity();
        besideOtherTests |= activity[0] > 1;
        slotsOpenedAtStart = activity[1];
        // Other threads borrowed later need a heap baseline taken now. From here on nothing
        // allocates, so the counting thread's heap figure is the JVM's own delta.
        heap.start(threads.registeredCount() > (countingThread ? 1 : 0) || threads.followsHandOffs(), threads.wholeProcess());
        if (countingThread) {
            // Its run time exactly at the window's edge (the kernel's own counter may be a tick
            // behind), read by a system call at which the programs record its fault counters. That
            // call is also the canary: a thread the programs do not see would count nothing.
            memory.setCaptureStartFaults(index, true);
            long runtime = ThreadRunTime.runtime();
            if (!memory.startSeen(index)) {
                memory.setCaptureStartFaults(index, false);
                throw new TracingUnavailableException("the BPF programs do not see this test's thread (id " + tid
                        + " here, registered as kernel thread " + threads.kernelTidOf(tid) + "), so nothing it does"
                        + " would be counted");
            }
            memory.setStartRuntime(index, runtime);
        }
        counting = true;
        memory.openWindow(index, System.nanoTime());
    }

    /** Counting off; what was counted stays readable. */
    public synchronized void stop() {
        if (!counting) {
            return;
        }
        counting = false;
        memory.closeWindow(index, System.nanoTime());
        // This thread is on a CPU, so no context switch will close its last on-CPU stretch: one
        // (uncounted) system call does, in the thread's own context (sched.bpf.h). The first one,
        // the CPU clock's read, records its fault counters and run-queue wait.
        long runtime = countingThread ? ThreadRunTime.runtime() : 0;
        heap.stop(threads.tracksOtherThreads());
        long[] activity = pool.activity(); // after the heap's read: it allocates
        besideOtherTests |= activity[0] > 1 || activity[1] != slotsOpenedAtStart;
        if (countingThread) {
            memory.setStopRuntime(index, runtime); // last: BPF waits for it
            LibC.INSTANCE.getppid();
        }
    }

    /** What was counted so far. Call it after {@link #stop()} for a stable picture. */
    public synchronized KernelMetrics metrics() {
        requireOpen();
        SlotHistograms histograms = SlotHistograms.read(memory, index);
        SyscallDecoder.Decoded syscalls = SyscallDecoder.decode(memory, index, syscallTable, histograms);
        // once counting is off no key can be added, so close() can delete exactly these
        latencyKeysAfterStop = counting ? null : histograms.keys();
        errorKeysAfterStop = counting ? null : syscalls.errorKeys();
        return KernelMetrics.builder().syscalls(syscalls.syscalls(), syscalls.bytesRead(), syscalls.bytesWritten())
                .diagnostics(diagnostics())
                .scheduler(SchedulerDecoder.decode(memory, index, histograms))
                .memory(MemoryDecoder.decode(memory, index, heapAllocation(), nativeAllocations, histograms))
                .probes(DeclaredProbeDecoder.decode(attachments.declared().slots(), index, declaredProbes, declaredLinks.targets(), histograms))
                .jvm(jvmEvents ? JvmEventDecoder.decode(memory, index, monitorsNotCounted, histograms) : JvmEventMetrics.NOT_COUNTED)
                .build();
    }

    /**
     * The ids, in this JVM's PID namespace (as {@code gettid()} gives them here), of the threads of
     * this JVM the slot counts now: the counting thread and the followed, borrowed or registered
     * others. Tracked threads that have ended are gone from it. Call before {@link #close()}: for a
     * test's Java call sites, whose events carry these ids.
     */
    public synchronized java.util.Set<Integer> countedThreadsOfThisJvm() {
        requireOpen();
        java.util.Set<Integer> tids = new java.util.TreeSet<>(threads.otherThreadsOfThisJvm(countingTid).namesByTid().keySet());
        if (countingThread) {
            tids.add(countingTid);
        }
        return tids;
    }

    /** The heap figure: the counting thread's, and the other tracked Java threads' of this JVM. */
    private HeapAllocation heapAllocation() {
        SlotThreads.OtherThreads others = threads.otherThreadsOfThisJvm(countingTid);
        return heap.result(others.namesByTid(), others.exitedThreads(), memory.exitedHeap(index), others.heapCountedAtEnd(),
                others.endingHeapCounted());
    }

    private KernelMetrics.Diagnostics diagnostics() {
        SlotMemory.ThreadCounters counters = memory.threadCounters(index);
        return new KernelMetrics.Diagnostics(counters.followedChildren(), counters.unmatchedExits(), counters.restarts(),
                counters.droppedLatencies(), counters.droppedErrors(), counters.lostChildren(), handOffs(counters),
                counters.signalHandlerCalls());
    }

    /** Threads that existed before the test and that its threads woke to take over work. */
    private HandOffs handOffs(SlotMemory.ThreadCounters counters) {
        if (counters.borrowedThreads() == 0 && counters.unfollowedThreads() == 0 && counters.foreignWakers() == 0
                && counters.runnerHandOffs() == 0) {
            return HandOffs.NONE;
        }
        return new HandOffs(counters.borrowedThreads(), counters.borrowedWakeups(),
                memory.handOffNames(index, SlotMemory.HandOffList.BORROWED), counters.unfollowedThreads(),
                memory.handOffNames(index, SlotMemory.HandOffList.UNCOUNTED), counters.foreignWakers(),
                memory.handOffNames(index, SlotMemory.HandOffList.FOREIGN), counters.runnerHandOffs(), besideOtherTests);
    }

    /**
     * Switches of the slot's threads while it was tracking them but not counting: the edges of
     * its windows, for tests that compare with the kernel's own counters read around them.
     */
    synchronized long switchesOutsideWindows() {
        return memory.threadCounters(index).outsideSwitches();
    }

    /** The counting thread's CPU time across the window, read by the JVM's clock at its edges: a test's oracle. */
    synchronized long windowRunTimeNanos() {
        return memory.windowRuntime(index);
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
            attachments.declared().detach(declaredLinks.links()); // counting is off: late hits count nowhere
            threads.unregisterAll();
            if (nativeAllocations) {
                memory.deleteLiveBlocks(index);
            }
            if (latencyKeysAfterStop != null) {
                memory.deleteCounts(latencyKeysAfterStop, errorKeysAfterStop);
            } else {
                memory.deleteAllCounts(index);
            }
        } finally {
            pool.release(index, exclusive);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("trace slot " + index + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TraceSlot " + index + (closed ? " (closed)" : counting ? " (counting)" : "");
    }
}
