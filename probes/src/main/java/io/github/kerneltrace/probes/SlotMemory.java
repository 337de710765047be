package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.BpfMap;
import io.github.kerneltrace.probes.libbpf.BpfObject;

/**
 * The memory this JVM shares with the BPF programs, read and written by named field: the only
 * class that uses the offsets of {@link SlotLayout} for the per-slot structs ({@code slot_control},
 * {@code syscall_stats}, {@code sched_stats}, {@code memory_stats}, {@code handoff_names}) and the
 * entries of the hashes ({@code tracked}, {@code histogram_index}, {@code error_counts},
 * {@code live_allocations}, {@code foreign_wakers}).
 *
 * <p>Who may touch what (the locking rules):
 * <ul>
 *   <li>A slot's records belong to the {@link TraceSlot} holding its index: only that slot's
 *       methods, under the slot's monitor, read or write them. {@link #reset} runs before the
 *       slot exists, under the tracer's monitor; the monitor hand-off to the slot orders it.</li>
 *   <li>The BPF programs write the same records concurrently. Java reads their counters with
 *       acquire loads and writes the window's edges with release stores ({@link #openWindow}'s
 *       release store of {@code open} comes after every reset store, so a weakly ordered CPU
 *       (aarch64) cannot show the programs an open slot with the last test's values). The
 *       {@code flags} word is changed with atomic read-modify-writes: the programs clear
 *       {@code SLOT_CAPTURE_START_FAULTS} in it.</li>
 *   <li>The hashes are the kernel's, safe for concurrent use; a slot reads and deletes only the
 *       entries that carry its index.</li>
 *   <li>{@code process_filter} is only ever set (by any slot) and cleared when nothing is attached
 *       ({@link #clearProcessFilter}, under the attachments' monitor with no slot open).</li>
 * </ul>
 */
final class SlotMemory {

    /** Entries per batch read of a hash: one system call reads the whole of a test's share. */
    private static final int HASH_BATCH = 4096;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    static {
        // Links each access mode once: the first use allocates, which a window's heap figure would see.
        ByteBuffer scratch = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        LONG.setRelease(scratch, 8, (long) LONG.getAcquire(scratch, 8));
        INT.setRelease(scratch, 0, 1);
        INT.getAndBitwiseOr(scratch, 0, 2);
        INT.getAndBitwiseAnd(scratch, 0, ~2);
        LONG.getAndAdd(scratch, 8, 1L);
    }

    /**
     * slot_control, for the edges of counting windows: byte-buffer views are intrinsics, where
     * each JNA access is a native call (microseconds at a window's edge), and their atomics are
     * the word-wide ones the programs use too.
     */
    private final ByteBuffer control;
    private final Pointer controlMemory;
    private final Pointer syscallStats;
    private final Pointer schedStats;
    private final Pointer memoryStats;
    private final Pointer handOffNames;
    private final Pointer jvmStats;
    private final Pointer processFilter;
    private final BpfMap tracked;
    private final BpfMap histogramIndex;
    private final Pointer histogramCounts;
    private final BpfMap errorCounts;
    private final BpfMap liveAllocations;
    private final BpfMap foreignWakers;
    private final BpfMap attachEpoch;
    /** The value last written to attach_epoch; changed only by {@link #newAttachEpoch}, under the attachments' monitor. */
    private int attachEpochValue;
    /**
     * Bumped after each change of {@code tracked}: the programs keep what {@code tracked} said in
     * each thread's task storage, stale once this moves (bpf/tracking.bpf.h). A writer of
     * {@code tracked} that forgot it would leave threads counting in the slot they had before.
     */
    private final ByteBuffer trackingGeneration;
    /** Heap of the slot's threads that ended inside its window (bpf/exited_heap.bpf.h). */
    private final Pointer exitedHeap;

    SlotMemory(BpfObject object) {
        this.controlMemory = object.map("slot_control").mmap((long) MAX_SLOTS * SLOT_CONTROL_SIZE);
        this.control = controlMemory.getByteBuffer(0, (long) MAX_SLOTS * SLOT_CONTROL_SIZE).order(ByteOrder.nativeOrder());
        this.syscallStats = object.map("syscall_stats").mmap((long) MAX_SLOTS * MAX_SYSCALLS * SYSCALL_STATS_SIZE);
        this.schedStats = object.map("sched_stats").mmap((long) MAX_SLOTS * SCHED_STATS_SIZE);
        this.memoryStats = object.map("memory_stats").mmap((long) MAX_SLOTS * MEMORY_STATS_SIZE);
        this.handOffNames = object.map("handoff_names").mmap((long) MAX_SLOTS * HANDOFF_NAMES_SIZE);
        this.jvmStats = object.map("jvm_stats").mmap((long) MAX_SLOTS * JVM_STATS_SIZE);
        this.processFilter = object.map("process_filter").mmap((long) PROCESS_FILTER_SIZE * PROCESS_FILTER_STRIDE);
        this.tracked = object.map("tracked");
        this.histogramIndex = object.map("histogram_index");
        this.histogramCounts = object.map("histogram_counts").mmap((long) MAX_SLOTS * HISTOGRAM_ENTRIES * HISTOGRAM_COUNT_SIZE);
        this.errorCounts = object.map("error_counts");
        this.liveAllocations = object.map("live_allocations");
        this.foreignWakers = object.map("foreign_wakers");
        this.attachEpoch = object.map("attach_epoch");
        this.exitedHeap = object.map("exited_heap").mmap((long) MAX_SLOTS * EXITED_HEAP_SIZE);
        this.trackingGeneration = object.map("tracking_generation").mmap(8).getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
    }

    // ---- the slot's records: reset, window edges, flags ----

    /** Zeroes every per-slot record of {@code slot} (its hash entries were deleted when the last owner closed it). */
    void reset(int slot) {
        // the entries the slot's last test took (its histogram_index keys were deleted when it closed)
        long taken = Math.min(control(slot, CONTROL_HISTOGRAM_ENTRIES), HISTOGRAM_ENTRIES);
        histogramCounts.setMemory((long) slot * HISTOGRAM_ENTRIES * HISTOGRAM_COUNT_SIZE, taken * HISTOGRAM_COUNT_SIZE, (byte) 0);
        controlMemory.setMemory((long) slot * SLOT_CONTROL_SIZE, SLOT_CONTROL_SIZE, (byte) 0);
        syscallStats.setMemory((long) slot * MAX_SYSCALLS * SYSCALL_STATS_SIZE, (long) MAX_SYSCALLS * SYSCALL_STATS_SIZE, (byte) 0);
        schedStats.setMemory((long) slot * SCHED_STATS_SIZE, SCHED_STATS_SIZE, (byte) 0);
        memoryStats.setMemory((long) slot * MEMORY_STATS_SIZE, MEMORY_STATS_SIZE, (byte) 0);
        handOffNames.setMemory((long) slot * HANDOFF_NAMES_SIZE, HANDOFF_NAMES_SIZE, (byte) 0);
        exitedHeap.setMemory((long) slot * EXITED_HEAP_SIZE, EXITED_HEAP_SIZE, (byte) 0);
        jvmStats.setMemory((long) slot * JVM_STATS_SIZE, JVM_STATS_SIZE, (byte) 0);
        // JNA's stores are plain: none of them may become visible after a later release store of `open`
        VarHandle.releaseFence();
    }

    /**
     * Clears what the programs record at a window's edges (fault counters, run-queue wait) and
     * names the counting thread: {@code kernelTid}, or 0 when the starting thread is not tracked.
     */
    void prepareWindow(int slot, int kernelTid) {
        setControl(slot, CONTROL_START_TID, kernelTid);
        setControl(slot, CONTROL_STOP_MIN_FLT, 0);
        setControl(slot, CONTROL_STOP_MAJ_FLT, 0);
        setControl(slot, CONTROL_STOP_RUNTIME, 0);
        setControl(slot, CONTROL_STOP_RUN_DELAY, 0);
        setControl(slot, CONTROL_START_RUN_DELAY, 0);
        setControl(slot, CONTROL_START_MIN_FLT, 0);
        setControl(slot, CONTROL_START_MAJ_FLT, 0);
        setControl(slot, CONTROL_START_SEEN, 0);
    }

    /** Whether the programs saw the counting thread's system call at the window's start (the canary). */
    boolean startSeen(int slot) {
        return control(slot, CONTROL_START_SEEN) != 0;
    }

    void setStartRuntime(int slot, long runtimeNanos) {
        setControl(slot, CONTROL_START_RUNTIME, runtimeNanos);
    }

    /** The counting thread's CPU time at the window's end; the programs wait for it (sched.bpf.h). */
    void setStopRuntime(int slot, long runtimeNanos) {
        setControl(slot, CONTROL_STOP_RUNTIME, runtimeNanos);
    }

    /** The counting thread's CPU time across the last window, as recorded at its edges. */
    long windowRuntime(int slot) {
        return control(slot, CONTROL_STOP_RUNTIME) - control(slot, CONTROL_START_RUNTIME);
    }

    /**
     * Counting on: the scheduler's window first (with start after the old stop it is empty until
     * stop_ns is cleared), then {@code open} by a release store, after every earlier store.
     */
    void openWindow(int slot, long startNanos) {
        setControl(slot, CONTROL_START_NS, startNanos);
        setControl(slot, CONTROL_STOP_NS, 0);
        INT.setRelease(control, slot * SLOT_CONTROL_SIZE + CONTROL_OPEN, 1);
    }

    /** Counting off. */
    void closeWindow(int slot, long stopNanos) {
        setControl(slot, CONTROL_STOP_NS, stopNanos);
        INT.setRelease(control, slot * SLOT_CONTROL_SIZE + CONTROL_OPEN, 0);
    }

    void setLatency(int slot, boolean on) {
        setFlag(slot, SLOT_LATENCY, on);
    }

    void setNativeAllocations(int slot, boolean on) {
        setFlag(slot, SLOT_NATIVE_ALLOCATIONS, on);
    }

    /** Whether the slot counts JVM events (jvm_stats.counting; the USDT probes fire for every slot). */
    void setJvmEvents(int slot, boolean on) {
        jvmStats.setInt((long) slot * JVM_STATS_SIZE + JVM_STATS_COUNTING, on ? 1 : 0);
        VarHandle.releaseFence();
    }

    /** struct jvm_stats: events and summed nanoseconds, indexed by JVM_* ({@code JvmEventDecoder}), and full GCs. */
    record JvmCounters(long[] events, long[] nanos, long fullGcs) {
    }

    JvmCounters jvmCounters(int slot) {
        VarHandle.acquireFence();
        long base = (long) slot * JVM_STATS_SIZE;
        long[] events = new long[JVM_EVENT_KINDS];
        long[] nanos = new long[JVM_EVENT_KINDS];
        jvmStats.read(base + JVM_STATS_EVENTS, events, 0, JVM_EVENT_KINDS);
        jvmStats.read(base + JVM_STATS_NANOS, nanos, 0, JVM_EVENT_KINDS);
        return new JvmCounters(events, nanos, jvmStats.getLong(base + JVM_STATS_FULL_GCS));
    }

    /** Asks the programs to record the counting thread's fault counters at its next system call (and say so in start_seen). */
    void setCaptureStartFaults(int slot, boolean on) {
        setFlag(slot, SLOT_CAPTURE_START_FAULTS, on);
    }

    private void setFlag(int slot, int flag, boolean on) {
        int offset = slot * SLOT_CONTROL_SIZE + CONTROL_FLAGS;
        // atomic: the programs clear SLOT_CAPTURE_START_FAULTS in the same word
        if (on) {
            INT.getAndBitwiseOr(control, offset, flag);
        } else {
            INT.getAndBitwiseAnd(control, offset, ~flag);
        }
    }

    private long control(int slot, int field) {
        return (long) LONG.getAcquire(control, slot * SLOT_CONTROL_SIZE + field);
    }

    /**
     * The kernel name (up to 15 bytes) of the threads that run tests beside the slot's: the programs
     * never count such a thread for the slot unless it is registered. Before the slot opens.
     */
    void nameTestRunners(int slot, byte[] kernelName) {
        byte[] padded = java.util.Arrays.copyOf(kernelName, TASK_COMM_LEN); // NUL-padded, as the kernel keeps task->comm
        padded[TASK_COMM_LEN - 1] = 0;
        controlMemory.write((long) slot * SLOT_CONTROL_SIZE + CONTROL_RUNNER_NAME, padded, 0, padded.length);
    }

    private void setControl(int slot, int field, long value) {
        LONG.setRelease(control, slot * SLOT_CONTROL_SIZE + field, value);
    }

    // ---- the slot's counters, by name ----

    /** What the programs counted about the slot's threads themselves (slot_control's counters). */
    record ThreadCounters(long followedChildren, long unmatchedExits, long restarts, long droppedLatencies,
                          long droppedErrors, long lostChildren, long exitedThreads, long borrowedThreads,
                          long borrowedWakeups, long unfollowedThreads, long foreignWakers, long outsideSwitches,
                          long signalHandlerCalls, long runnerHandOffs) {

        /** Whether the programs added threads to the slot: followed children, borrowed or listed threads. */
        boolean kernelAddedThreads() {
            return followedChildren > 0 || borrowedThreads > 0 || unfollowedThreads > 0;
        }
    }

    /**
     * The counters: one acquire fence (nothing this thread read before, such as the closed
     * window, is passed by these loads), then plain loads. Far cheaper than an acquire load each
     * in the interpreter, where a cold test reads them: each VarHandle call there is a chain of
     * method-handle frames.
     */
    ThreadCounters threadCounters(int slot) {
        VarHandle.acquireFence();
        int base = slot * SLOT_CONTROL_SIZE;
        return new ThreadCounters(control.getLong(base + CONTROL_FOLLOWED_CHILDREN), control.getLong(base + CONTROL_UNMATCHED_EXITS),
                control.getLong(base + CONTROL_RESTARTS), control.getLong(base + CONTROL_DROPPED_LATENCIES),
                control.getLong(base + CONTROL_DROPPED_ERRORS), control.getLong(base + CONTROL_LOST_CHILDREN),
                control.getLong(base + CONTROL_EXITED_THREADS), control.getLong(base + CONTROL_BORROWED_THREADS),
                control.getLong(base + CONTROL_BORROWED_WAKEUPS), control.getLong(base + CONTROL_UNFOLLOWED_THREADS),
                control.getLong(base + CONTROL_FOREIGN_WAKERS), control.getLong(base + CONTROL_OUTSIDE_SWITCHES),
                control.getLong(base + CONTROL_SIGNAL_HANDLER_CALLS), control.getLong(base + CONTROL_RUNNER_HANDOFFS));
    }

    /**
     * Whether the programs made threads count for the slot (children followed, threads borrowed).
     * Allocates nothing: it runs at a window's edge, inside the heap figure.
     */
    boolean countsAddedThreads(int slot) {
        return control(slot, CONTROL_FOLLOWED_CHILDREN) > 0 || control(slot, CONTROL_BORROWED_THREADS) > 0;
    }

    long exitedThreads(int slot) {
        return control(slot, CONTROL_EXITED_THREADS);
    }

    /** The heap the programs read from the slot's threads that ended inside its window, and how many. */
    record ExitedHeap(long bytes, long threads, long unreadable) {
    }

    ExitedHeap exitedHeap(int slot) {
        long at = (long) slot * EXITED_HEAP_SIZE;
        return new ExitedHeap(exitedHeap.getLong(at + EXITED_HEAP_BYTES), exitedHeap.getLong(at + EXITED_HEAP_THREADS),
                exitedHeap.getLong(at + EXITED_HEAP_UNREADABLE));
    }

    /** The slot's syscall_stats, copied in one native call: calls, errors and bytes per system-call number. */
    static final class SyscallCounters {
        private final long[] stats;

        private SyscallCounters(long[] stats) {
            this.stats = stats;
        }

        long calls(int nr) {
            return stats[nr * STATS_LONGS + STATS_CALLS / 8];
        }

        long errors(int nr) {
            return stats[nr * STATS_LONGS + STATS_ERRORS / 8];
        }

        long bytes(int nr) {
            return stats[nr * STATS_LONGS + STATS_BYTES / 8];
        }

        /** Whether any call failed. Scans the array itself: a cold test runs this interpreted, where each call costs. */
        boolean anyErrors() {
            for (int i = STATS_ERRORS / 8; i < stats.length; i += STATS_LONGS) {
                if (stats[i] != 0) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the system call {@code nr} was called at all (a plain array scan, as {@link #anyErrors}). */
        boolean[] called() {
            boolean[] called = new boolean[MAX_SYSCALLS];
            for (int i = STATS_CALLS / 8, nr = 0; i < stats.length; i += STATS_LONGS, nr++) {
                called[nr] = stats[i] != 0;
            }
            return called;
        }

        long sumOfBytes(int[] syscalls) {
            long sum = 0;
            for (int nr : syscalls) {
                sum += bytes(nr);
            }
            return sum;
        }
    }

    SyscallCounters syscallCounters(int slot) {
        long[] stats = new long[MAX_SYSCALLS * STATS_LONGS];
        syscallStats.read((long) slot * MAX_SYSCALLS * SYSCALL_STATS_SIZE, stats, 0, stats.length);
        return new SyscallCounters(stats);
    }

    /** struct sched_stats, by name. */
    record SchedCounters(long voluntarySwitches, long involuntarySwitches, long migrations, long wakeups,
                         long onCpuNanos, long runQueueNanos, long offCpuNanos, long inferredWakeups) {
    }

    SchedCounters schedCounters(int slot) {
        long[] s = new long[SCHED_STATS_LONGS];
        schedStats.read((long) slot * SCHED_STATS_SIZE, s, 0, s.length);
        return new SchedCounters(s[SCHED_VOLUNTARY_SWITCHES], s[SCHED_INVOLUNTARY_SWITCHES], s[SCHED_MIGRATIONS],
                s[SCHED_WAKEUPS], s[SCHED_ON_CPU_NS], s[SCHED_RUN_QUEUE_NS], s[SCHED_OFF_CPU_NS], s[SCHED_INFERRED_WAKEUPS]);
    }

    /** struct memory_stats, by name; {@code callsByFunction} is indexed by NativeFunction's order. */
    record MemoryCounters(long[] callsByFunction, long allocations, long allocatedBytes, long frees, long freedBytes,
                          long failedAllocations, long lostAllocations, long minorFaults, long majorFaults,
                          long mappedBytes, long unmappedBytes) {
    }

    MemoryCounters memoryCounters(int slot) {
        long[] m = new long[MEMORY_STATS_LONGS];
        memoryStats.read((long) slot * MEMORY_STATS_SIZE, m, 0, m.length);
        long[] calls = new long[NATIVE_FUNCTIONS];
        System.arraycopy(m, 0, calls, 0, NATIVE_FUNCTIONS);
        return new MemoryCounters(calls, m[MEM_ALLOCATIONS], m[MEM_ALLOCATED_BYTES], m[MEM_FREES], m[MEM_FREED_BYTES],
                m[MEM_FAILED], m[MEM_LOST], m[MEM_MINOR_FAULTS], m[MEM_MAJOR_FAULTS], m[MEM_MAPPED_BYTES],
                m[MEM_UNMAPPED_BYTES]);
    }

    /** Which list of handoff_names: the threads a slot borrowed, left uncounted, or was woken by. */
    enum HandOffList {
        BORROWED(HANDOFF_BORROWED), UNCOUNTED(HANDOFF_UNCOUNTED), FOREIGN(HANDOFF_FOREIGN);

        private final int offset;

        HandOffList(int offset) {
            this.offset = offset;
        }
    }

    /** The names the kernel kept of the threads on one of a slot's hand-off lists. */
    List<String> handOffNames(int slot, HandOffList list) {
        List<String> names = new ArrayList<>();
        long base = (long) slot * HANDOFF_NAMES_SIZE + list.offset;
        for (int i = 0; i < HANDOFF_NAMES; i++) {
            String name = handOffNames.getString(base + i * (long) TASK_COMM_LEN, "UTF-8");
            if (name.isEmpty()) {
                break;
            }
            names.add(name.length() > TASK_COMM_LEN - 1 ? name.substring(0, TASK_COMM_LEN - 1) : name);
        }
        return names;
    }

    // ---- the hashes ----

    /** One entry of a count hash keyed { u32 slot; u16 nr; u16 detail }: a bucket index or an errno. */
    interface CountVisitor {
        void visit(int nr, int detail, long count);
    }

    /** The scheduler's and the allocator's histograms, under reserved histogram numbers above the system calls'. */
    static boolean isSyscallNumber(int nr) {
        return nr < MAX_SYSCALLS;
    }

    static final int RUN_QUEUE_HISTOGRAM = HIST_RUN_QUEUE;
    static final int OFF_CPU_HISTOGRAM = HIST_OFF_CPU;
    static final int ALLOCATION_SIZE_HISTOGRAM = HIST_ALLOCATION_SIZE;

    /**
     * Visits the slot's histogram buckets (detail: the HdrHistogram index), and returns their
     * histogram_index keys (for {@link #deleteCounts}). From memory: the slot's entries of
     * histogram_counts, taken in order up to its histogram_entries; no system call.
     */
    long[] readHistogramBuckets(int slot, CountVisitor visitor) {
        long taken = Math.min(control(slot, CONTROL_HISTOGRAM_ENTRIES), HISTOGRAM_ENTRIES);
        long[] keys = new long[(int) taken];
        int kept = 0;
        long base = (long) slot * HISTOGRAM_ENTRIES * HISTOGRAM_COUNT_SIZE;
        for (long entry = 0; entry < taken; entry++) {
            long at = base + entry * HISTOGRAM_COUNT_SIZE;
            long count = histogramCounts.getLong(at + HISTOGRAM_COUNT_COUNT);
            if (count == 0) {
                continue; // taken by a CPU that lost the race to index the bucket: the winner's entry has its key
            }
            int nr = Short.toUnsignedInt(histogramCounts.getShort(at + HISTOGRAM_COUNT_NR));
            int index = Short.toUnsignedInt(histogramCounts.getShort(at + HISTOGRAM_COUNT_INDEX));
            keys[kept++] = latencyKey(slot, nr, index);
            visitor.visit(nr, index, count);
        }
        return java.util.Arrays.copyOf(keys, kept);
    }

    /** struct latency_key { u32 slot; u16 nr; u16 index; } as one little-endian long, as the hash stores it. */
    private static long latencyKey(int slot, int nr, int index) {
        return Integer.toUnsignedLong(slot) | (long) nr << 32 | (long) index << 48;
    }

    /** As {@link #readHistogramBuckets}, for error_counts (detail: the errno): one batch read of the hash. */
    long[] readErrorCounts(int slot, CountVisitor visitor) {
        return readCounts(errorCounts, slot, visitor);
    }

    private static long[] readCounts(BpfMap map, int slot, CountVisitor visitor) {
        LongList ownKeys = new LongList();
        map.readAll(HASH_KEY_SIZE, COUNT_VALUE_SIZE, HASH_BATCH, (keys, values, count) -> {
            for (int i = 0; i < count; i++) {
                int offset = i * HASH_KEY_SIZE;
                if (keys.getInt(offset) != slot) {
                    continue;
                }
                ownKeys.add(keys.getLong(offset));
                visitor.visit(Short.toUnsignedInt(keys.getShort(offset + 4)), Short.toUnsignedInt(keys.getShort(offset + 6)),
                        values.getLong(i * COUNT_VALUE_SIZE));
            }
        });
        return ownKeys.toArray();
    }

    /** Deletes known keys of histogram_index and error_counts (as the reads returned them). */
    void deleteCounts(long[] latencyKeys, long[] errorKeys) {
        deleteKeys(histogramIndex, latencyKeys);
        deleteKeys(errorCounts, errorKeys);
    }

    /** Deletes every entry of histogram_index and error_counts keyed with {@code slot} (error_counts: a search). */
    void deleteAllCounts(int slot) {
        deleteKeys(histogramIndex, readHistogramBuckets(slot, (nr, index, count) -> { }));
        deleteWhere(errorCounts, HASH_KEY_SIZE, COUNT_VALUE_SIZE, slot, false, 0);
    }

    private static void deleteKeys(BpfMap map, long[] keys) {
        if (keys.length == 0) {
            return;
        }
        Memory packed = new Memory((long) keys.length * 8);
        packed.write(0, keys, 0, keys.length);
        map.deleteAll(packed, keys.length);
    }

    /** A live_allocations entry of a slot: a block a tracked thread allocated and has not released. */
    record LiveBlock(long address, long bytes, int function, int tid) {
    }

    interface LiveBlockVisitor {
        void visit(LiveBlock block);
    }

    void readLiveBlocks(int slot, LiveBlockVisitor visitor) {
        liveAllocations.readAll(LIVE_KEY_SIZE, LIVE_VALUE_SIZE, HASH_BATCH, (keys, values, count) -> {
            for (int i = 0; i < count; i++) {
                int value = i * LIVE_VALUE_SIZE;
                if (values.getInt(value + LIVE_SLOT) == slot) {
                    visitor.visit(new LiveBlock(keys.getLong(i * LIVE_KEY_SIZE), values.getLong(value + LIVE_SIZE),
                            values.getInt(value + LIVE_FUNCTION), values.getInt(value + LIVE_TID)));
                }
            }
        });
    }

    void deleteLiveBlocks(int slot) {
        deleteWhere(liveAllocations, LIVE_KEY_SIZE, LIVE_VALUE_SIZE, slot, true, LIVE_SLOT);
    }

    /** A thread the kernel tracks for a slot: its id in this JVM (0: not visible here) and its TRACK_* flags. */
    record TrackedThread(int tid, int flags) {

        /** Whether it counts (or counted) for the slot: registered, followed, or borrowed; not merely listed. */
        boolean counted() {
            return (flags & TRACK_IDLE) == 0 || (flags & TRACK_BORROWED) != 0;
        }

        /** Whether it ended and its heap was read as it did (bpf/exited_heap.bpf.h). */
        boolean heapCountedAtEnd() {
            return (flags & TRACK_HEAP_COUNTED) != 0;
        }
    }

    /** The threads the kernel tracks for a slot right now: registered, followed, borrowed or listed. */
    List<TrackedThread> trackedThreads(int slot) {
        List<TrackedThread> threads = new ArrayList<>();
        tracked.readAll(4, TRACKED_THREAD_SIZE, 1024, (keys, values, n) -> {
            for (int i = 0; i < n; i++) {
                int value = i * TRACKED_THREAD_SIZE;
                if (values.getInt(value + TRACKED_SLOT) == slot) {
                    threads.add(new TrackedThread(values.getInt(value + TRACKED_NS_TID), values.getInt(value + TRACKED_FLAGS)));
                }
            }
        });
        return threads;
    }

    /** How a registered thread is tracked: follow its children, follow its hand-offs. */
    static int trackFlags(boolean followChildren, boolean followHandOffs) {
        return (followChildren ? TRACK_FOLLOW_CHILDREN : 0) | (followHandOffs ? TRACK_FOLLOW_HANDOFFS : 0);
    }

    /**
     * Adds a thread to tracked: {@code nsTid} is its id in this JVM, {@code kernelTid} and
     * {@code kernelTgid} the kernel's ids of it and its process. {@code runningSinceNanos} (0 if
     * unknown) tells the scheduler programs the thread is on a CPU since then.
     */
    void track(int slot, int nsTid, int kernelTid, int kernelTgid, int flags, long runningSinceNanos) {
        // let the thread's process past the in-kernel process filter
        processFilter.setInt((long) Integer.remainderUnsigned(kernelTgid, PROCESS_FILTER_SIZE) * PROCESS_FILTER_STRIDE, 1);
        Memory key = new Memory(4);
        key.setInt(0, kernelTid);
        Memory value = new Memory(TRACKED_THREAD_SIZE);
        value.clear();
        value.setInt(TRACKED_SLOT, slot);
        value.setInt(TRACKED_FLAGS, flags);
        value.setInt(TRACKED_NS_TID, nsTid);
        if (runningSinceNanos != 0) {
            value.setLong(TRACKED_SCHED_NS, runningSinceNanos); // CLOCK_MONOTONIC, as bpf_ktime_get_ns()
            value.setInt(TRACKED_SCHED_STATE, SCHED_RUNNING);
        }
        tracked.update(key, value);
        trackedChanged();
    }

    void untrack(int kernelTid) {
        Memory key = new Memory(4);
        key.setInt(0, kernelTid);
        tracked.delete(key);
        trackedChanged();
    }

    /** Removes the threads the programs added to a slot (followed, borrowed, listed): only the kernel's map knows them. */
    void untrackAddedThreads(int slot) {
        deleteWhere(tracked, 4, TRACKED_THREAD_SIZE, slot, true, TRACKED_SLOT);
        trackedChanged();
    }

    /** After every change of tracked: see {@link #trackingGeneration}. */
    private void trackedChanged() {
        LONG.getAndAdd(trackingGeneration, 0, 1L);
    }

    /** Forgets which threads woke a slot's threads from outside it. */
    void forgetForeignWakers(int slot) {
        deleteWhere(foreignWakers, FOREIGN_KEY_SIZE, 1, slot, false, 0);
    }

    /** Nothing is tracked any more: forget the processes followed so far. */
    void clearProcessFilter() {
        processFilter.setMemory(0, (long) PROCESS_FILTER_SIZE * PROCESS_FILTER_STRIDE, (byte) 0);
    }

    /**
     * After the programs were detached: a signal handler whose start they saw and whose end they
     * missed must not outlive the detachment (signals.bpf.h, attach_epoch). Under the attachments'
     * monitor, with no slot open.
     */
    void newAttachEpoch() {
        attachEpochValue++;
        Memory zero = new Memory(4);
        zero.setInt(0, 0);
        Memory value = new Memory(4);
        value.setInt(0, attachEpochValue);
        attachEpoch.update(zero, value);
    }

    /** Deletes the entries of a hash whose key starts with {@code slot}, or whose value holds it at {@code slotOffset}. */
    private static void deleteWhere(BpfMap map, int keySize, int valueSize, int slot, boolean inValue, int slotOffset) {
        Memory doomed = new Memory((long) keySize * HASH_BATCH);
        ByteBuffer doomedKeys = doomed.getByteBuffer(0, doomed.size());
        int[] count = {0};
        map.readAll(keySize, valueSize, HASH_BATCH, (keys, values, n) -> {
            for (int i = 0; i < n; i++) {
                int owner = inValue ? values.getInt(i * valueSize + slotOffset) : keys.getInt(i * keySize);
                if (owner == slot) {
                    doomedKeys.put(count[0] * keySize, keys, i * keySize, keySize);
                    if (++count[0] == HASH_BATCH) {
                        map.deleteAll(doomed, count[0]);
                        count[0] = 0;
                    }
                }
            }
        });
        map.deleteAll(doomed, count[0]);
    }

    /** A growable long[]: the keys a slot owns, without boxing each. */
    private static final class LongList {
        private long[] values = new long[16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
