package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.IDENTITY_SIZE;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * KernelTrace's BPF programs in this JVM, loaded once, and the pool of slots that traced tests
 * count in. Each JVM loads its own copy, so JVMs on one host never see each other's counts.
 * The jobs are split: {@link ProgramLoader} loads (family by family), {@link Attachments}
 * attaches while slots are open, {@link SlotPool} hands out the slots, {@link SlotMemory} holds
 * the shared memory, {@link KernelIds} the thread ids, and each {@link TraceSlot} one test's counting.
 *
 * <p>Locking: {@code SHARED_LOCK} guards {@link #shared()}'s two fields. Every other field is
 * final, set before the tracer is shared, and guards itself: {@link SlotPool}, then
 * {@link Attachments} (the lock order), each by its own monitor.
 */
public final class KernelTracer {

    private static final Object SHARED_LOCK = new Object();
    /** Guarded by SHARED_LOCK. */
    private static KernelTracer shared;
    /** Guarded by SHARED_LOCK. */
    private static TracingUnavailableException sharedFailure;

    private final String attachMode;
    private final SyscallTable syscallTable;
    private final SlotMemory memory;
    private final KernelIds ids;
    private final Attachments attachments;
    private final SlotPool pool;

    private KernelTracer(ProgramLoader.Loaded loaded, SyscallTable syscallTable) {
        BpfObject object = loaded.object();
        this.attachMode = loaded.attachModes().get(ProbeFamily.SYSCALLS);
        this.syscallTable = syscallTable;
        this.memory = new SlotMemory(object);
        this.ids = new KernelIds(object.map("identity").mmap(IDENTITY_SIZE));
        this.attachments = new Attachments(loaded, syscallTable, memory, ids);
        this.pool = new SlotPool(attachments, memory);
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
                shared = load(object -> { });
                return shared;
            } catch (TracingUnavailableException e) {
                sharedFailure = e;
                throw e;
            }
        }
    }

    /**
     * A tracer of its own (not the shared one), loaded with {@code beforeLoad} seeing the object
     * just before each load: the test seam for a family the kernel refuses.
     */
    static KernelTracer load(Consumer<BpfObject> beforeLoad) {
        String staticReason = Prerequisites.firstMissing();
        if (staticReason != null) {
            throw new TracingUnavailableException(staticReason);
        }
        SyscallTable table = SyscallTable.current();
        return new KernelTracer(ProgramLoader.load(table, beforeLoad), table);
    }

    /** {@code "tp_btf"} or {@code "raw_tp"}: how the system-call programs hook the kernel's tracepoints. */
    public String attachMode() {
        return attachMode;
    }

    /** How a tracepoint family hooks the kernel ({@code "tp_btf"} or {@code "raw_tp"}), or null if it is refused. */
    public String attachMode(ProbeFamily family) {
        return attachments.attachMode(family);
    }

    /**
     * The families the kernel refused, at load or at the first attach, each with the reason; the
     * others work. Empty on a kernel that takes every program.
     */
    public Map<ProbeFamily, String> refusedFamilies() {
        return attachments.refused();
    }

    public SyscallTable syscallTable() {
        return syscallTable;
    }

    /** A slot for one traced test; waits while an exclusive slot is open or all slots are taken. */
    public TraceSlot openSlot() {
        return open(false);
    }

    /** A slot that no other slot runs alongside: for tracing the whole process. */
    public TraceSlot openExclusiveSlot() {
        return open(true);
    }

    private TraceSlot open(boolean exclusive) {
        return new TraceSlot(pool, attachments, memory, ids, syscallTable, pool.take(exclusive), exclusive);
    }

    /**
     * How long the programs stay attached after the last slot closes; zero detaches at once.
     * Default 1 s, or the system property {@code kerneltrace.detachDelayMillis}.
     */
    public void setDetachDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("detach delay must not be negative: " + delay);
        }
        attachments.setDetachDelay(delay);
    }

    public Duration detachDelay() {
        return attachments.detachDelay();
    }

    /** Whether the programs are attached right now (they are while any slot is open). */
    public boolean attached() {
        return attachments.attached();
    }

    /** The file the uprobes go into: the one that defines this process's {@code malloc}. */
    public String allocatorLibrary() {
        return attachments.allocatorLibrary();
    }

    /** Whether the allocator uprobes are attached right now. */
    public boolean uprobesAttached() {
        return attachments.uprobesAttached();
    }

    /** Whether HotSpot's USDT probes (JVM events) are attached right now. */
    public boolean jvmProbesAttached() {
        return attachments.jvmProbesAttached();
    }

    /** This JVM's thread ids as the programs see them. */
    KernelIds ids() {
        return ids;
    }

    /** Test seam: attach {@code program} to the raw tracepoint {@code tracepoint} at the next attach. */
    void retarget(String program, String tracepoint) {
        attachments.retarget(program, tracepoint);
    }
}
