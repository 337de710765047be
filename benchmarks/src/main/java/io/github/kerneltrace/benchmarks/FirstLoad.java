package io.github.kerneltrace.benchmarks;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.TraceSlot;

/**
 * Time from nothing to counting, in a fresh JVM: loading libbpf, opening the BPF object,
 * the verifier, and attaching the programs for the first slot. Prints milliseconds;
 * run.sh starts it several times and reports the median.
 */
public final class FirstLoad {

    public static void main(String[] args) {
        long start = System.nanoTime();
        KernelTracer tracer = KernelTracer.shared();
        long loaded = System.nanoTime();
        try (TraceSlot slot = tracer.openSlot()) {
            long attached = System.nanoTime();
            System.out.printf("%.1f %.1f%n", (loaded - start) / 1e6, (attached - start) / 1e6);
        }
    }

    private FirstLoad() {
    }
}
