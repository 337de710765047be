package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.BpfMap;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.LibC;
import io.github.kerneltrace.probes.libbpf.Libbpf;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * The system-call programs of this JVM, loaded once and attached only while at least one
 * {@link TraceSlot} is open (and for {@link #detachDelay()} after): while attached they cost every
 * process on the host a little per system call. Each JVM loads its own copy, so JVMs on one host never see each other's counts.
 */
public final class KernelTracer {

    private static final String OBJECT_RESOURCE = "bpf/kerneltrace.bpf.o";
    private static final List<String> PROGRAMS = List.of("sys_enter", "sys_exit", "fork", "exit",
            "sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_waking", "sched_migrate");

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    static {
        // Links each access mode once: the first use allocates, which a window's heap figure would see.
        ByteBuffer scratch = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        LONG.setRelease(scratch, 8, (long) LONG.getAcquire(scratch, 8));
        INT.setRelease(scratch, 0, 1);
        INT.getAndBitwiseOr(scratch, 0, 2);
        INT.getAndBitwiseAnd(scratch, 0, ~2);
    }

    private static final Object SHARED_LOCK = new Object();
    private static KernelTracer shared;
    private static TracingUnavailableException sharedFailure;

    private final BpfObject object;
    private final String attachMode;
    private final BpfMap tracked;
    private final BpfMap latencyBuckets;
    private final BpfMap errorCounts;
    private final BpfMap liveAllocations;
    private final BpfMap foreignWakers;
    private final Pointer slotControl;
    /**
     * The same memory for the edges of counting windows: byte-buffer views are intrinsics, where
     * each JNA access is a native call (microseconds at a window's edge), and their atomics are
     * the word-wide ones the programs use too.
     */
    private final ByteBuffer control;
    private final Pointer syscallStats;
    private final Pointer processFilter;
    private final Pointer schedStats;
    private final Pointer memoryStats;
    private final Pointer handOffNames;
    /** Bumped after each change of {@code tracked}: the programs' task-local copies are then stale (bpf/tracking.bpf.h). */
    private final ByteBuffer trackingGeneration;
    private final KernelIds ids;
    private final SyscallTable syscallTable;
    /** One permit per slot; an exclusive (whole-process) slot takes them all. */
    private final Semaphore permits = new Semaphore(MAX_SLOTS, true);
    private final boolean[] slotInUse = new boolean[MAX_SLOTS];
    private int openSlots;
    /** Slots opened since load: a slot that sees it move while counting ran beside another test. */
    private long slotsOpened;
    /** Slots counting native allocations: the uprobes are attached while there is one (and a while after). */
    private final boolean[] nativeSlot = new boolean[MAX_SLOTS];
    private int nativeSlots;
    private String allocatorLibrary;
    private ScheduledFuture<?> pendingUprobeDetach;
    /**
     * Attaching costs about 10 ms, so the programs stay attached this long after the last slot
     * closes: tests that run one after another pay it once. Meanwhile other processes pay the
     * filter's cost per system call (see docs/performance.md).
     */
    private Duration detachDelay = Duration.ofMillis(Long.getLong("kerneltrace.detachDelayMillis", 1000));
    private ScheduledExecutorService detacher;
    private ScheduledFuture<?> pendingDetach;

    private KernelTracer(BpfObject object, String attachMode, SyscallTable syscallTable) {
        this.object = object;
        this.attachMode = attachMode;
        this.syscallTable = syscallTable;
        this.tracked = object.map("tracked");
        this.latencyBuckets = object.map("latency_buckets");
        this.errorCounts = object.map("error_counts");
        this.liveAllocations = object.map("live_allocations");
        this.foreignWakers = object.map("foreign_wakers");
        this.slotControl = object.map("slot_control").mmap((long) MAX_SLOTS * SLOT_CONTROL_SIZE);
        this.control = slotControl.getByteBuffer(0, (long) MAX_SLOTS * SLOT_CONTROL_SIZE).order(ByteOrder.nativeOrder());
        this.syscallStats = object.map("syscall_stats").mmap((long) MAX_SLOTS * MAX_SYSCALLS * SYSCALL_STATS_SIZE);
        this.schedStats = object.map("sched_stats").mmap((long) MAX_SLOTS * SCHED_STATS_SIZE);
        this.memoryStats = object.map("memory_stats").mmap((long) MAX_SLOTS * MEMORY_STATS_SIZE);
        this.processFilter = object.map("process_filter").mmap((long) PROCESS_FILTER_SIZE * PROCESS_FILTER_STRIDE);
        this.handOffNames = object.map("handoff_names").mmap((long) MAX_SLOTS * HANDOFF_NAMES_SIZE);
        this.trackingGeneration = object.map("tracking_generation").mmap(8).getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
        this.ids = new KernelIds(object.map("identity").mmap(IDENTITY_SIZE));
    }

    /**
     * The tracer of this JVM, loaded on first use.
     *
     * @throws TracingUnavailableException when this machine or JVM cannot trace, saying why
     */
    public static KernelTracer shared() {
        synchronized (SHARED_LOCK) {
            if (shared != null) {
                return shared;
            }
            if (sharedFailure != null) {
                throw sharedFailure;
            }
            try {
                shared = load();
                return shared;
            } catch (TracingUnavailableException e) {
                sharedFailure = e;
                throw e;
            }
        }
    }

    private static KernelTracer load() {
        String staticReason = KernelSupport.staticCheck();
        if (staticReason != null) {
            throw new TracingUnavailableException(staticReason);
        }
        Libbpf libbpf = Libbpf.get();
        SyscallTable table = SyscallTable.current();
        byte[] elf = readResource(OBJECT_RESOURCE);
        StringBuilder failures = new StringBuilder();
        for (String mode : attachModes()) {
            BpfObject object = null;
            try {
                object = BpfObject.open(libbpf, "kerneltrace", elf);
                object.loadOnly(name -> name.startsWith(mode + "_") || isUprobe(name));
                writeConfig(object, table);
                object.load();
                return new KernelTracer(object, mode, table);
            } catch (IllegalStateException e) {
                if (object != null) {
                    object.close();
                }
                failures.append(failures.length() == 0 ? "" : "; ").append(mode).append(": ").append(e.getMessage());
            }
        }
        throw new TracingUnavailableException("the kernel refused KernelTrace's BPF programs (" + failures.toString().strip() + ")");
    }

    /**
     * tp_btf is typed and preferred; raw_tp is the fallback for kernels that refuse it. The system
     * property {@code kerneltrace.attachMode} ({@code tp_btf} or {@code raw_tp}) forces one.
     */
    private static List<String> attachModes() {
        String forced = System.getProperty("kerneltrace.attachMode", "");
        switch (forced) {
            case "":
                return List.of("tp_btf", "raw_tp");
            case "tp_btf":
            case "raw_tp":
                return List.of(forced);
            default:
                throw new TracingUnavailableException("the system property kerneltrace.attachMode is \"" + forced
                        + "\"; use tp_btf or raw_tp, or leave it unset to choose automatically");
        }
    }

    /** The uprobe programs of memory.bpf.h ({@code malloc_enter}, ...): every program that is not a tracepoint's. */
    private static boolean isUprobe(String program) {
        return !program.startsWith("tp_btf_") && !program.startsWith("raw_tp_");
    }

    /**
     * HotSpot's own threads, by the prefix of the kernel name HotSpot gives them (15 bytes of the
     * Java name): a test's threads wake them (a method to compile, a GC to run), but their work is
     * the JVM's, so they are never borrowed as a pool thread the test handed work to. Also
     * KernelTrace's own.
     */
    static final List<String> JVM_OWN_THREAD_NAMES = List.of("C1 CompilerThre", "C2 CompilerThre", "VM Thread",
            "VM Periodic Tas", "GC Thread#", "G1 ", "Service Thread", "Monitor Deflati", "Notification Th",
            "Reference Handl", "Finalizer", "Signal Dispatch", "Sweeper thread", "Common-Cleaner", "Attach Listener",
            "JVMCI", "JFR ", "Shenandoah", "ZDirector", "ZDriver", "ZStat", "ZUnmapper", "ZUncommitter", "ZWorker",
            "ZRuntime", "kerneltrace-");

    /** The .rodata settings: which calls move bytes or address space, the page size, what marks a hand-off. */
    private static void writeConfig(BpfObject object, SyscallTable table) {
        if (JVM_OWN_THREAD_NAMES.size() > JVM_INTERNAL_THREADS) {
            throw new IllegalStateException("bpf/kerneltrace.h holds " + JVM_INTERNAL_THREADS + " HotSpot thread names, not "
                    + JVM_OWN_THREAD_NAMES.size()); // a bug, not a user error
        }
        Pointer config = object.initialValue(".rodata", CONFIG_SIZE);
        config.write(CONFIG_BYTE_COUNTING, bitmap(table.byteReadingSyscalls(), table.byteWritingSyscalls()), 0, MAX_SYSCALLS / 64);
        int[] addressSpace = Stream.of("mmap", "munmap", "mremap", "brk")
                .map(table::number).filter(OptionalInt::isPresent).mapToInt(OptionalInt::getAsInt).toArray();
        config.write(CONFIG_ADDRESS_SPACE, bitmap(addressSpace), 0, MAX_SYSCALLS / 64);
        config.setLong(CONFIG_PAGE_SIZE, LibC.INSTANCE.getpagesize());
        // the allocator uretprobes' own system call: never the test's
        config.setInt(CONFIG_URETPROBE_SYSCALL, table.number("uretprobe").orElse(MAX_SYSCALLS));
        config.setInt(CONFIG_FUTEX_SYSCALL, table.number("futex").orElse(MAX_SYSCALLS));
        for (int i = 0; i < JVM_OWN_THREAD_NAMES.size(); i++) {
            // the prefix's bytes as the name's two little-endian words, and a mask over them
            byte[] prefix = JVM_OWN_THREAD_NAMES.get(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer value = ByteBuffer.allocate(TASK_COMM_LEN).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer mask = ByteBuffer.allocate(TASK_COMM_LEN).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < Math.min(prefix.length, TASK_COMM_LEN - 1); b++) {
                value.put(b, prefix[b]);
                mask.put(b, (byte) 0xff);
            }
            long entry = CONFIG_JVM_INTERNAL_THREADS + (long) i * JVM_INTERNAL_THREAD_SIZE;
            config.setLong(entry, value.getLong(0));
            config.setLong(entry + 8, value.getLong(8));
            config.setLong(entry + 16, mask.getLong(0));
            config.setLong(entry + 24, mask.getLong(8));
        }
    }

    private static long[] bitmap(int[]... syscallSets) {
        long[] words = new long[MAX_SYSCALLS / 64];
        for (int[] numbers : syscallSets) {
            for (int nr : numbers) {
                words[nr / 64] |= 1L << (nr % 64);
            }
        }
        return words;
    }

    private static byte[] readResource(String name) {
        try (InputStream in = KernelTracer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new TracingUnavailableException("the probes jar lacks " + name + "; rebuild it with bpf/build.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TracingUnavailableException("cannot read " + name + " from the probes jar", e);
        }
    }

    /** {@code "tp_btf"} or {@code "raw_tp"}: how the programs hook the kernel's tracepoints. */
    public String attachMode() {
        return attachMode;
    }

    public SyscallTable syscallTable() {
        return syscallTable;
    }

    /** A slot for one traced test; waits while an exclusive slot is open or all slots are taken. */
    public TraceSlot openSlot() {
        return open(1, false);
    }

    /** A slot that no other slot runs alongside: for tracing the whole process. */
    public TraceSlot openExclusiveSlot() {
        return open(MAX_SLOTS, true);
    }

    private TraceSlot open(int permitsNeeded, boolean exclusive) {
        permits.acquireUninterruptibly(permitsNeeded);
        try {
            return new TraceSlot(this, takeSlotIndex(), exclusive);
        } catch (RuntimeException | Error e) {
            permits.release(permitsNeeded);
            throw e;
        }
    }

    private synchronized int takeSlotIndex() {
        for (int index = 0; index < MAX_SLOTS; index++) {
            if (!slotInUse[index]) {
                if (openSlots == 0) {
                    if (pendingDetach != null) {
                        pendingDetach.cancel(false);
                        pendingDetach = null;
                    }
                    if (!object.attached()) {
                        attach(); // may throw: then no slot is taken
                        requireEventsFromThisProcess();
                    }
                }
                openSlots++;
                slotsOpened++;
                slotInUse[index] = true;
                resetCounters(index);
                setLatency(index, true);
                return index;
            }
        }
        throw new IllegalStateException("no free slot although a permit was taken"); // a bug, not a user error
    }

    /** How many slots are open and how many were ever opened, to tell whether tests ran side by side. */
    synchronized long[] slotActivity() {
        return new long[] {openSlots, slotsOpened};
    }

    synchronized void releaseSlot(int index, boolean exclusive) {
        slotInUse[index] = false;
        if (nativeSlot[index]) {
            nativeSlot[index] = false;
            if (--nativeSlots == 0) {
                scheduleUprobeDetach();
            }
        }
        if (--openSlots == 0) {
            if (detachDelay.isZero()) {
                detach();
            } else {
                pendingDetach = detacher().schedule(this::detachIfIdle, detachDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        permits.release(exclusive ? MAX_SLOTS : 1);
    }

    private synchronized void detachIfIdle() {
        if (openSlots == 0) {
            detach();
        }
    }

    private void detach() {
        if (pendingUprobeDetach != null) {
            pendingUprobeDetach.cancel(false);
            pendingUprobeDetach = null;
        }
        object.detachAll();
        // nothing is tracked now: forget the processes followed so far
        processFilter.setMemory(0, (long) PROCESS_FILTER_SIZE * PROCESS_FILTER_STRIDE, (byte) 0);
    }

    private ScheduledExecutorService detacher() {
        if (detacher == null) {
            detacher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "kerneltrace-detach");
                thread.setDaemon(true); // never keeps the JVM alive; exiting closes the links anyway
                return thread;
            });
        }
        return detacher;
    }

    /**
     * How long the programs stay attached after the last slot closes; zero detaches at once.
     * Default 1 s, or the system property {@code kerneltrace.detachDelayMillis}.
     */
    public synchronized void setDetachDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("detach delay must not be negative: " + delay);
        }
        detachDelay = delay;
    }

    public synchronized Duration detachDelay() {
        return detachDelay;
    }

    /** Whether the programs are attached right now (they are while any slot is open). */
    public synchronized boolean attached() {
        return object.attached();
    }

    private void attach() {
        try {
            for (String program : PROGRAMS) {
                object.attach(attachMode + "_" + program);
            }
        } catch (IllegalStateException e) {
            object.detachAll();
            throw new TracingUnavailableException(e.getMessage(), e);
        }
    }

    /**
     * The check at attach time: the programs answer this thread's identity request only if they
     * see this process's system calls (with the ids they compare, whatever PID namespace the JVM
     * is in). Otherwise nothing would ever be counted here, and every traced test would pass.
     */
    private void requireEventsFromThisProcess() {
        try {
            ids.ask(false);
        } catch (TracingUnavailableException e) {
            object.detachAll();
            throw e;
        }
    }

    /** This JVM's thread ids as the programs see them. */
    KernelIds ids() {
        return ids;
    }

    /**
     * Counts the C library allocator calls of the slot's threads, attaching the uprobes if no other
     * slot has: they trap on every allocator call of every thread of this JVM while attached, so
     * only tests that ask pay for them.
     *
     * @throws TracingUnavailableException when the uprobes cannot be attached, saying why
     */
    synchronized void countNativeAllocations(int slot) {
        if (nativeSlot[slot]) {
            return;
        }
        if (pendingUprobeDetach != null) {
            pendingUprobeDetach.cancel(false);
            pendingUprobeDetach = null;
        }
        if (!object.uprobesAttached()) {
            attachUprobes();
        }
        nativeSlot[slot] = true;
        nativeSlots++;
        setFlag(slot, SLOT_NATIVE_ALLOCATIONS, true);
    }

    private void attachUprobes() {
        if (!"x86_64".equals(syscallTable.arch())) {
            // memory.bpf.h reads the allocator's arguments from x86_64 registers (bpf/build.sh targets x86)
            throw new TracingUnavailableException("native allocations can be counted on x86_64 only, and this is "
                    + syscallTable.arch() + "; leave nativeAllocations off (heap, page faults and address space still work)");
        }
        try {
            String library = allocatorLibrary();
            // Return probes first: an entry seen without its return would leave the thread's call
            // depth raised (memory.bpf.h), and this very thread mallocs while attaching.
            for (NativeFunction function : NativeFunction.values()) {
                if (function.allocates()) {
                    object.attachUprobe("allocator_exit", library, function.symbol(), 0, true);
                }
            }
            for (NativeFunction function : NativeFunction.values()) {
                long offset = function == NativeFunction.FREE ? NativeAllocator.freeProbeOffset() : 0;
                object.attachUprobe(function.symbol() + "_enter", library, function.symbol(), offset, false);
            }
        } catch (IllegalStateException e) {
            object.detachUprobes();
            throw new TracingUnavailableException("native allocations cannot be counted: " + e.getMessage(), e);
        }
    }

    /** The file the uprobes go into: the one that defines this process's {@code malloc}. */
    public synchronized String allocatorLibrary() {
        if (allocatorLibrary == null) {
            allocatorLibrary = NativeAllocator.libraryPath();
        }
        return allocatorLibrary;
    }

    /** Whether the allocator uprobes are attached right now. */
    public synchronized boolean uprobesAttached() {
        return object.uprobesAttached();
    }

    private void scheduleUprobeDetach() {
        if (detachDelay.isZero()) {
            object.detachUprobes();
        } else {
            pendingUprobeDetach = detacher().schedule(this::detachUprobesIfUnused, detachDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void detachUprobesIfUnused() {
        if (nativeSlots == 0) {
            object.detachUprobes();
        }
    }

    private void resetCounters(int slot) {
        slotControl.setMemory((long) slot * SLOT_CONTROL_SIZE, SLOT_CONTROL_SIZE, (byte) 0);
        syscallStats.setMemory((long) slot * MAX_SYSCALLS * SYSCALL_STATS_SIZE,
                (long) MAX_SYSCALLS * SYSCALL_STATS_SIZE, (byte) 0);
        schedStats.setMemory((long) slot * SCHED_STATS_SIZE, SCHED_STATS_SIZE, (byte) 0);
        memoryStats.setMemory((long) slot * MEMORY_STATS_SIZE, MEMORY_STATS_SIZE, (byte) 0);
        handOffNames.setMemory((long) slot * HANDOFF_NAMES_SIZE, HANDOFF_NAMES_SIZE, (byte) 0);
    }

    /**
     * The names the kernel kept of the threads a slot's work went to or came from, from the list
     * at {@code list}: HANDOFF_BORROWED, HANDOFF_UNCOUNTED or HANDOFF_FOREIGN.
     */
    List<String> handOffNames(int slot, int list) {
        List<String> names = new java.util.ArrayList<>();
        long base = (long) slot * HANDOFF_NAMES_SIZE + list;
        for (int i = 0; i < HANDOFF_NAMES; i++) {
            String name = handOffNames.getString(base + i * (long) TASK_COMM_LEN, "UTF-8");
            if (name.isEmpty()) {
                break;
            }
            names.add(name.length() > TASK_COMM_LEN - 1 ? name.substring(0, TASK_COMM_LEN - 1) : name);
        }
        return names;
    }

    // ---- used by TraceSlot ----

    void setOpen(int slot, boolean open) {
        INT.setRelease(control, slot * SLOT_CONTROL_SIZE + CONTROL_OPEN, open ? 1 : 0);
    }

    long control(int slot, int field) {
        return (long) LONG.getAcquire(control, slot * SLOT_CONTROL_SIZE + field);
    }

    void setControl(int slot, int field, long value) {
        LONG.setRelease(control, slot * SLOT_CONTROL_SIZE + field, value);
    }

    /** A copy of the slot's sched_stats. */
    long[] schedStats(int slot) {
        long[] stats = new long[SCHED_STATS_LONGS];
        schedStats.read((long) slot * SCHED_STATS_SIZE, stats, 0, stats.length);
        return stats;
    }

    /** A copy of the slot's syscall_stats, {@code STATS_LONGS} longs per system call, in one native call. */
    long[] stats(int slot) {
        long[] stats = new long[MAX_SYSCALLS * STATS_LONGS];
        syscallStats.read((long) slot * MAX_SYSCALLS * SYSCALL_STATS_SIZE, stats, 0, stats.length);
        return stats;
    }

    void setLatency(int slot, boolean latency) {
        setFlag(slot, SLOT_LATENCY, latency);
    }

    void setFlag(int slot, int flag, boolean on) {
        long offset = (long) slot * SLOT_CONTROL_SIZE + CONTROL_FLAGS;
        // atomic: the programs clear SLOT_CAPTURE_START_FAULTS in the same word
        if (on) {
            INT.getAndBitwiseOr(control, (int) offset, flag);
        } else {
            INT.getAndBitwiseAnd(control, (int) offset, ~flag);
        }
    }

    /** A copy of the slot's memory_stats. */
    long[] memoryStats(int slot) {
        long[] stats = new long[MEMORY_STATS_LONGS];
        memoryStats.read((long) slot * MEMORY_STATS_SIZE, stats, 0, stats.length);
        return stats;
    }

    BpfMap liveAllocations() {
        return liveAllocations;
    }

    /** A thread the kernel tracks for a slot: its id in this JVM (0: not visible here) and its TRACK_* flags. */
    record TrackedThread(int tid, int flags) {

        /** Whether it counts (or counted) for the slot: registered, followed, or borrowed; not merely listed. */
        boolean counted() {
            return (flags & TRACK_IDLE) == 0 || (flags & TRACK_BORROWED) != 0;
        }
    }

    /** The threads the kernel tracks for a slot right now: registered, followed, borrowed or listed. */
    List<TrackedThread> trackedThreads(int slot) {
        List<TrackedThread> threads = new java.util.ArrayList<>();
        tracked.readAll(4, TRACKED_THREAD_SIZE, 1024, (keys, values, n) -> {
            for (int i = 0; i < n; i++) {
                long value = (long) i * TRACKED_THREAD_SIZE;
                if (values.getInt(value + TRACKED_SLOT) == slot) {
                    threads.add(new TrackedThread(values.getInt(value + TRACKED_NS_TID), values.getInt(value + TRACKED_FLAGS)));
                }
            }
        });
        return threads;
    }

    /**
     * Tracks a thread: {@code tid} is its id in this JVM, {@code kernelTid} and {@code kernelTgid}
     * the kernel's ids of it and its process. A thread of this JVM listed a moment ago may have
     * ended since: its entry is then never used, and is removed with the slot's.
     */
    void track(int tid, int kernelTid, int kernelTgid, int slot, int flags) {
        // let the thread's process past the in-kernel process filter
        processFilter.setInt((long) (Integer.remainderUnsigned(kernelTgid, PROCESS_FILTER_SIZE)) * PROCESS_FILTER_STRIDE, 1);
        Memory key = new Memory(4);
        key.setInt(0, kernelTid);
        Memory value = new Memory(TRACKED_THREAD_SIZE);
        value.clear();
        value.setInt(TRACKED_SLOT, slot);
        value.setInt(TRACKED_FLAGS, flags);
        value.setInt(TRACKED_NS_TID, tid);
        if (tid == Threads.currentTid()) {
            // the registering thread is on a CPU right now; other threads' states are learnt from their next event
            value.setLong(TRACKED_SCHED_NS, System.nanoTime()); // CLOCK_MONOTONIC, as bpf_ktime_get_ns()
            value.setInt(TRACKED_SCHED_STATE, SCHED_RUNNING);
        }
        tracked.update(key, value);
        trackedChanged();
    }

    private void trackedChanged() {
        LONG.getAndAdd(trackingGeneration, 0, 1L);
    }

    /** The kernel's id of the process (tgid) a thread this JVM knows by {@code tid} belongs to. */
    int kernelProcessOf(int tid) {
        if (tid == Threads.currentTid() || Files.exists(Path.of("/proc/self/task/" + tid))) {
            return ids.kernelTgid();
        }
        // another process: only outside a container (KernelIds.kernelTid refuses it inside), where ids are the kernel's
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("no thread with id " + tid + " is running");
    }

    void untrack(int kernelTid) {
        Memory key = new Memory(4);
        key.setInt(0, kernelTid);
        tracked.delete(key);
        trackedChanged();
    }

    /** Forgets which threads woke a slot's threads from outside it. */
    void forgetForeignWakers(int slot) {
        deleteMatching(foreignWakers, FOREIGN_KEY_SIZE, 1, 1024, slot);
    }

    /** Removes the threads a slot followed (the kernel added them; only the kernel's map knows them). */
    void untrackFollowed(int slot) {
        deleteMatching(tracked, 4, TRACKED_THREAD_SIZE, 1024, slot);
        trackedChanged();
    }

    BpfMap latencyBuckets() {
        return latencyBuckets;
    }

    BpfMap errorCounts() {
        return errorCounts;
    }

    /** Deletes known 8-byte keys from a hash map in one system call. */
    void deleteKeys(BpfMap map, List<Long> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Memory packed = new Memory((long) keys.size() * 8);
        for (int i = 0; i < keys.size(); i++) {
            packed.setLong((long) i * 8, keys.get(i));
        }
        map.deleteAll(packed, keys.size());
    }

    /** Deletes the entries of a hash map whose value (tracked) or key (counts) starts with {@code slot}. */
    void deleteMatching(BpfMap map, int keySize, int valueSize, int batchSize, int slot) {
        deleteWhere(map, keySize, valueSize, batchSize, slot, map == tracked, 0);
    }

    /** Deletes the entries of a hash map whose value holds {@code slot} (a u32) at {@code slotOffset}. */
    void deleteMatchingValues(BpfMap map, int keySize, int valueSize, int batchSize, int slot, int slotOffset) {
        deleteWhere(map, keySize, valueSize, batchSize, slot, true, slotOffset);
    }

    private void deleteWhere(BpfMap map, int keySize, int valueSize, int batchSize, int slot, boolean inValue,
                             int slotOffset) {
        Memory doomed = new Memory((long) keySize * 4096);
        int[] count = {0};
        map.readAll(keySize, valueSize, batchSize, (keys, values, n) -> {
            for (int i = 0; i < n; i++) {
                int owner = inValue ? values.getInt((long) i * valueSize + slotOffset) : keys.getInt((long) i * keySize);
                if (owner == slot) {
                    doomed.write((long) count[0] * keySize, keys.getByteArray((long) i * keySize, keySize), 0, keySize);
                    if (++count[0] == 4096) {
                        map.deleteAll(doomed, count[0]);
                        count[0] = 0;
                    }
                }
            }
        });
        map.deleteAll(doomed, count[0]);
    }
}
