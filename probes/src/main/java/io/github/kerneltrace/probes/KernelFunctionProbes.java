package io.github.kerneltrace.probes;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a declared probe on a kernel function is attached here: kprobe/kretprobe where the kernel
 * has kprobes, else a clear refusal naming what the kernel lacks. The decision is a function of the
 * detection, so it is tested without such a kernel.
 *
 * <p>fentry/fexit is not used: a fentry program names its function when it is loaded, so every
 * declared function would need a program (and object) of its own, against the one generic program
 * per kind that every declared probe shares. (On the machines KernelTrace is developed on, a fentry
 * program fails to attach with EPERM anyway.)
 */
final class KernelFunctionProbes {

    /** Where the kernel lists its kprobe PMU; absent when it is built without CONFIG_KPROBES. */
    static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe");

    private KernelFunctionProbes() {
    }

    /** Whether this kernel has kprobes. Never trust kallsyms or available_filter_functions: they list functions without. */
    static boolean kernelHasKprobes() {
        return Files.isDirectory(KPROBE_PMU);
    }

    /**
     * Null when a kprobe on {@code function} can be attached, else why not and what to do.
     *
     * @param kprobes whether the kernel has kprobes ({@link #kernelHasKprobes()})
     */
    static String refusal(String function, boolean kprobes) {
        if (kprobes) {
            return null;
        }
        return "this kernel has no kprobes (" + KPROBE_PMU + " is missing: it was built without CONFIG_KPROBES), so the"
                + " kernel function " + function + " cannot be probed (fentry/fexit, the other way, needs a program"
                + " loaded per function, which declared probes do not do); declare a @TracepointProbe on a tracepoint"
                + " near it instead (the kernel's tracepoints are listed in /sys/kernel/tracing/available_events)";
    }
}
