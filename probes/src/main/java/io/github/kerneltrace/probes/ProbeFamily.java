package io.github.kerneltrace.probes;

import java.util.List;

/**
 * The BPF programs grouped by the metrics they produce, so that the kernel refusing one group
 * leaves the others working. Tracepoint programs are named {@code <attach mode>_<hook>}
 * ({@code tp_btf_sys_enter}, {@code raw_tp_sys_enter}); the allocator's uprobes by their own names.
 */
public enum ProbeFamily {

    /**
     * System calls, and what every other family stands on: the thread filter, the identity
     * request, the canary at a window's start, following children and exits (and letting go of a
     * child that turns out to be a worker of the pool that runs tests), and setting apart the calls
     * signal handlers make. Without it nothing is traced.
     */
    SYSCALLS("system calls", true, List.of("sys_enter", "sys_exit", "fork", "exit", "rename", "signal_deliver")),

    /** Context switches, wake-ups, migrations, on/off-CPU time and run-queue latency; hand-offs to pool threads. */
    SCHEDULER("scheduler", true, List.of("sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_waking", "sched_migrate")),

    /** The uprobes on the C library's allocator (native allocations), attached only for tests that ask. */
    NATIVE_ALLOCATIONS("native allocations", false, List.of("allocator_exit", "malloc_enter", "calloc_enter",
            "realloc_enter", "free_enter", "posix_memalign_enter", "aligned_alloc_enter")),

    /**
     * The generic programs behind the probes a test declares (uprobes, kprobes, USDT, classic tracepoints),
     * attached only for such tests, one link per declaration (see {@link DeclaredProbe}).
     */
    DECLARED_PROBES("declared probes", false, java.util.stream.Stream.concat(
            java.util.stream.Stream.of("declared_uprobe", "declared_uretprobe", "declared_kprobe", "declared_kretprobe", "declared_usdt"),
            java.util.stream.IntStream.range(0, SlotLayout.MAX_DECLARED_PROBES).mapToObj(copy -> "declared_tracepoint_" + copy))
            .toList()),

    /**
     * HotSpot's USDT probe thread__stop: the heap of a test's threads that end before the test does
     * (ExitedThreadHeap). Without it they are reported as not counted.
     */
    EXITED_THREAD_HEAP("heap of ended threads", false, List.of(ExitedThreadHeap.PROGRAM)),

    /** HotSpot's USDT probes in libjvm.so (GC pauses, safepoints, parks, sleeps...), attached only for tests that ask. */
    JVM_EVENTS("JVM events", false, List.of("jvm_gc_begin", "jvm_begin_event", "jvm_end_event", "jvm_single_event"));

    private final String description;
    private final boolean tracepoints;
    private final List<String> programs;

    ProbeFamily(String description, boolean tracepoints, List<String> programs) {
        this.description = description;
        this.tracepoints = tracepoints;
        this.programs = programs;
    }

    /** What the family measures, for messages: "the scheduler programs ...". */
    public String description() {
        return description;
    }

    /** Whether the family hooks tracepoints (and so has a tp_btf and a raw_tp variant of each program). */
    boolean tracepoints() {
        return tracepoints;
    }

    /** Whether the rest of tracing stands on this family: if the kernel refuses it, nothing is traced. */
    boolean essential() {
        return this == SYSCALLS;
    }

    /** The family's program names in the object, for the given attach mode (ignored for uprobes). */
    List<String> programs(String attachMode) {
        return tracepoints ? programs.stream().map(hook -> attachMode + "_" + hook).toList() : programs;
    }

    /** The family a program of the object belongs to, or null for a program of no family. */
    static ProbeFamily of(String program) {
        for (ProbeFamily family : values()) {
            for (String name : family.programs) {
                if (program.equals(name) || program.equals("tp_btf_" + name) || program.equals("raw_tp_" + name)) {
                    return family;
                }
            }
        }
        return null;
    }

    /** The attach mode of a tracepoint program's name ({@code tp_btf} or {@code raw_tp}), or null. */
    static String attachModeOf(String program) {
        return program.startsWith("tp_btf_") ? "tp_btf" : program.startsWith("raw_tp_") ? "raw_tp" : null;
    }
}
