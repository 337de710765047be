package io.github.kerneltrace.probes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.kerneltrace.probes.libbpf.BpfLink;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * Which programs are attached, and when: the tracepoint families while at least one slot is open
 * (and {@link #detachDelay()} after), the allocator uprobes while a slot counts native
 * allocations (and as long after). While attached, the tracepoints cost every process on the
 * host a little per system call and the uprobes every allocator call of this JVM.
 *
 * <p>Locking: every field is guarded by this object's monitor, and every method takes it,
 * including the delayed detaches run by the {@code kerneltrace-detach} thread (whose delayed
 * detach of the JVM probes closes their links after taking them out of {@code jvmLinks} under it). {@link KernelTracer}
 * calls in while holding its own monitor (lock order: tracer, then attachments; never the reverse).
 */
final class Attachments {

    private final BpfObject object;
    private final SyscallTable syscallTable;
    private final SlotMemory memory;
    private final KernelIds ids;
    /** The probes tests declare: attached per test, detached on this class's detach thread. */
    private final DeclaredAttachments declared;
    /** The attach mode of each loaded tracepoint family; a family refused at attach time is removed. */
    private final Map<ProbeFamily, String> attachModes;
    /** Families the kernel refused (at load or at attach), with the reason. */
    private final Map<ProbeFamily, String> refused;
    /** Test seam: tracepoint programs attached to another (raw) tracepoint than their section names. */
    private final Map<String, String> retargeted = new HashMap<>();
    /** Open slots: the tracepoint families stay attached while there is one. */
    private int slots;
    /** Slots counting native allocations: the uprobes stay attached while there is one. */
    private final boolean[] nativeSlot = new boolean[SlotLayout.MAX_SLOTS];
    private int nativeSlots;
    private String allocatorLibrary;
    /** HotSpot's thread__stop probe: attached with the first tracepoints, then kept (see ExitedThreadHeap). */
    private final ExitedThreadHeap exitedThreadHeap;
    /** Slots counting JVM events: HotSpot's USDT probes stay attached while there is one. */
    private final boolean[] jvmSlot = new boolean[SlotLayout.MAX_SLOTS];
    private int jvmSlots;
    /** The USDT links of the JVM events, in attach order (empty: not attached). */
    private final List<BpfLink> jvmLinks = new ArrayList<>();
    private ScheduledFuture<?> pendingJvmDetach;
    /** Why contended monitor enters are not counted (null: they are), known once the probes were attached. */
    private String monitorsNotCounted;
    /**
     * Attaching costs about 10 ms, so the programs stay attached this long after the last slot
     * closes: tests that run one after another pay it once. Meanwhile other processes pay the
     * filter's cost per system call (see docs/performance.md).
     */
    private Duration detachDelay = Duration.ofMillis(Long.getLong("kerneltrace.detachDelayMillis", 1000));
    private ScheduledExecutorService detacher;
    private ScheduledFuture<?> pendingDetach;
    private ScheduledFuture<?> pendingUprobeDetach;

    Attachments(ProgramLoader.Loaded loaded, SyscallTable syscallTable, SlotMemory memory, KernelIds ids) {
        this.object = loaded.object();
        this.syscallTable = syscallTable;
        this.memory = memory;
        this.ids = ids;
        this.attachModes = new EnumMap<>(loaded.attachModes());
        this.refused = new EnumMap<>(ProbeFamily.class);
        this.refused.putAll(loaded.refused());
        this.declared = new DeclaredAttachments(object, this);
        this.exitedThreadHeap = new ExitedThreadHeap(object);
    }

    /**
     * A slot opens: attaches the tracepoint families unless they are, and checks that the
     * programs see this process.
     *
     * @throws TracingUnavailableException when the system-call family cannot be attached or sees nothing
     */
    synchronized void slotOpened() {
        if (pendingDetach != null) {
            pendingDetach.cancel(false);
            pendingDetach = null;
        }
        if (slots == 0 && !object.attached()) {
            attachTracepoints();
            requireEventsFromThisProcess();
            attachExitedThreadHeap();
        }
        slots++;
    }

    /** A slot closed: detaches what no open slot needs any more (after the delay). */
    synchronized void slotClosed(int slot) {
        if (jvmSlot[slot]) {
            jvmSlot[slot] = false;
            memory.setJvmEvents(slot, false);
            if (--jvmSlots == 0) {
                scheduleJvmDetach();
            }
        }
        if (nativeSlot[slot]) {
            nativeSlot[slot] = false;
            if (--nativeSlots == 0) {
                scheduleUprobeDetach();
            }
        }
        if (--slots == 0) {
            if (detachDelay.isZero()) {
                detach();
            } else {
                pendingDetach = detacher().schedule(this::detachIfIdle, detachDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void attachTracepoints() {
        // a handler begun before the programs were last detached is over for them (signals.bpf.h)
        memory.newAttachEpoch();
        for (ProbeFamily family : ProbeFamily.values()) {
            String mode = attachModes.get(family);
            if (mode == null) {
                continue; // refused at load, or not a tracepoint family
            }
            try {
                for (String program : family.programs(mode)) {
                    String target = retargeted.get(program);
                    if (target == null) {
                        object.attach(program);
                    } else {
                        object.attachRawTracepoint(program, target);
                    }
                }
            } catch (IllegalStateException e) {
                family.programs(mode).forEach(object::detach);
                if (family.essential()) {
                    object.detachAll();
                    throw new TracingUnavailableException(
                            Capabilities.explain(Capabilities.ProbeKind.TRACEPOINT_PROGRAMS, e.getMessage()), e);
                }
                // a hook this kernel lacks: the other families work without this one, from now on
                attachModes.remove(family);
                refused.put(family, "the kernel refused to attach the " + family.description() + " programs ("
                        + Capabilities.explain(Capabilities.ProbeKind.TRACEPOINT_PROGRAMS, e.getMessage()) + ")");
            }
        }
    }

    /** The heap of ended threads, where this JVM allows: otherwise they stay uncounted, and refused() says why. */
    private void attachExitedThreadHeap() {
        if (!refused.containsKey(ProbeFamily.EXITED_THREAD_HEAP)) {
            String unavailable = exitedThreadHeap.attach();
            if (unavailable != null) {
                refused.put(ProbeFamily.EXITED_THREAD_HEAP, Capabilities.explain(Capabilities.ProbeKind.USDT, unavailable));
            }
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

    private synchronized void detachIfIdle() {
        if (slots == 0) {
            detach();
        }
    }

    private void detach() {
        if (pendingUprobeDetach != null) {
            pendingUprobeDetach.cancel(false);
            pendingUprobeDetach = null;
        }
        object.detachAll();
        memory.clearProcessFilter();
    }

    /**
     * Counts JVM events for the slot (jvm.bpf.h), attaching HotSpot's USDT probes in this JVM's
     * libjvm.so if no other slot has: each probe site traps (about a microsecond) in every thread of
     * the JVM that passes it while attached, so only tests that ask pay for them.
     *
     * @return why contended monitor enters are not counted, or null when they are
     * @throws TracingUnavailableException when the probes cannot be attached (no libjvm.so, no
     *                                     USDT notes in it, the kernel refused), saying why and what to do
     */
    synchronized String countJvmEvents(int slot) {
        if (jvmSlot[slot]) {
            return monitorsNotCounted;
        }
        String refusal = refused.get(ProbeFamily.JVM_EVENTS);
        if (refusal != null) {
            throw new TracingUnavailableException("JVM events cannot be counted: " + refusal);
        }
        if (pendingJvmDetach != null) {
            pendingJvmDetach.cancel(false);
            pendingJvmDetach = null;
        }
        if (jvmLinks.isEmpty()) {
            attachJvmProbes();
        }
        jvmSlot[slot] = true;
        jvmSlots++;
        memory.setJvmEvents(slot, true);
        return monitorsNotCounted;
    }

    private void attachJvmProbes() {
        String library = JvmProbes.library();
        String noProbes = JvmProbes.whyNoProbes(library);
        if (noProbes != null) {
            throw new TracingUnavailableException("JVM events cannot be counted: " + noProbes);
        }
        String monitors = JvmProbes.whyNoMonitorProbes();
        int pid = (int) ProcessHandle.current().pid();
        try {
            // Ends first: a begin seen without its end would be timed from a stale start (jvm.bpf.h).
            for (JvmEvent event : JvmEvent.values()) {
                if (event.end != null) {
                    jvmLinks.add(object.attachUsdt("jvm_end_event", pid, library, event.provider, event.end, event.ordinal()));
                }
            }
            for (JvmEvent event : JvmEvent.values()) {
                if (event == JvmEvent.MONITOR && monitors != null) {
                    continue; // it would never fire: its probes are off in this JVM
                }
                jvmLinks.add(object.attachUsdt(event.beginProgram(), pid, library, event.provider, event.begin, event.ordinal()));
            }
        } catch (IllegalStateException e) {
            detachJvmProbes();
            throw new TracingUnavailableException("JVM events cannot be counted: "
                    + Capabilities.explain(Capabilities.ProbeKind.USDT, e.getMessage()), e);
        }
        monitorsNotCounted = monitors;
    }

    private void scheduleJvmDetach() {
        if (detachDelay.isZero()) {
            detachJvmProbes();
        } else {
            pendingJvmDetach = detacher().schedule(this::detachJvmProbesIfUnused, detachDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * On the detach thread. The links are closed outside the monitor: each close waits for every
     * CPU (about 100 ms here), and the next test's slot must not wait for that.
     */
    private void detachJvmProbesIfUnused() {
        List<BpfLink> unused;
        synchronized (this) {
            if (jvmSlots > 0) {
                return;
            }
            unused = new ArrayList<>(jvmLinks);
            jvmLinks.clear();
        }
        for (int i = unused.size() - 1; i >= 0; i--) {
            unused.get(i).close();
        }
    }

    private void detachJvmProbes() {
        // begins first (attached last): an end never misses the begin it pairs with
        for (int i = jvmLinks.size() - 1; i >= 0; i--) {
            jvmLinks.get(i).close();
        }
        jvmLinks.clear();
    }

    /** Whether HotSpot's USDT probes are attached (JVM events). */
    synchronized boolean jvmProbesAttached() {
        return !jvmLinks.isEmpty();
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
        String refusal = refused.get(ProbeFamily.NATIVE_ALLOCATIONS);
        if (refusal != null) {
            throw new TracingUnavailableException("native allocations cannot be counted: " + refusal);
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
        memory.setNativeAllocations(slot, true);
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
            // since Linux 6.16 a uprobe needs CAP_SYS_ADMIN: CAP_BPF and CAP_PERFMON get EACCES here
            throw new TracingUnavailableException("native allocations cannot be counted: "
                    + Capabilities.explain(Capabilities.ProbeKind.UPROBE, e.getMessage()), e);
        }
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

    /** Runs {@code task} on the {@code kerneltrace-detach} thread, off the test's thread. */
    synchronized void detachLater(Runnable task) {
        detacher().execute(task);
    }

    DeclaredAttachments declared() {
        return declared;
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

    /** The file the uprobes go into: the one that defines this process's {@code malloc}. */
    synchronized String allocatorLibrary() {
        if (allocatorLibrary == null) {
            allocatorLibrary = NativeAllocator.libraryPath();
        }
        return allocatorLibrary;
    }

    synchronized void setDetachDelay(Duration delay) {
        detachDelay = delay;
    }

    synchronized Duration detachDelay() {
        return detachDelay;
    }

    synchronized boolean attached() {
        return object.attached();
    }

    synchronized boolean uprobesAttached() {
        return object.uprobesAttached();
    }

    /** The attach mode of a loaded tracepoint family, or null if the kernel refused it. */
    synchronized String attachMode(ProbeFamily family) {
        return attachModes.get(family);
    }

    /** The families the kernel refused so far (at load, or at the first attach), each with the reason. */
    synchronized Map<ProbeFamily, String> refused() {
        return refused.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(refused));
    }

    /** Test seam: attach {@code program} to the raw tracepoint {@code tracepoint} instead (at the next attach). */
    synchronized void retarget(String program, String tracepoint) {
        retargeted.put(program, tracepoint);
    }
}
