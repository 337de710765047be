package io.github.kerneltrace.probes;

import io.github.kerneltrace.probes.libbpf.Libbpf;

/**
 * Whether this JVM can trace, and if not, why — in one sentence that says how to fix it.
 * The final word is an actual load of the BPF programs: the checks before it ({@link Prerequisites})
 * only make the common failures (no libbpf, no BTF, no privileges) say exactly what is missing.
 */
public final class KernelSupport {

    /** Written once under the class lock, read without it (volatile: double-checked). */
    private static volatile KernelSupport detected;

    private final boolean available;
    private final String reason;
    private final String description;
    /** The loaded tracer, whose refused families {@link #describe()} adds; null when unavailable. */
    private final KernelTracer tracer;

    private KernelSupport(boolean available, String reason, String description, KernelTracer tracer) {
        this.available = available;
        this.reason = reason;
        this.description = description;
        this.tracer = tracer;
    }

    /** Detects once per JVM (loading the programs if possible) and remembers the answer. */
    public static KernelSupport detect() {
        KernelSupport result = detected;
        if (result == null) {
            synchronized (KernelSupport.class) {
                result = detected;
                if (result == null) {
                    result = probe();
                    detected = result;
                }
            }
        }
        return result;
    }

    private static KernelSupport probe() {
        String kernel = System.getProperty("os.version");
        try {
            KernelTracer tracer = KernelTracer.shared();
            return new KernelSupport(true, null, "libbpf " + Libbpf.get().version() + ", "
                    + tracer.attachMode() + ", " + System.getProperty("os.arch") + ", kernel " + kernel, tracer);
        } catch (TracingUnavailableException e) {
            return new KernelSupport(false, e.getMessage(), "unavailable: " + e.getMessage(), null);
        } catch (RuntimeException | LinkageError e) {
            // anything else that stops the load is still a reason not to trace, never a crash
            String reason = "loading KernelTrace's BPF programs failed: " + e;
            return new KernelSupport(false, reason, "unavailable: " + reason, null);
        }
    }

    public boolean available() {
        return available;
    }

    /** Why tracing is unavailable, in one sentence; null when available. */
    public String reason() {
        return reason;
    }

    /**
     * What traces here, e.g. {@code "libbpf 1.1, tp_btf, amd64, kernel 6.18.44"}, and each family
     * the kernel refused so far with the reason ({@code "...; without scheduler: the kernel refused ..."}).
     */
    public String describe() {
        if (tracer == null) {
            return description;
        }
        StringBuilder text = new StringBuilder(description);
        tracer.refusedFamilies().forEach((family, why) -> text.append("; without ").append(family.description())
                .append(": ").append(why));
        return text.toString();
    }

    @Override
    public String toString() {
        return available ? "KernelTrace available: " + describe() : "KernelTrace unavailable: " + reason;
    }
}
