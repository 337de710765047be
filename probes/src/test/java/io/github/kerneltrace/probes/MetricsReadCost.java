package io.github.kerneltrace.probes;

import java.util.Arrays;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * What reading a slot's metrics and closing it cost per test, the way a suite pays it: in a fresh
 * JVM, each traced "test" a few system calls long, the first {@code tests} of them (cold code, not
 * a warmed-up loop). Not a JUnit test: run it in fresh JVMs, alternating the builds compared,
 * <pre>
 * mvn -B -o -q test-compile -pl probes -am
 * java -cp probes/target/classes:probes/target/test-classes:$(cat cp.txt) \
 *     io.github.kerneltrace.probes.MetricsReadCost 500
 * </pre>
 * ({@code cp.txt} from {@code mvn -o -q dependency:build-classpath -pl probes -Dmdep.outputFile=cp.txt}).
 * Prints microseconds per test for metrics() (wall clock, and the thread's CPU time, which other
 * processes' load disturbs less) and close(); then the same read warm.
 */
public final class MetricsReadCost {

    private MetricsReadCost() {
    }

    public static void main(String[] args) {
        int tests = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        KernelTracer tracer = KernelTracer.shared();
        long[] metricsNanos = new long[tests];
        long[] metricsCpuNanos = new long[tests];
        long[] closeNanos = new long[tests];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < tests; i++) {
            TraceSlot slot = tracer.openSlot();
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            LibC.INSTANCE.getppid();
            LibC.INSTANCE.getpid();
            slot.stop();
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long before = System.nanoTime();
            if (slot.metrics().syscall("getppid").count() != 1) {
                throw new AssertionError("getppid was not counted once: the harness measures nothing");
            }
            long between = System.nanoTime();
            metricsCpuNanos[i] = threads.getCurrentThreadCpuTime() - cpuBefore;
            slot.close();
            long after = System.nanoTime();
            metricsNanos[i] = between - before;
            closeNanos[i] = after - between;
        }
        System.out.printf("%d tests, µs per test: metrics() median %.1f mean %.1f (CPU time median %.1f); close() median %.1f"
                + " mean %.1f%n", tests, median(metricsNanos) / 1e3, mean(metricsNanos) / 1e3, median(metricsCpuNanos) / 1e3,
                median(closeNanos) / 1e3, mean(closeNanos) / 1e3);
        warm(tracer, tests);
    }

    /** The same read once warm, to tell the kernel's share (the hashes still read) from the cold code's. */
    private static void warm(KernelTracer tracer, int reads) {
        long[] nanos = new long[reads];
        try (TraceSlot slot = tracer.openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            LibC.INSTANCE.getppid();
            slot.stop();
            for (int i = 0; i < reads * 4; i++) {
                long before = System.nanoTime();
                slot.metrics();
                nanos[i % reads] = System.nanoTime() - before;
            }
        }
        System.out.printf("warm, after %d reads: metrics() median %.1f µs%n", reads * 3, median(nanos) / 1e3);
    }

    static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double mean(long[] values) {
        return Arrays.stream(values).average().orElse(0);
    }
}
