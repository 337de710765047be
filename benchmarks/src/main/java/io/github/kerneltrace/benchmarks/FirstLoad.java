package io.github.kerneltrace.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.TraceSlot;

/**
 * (d) Time from nothing to counting, in a fresh JVM; run.sh starts it several times and reports
 * medians. Two views, chosen by the argument:
 * <ul>
 *   <li>{@code bare}: a JVM that does nothing else: libbpf through JNA, opening the BPF object,
 *       CO-RE relocation and the verifier, then attaching the programs for the first slot;</li>
 *   <li>{@code junit}: what the first traced test of a run pays: a JUnit run whose first class is
 *       untraced, then an empty {@code @KernelTrace} test, whose duration is printed next to that
 *       of a second, identical traced test (the steady state).</li>
 * </ul>
 * Prints two numbers in milliseconds: load and load+attach (bare), or first and second traced test (junit).
 */
public final class FirstLoad {

    /** Runs first so that JUnit itself is started, as in any real test run. */
    public static class Untraced {
        @Test
        void empty() {
        }
    }

    @KernelTrace
    public static class FirstTraced {
        @Test
        void empty() {
        }
    }

    @KernelTrace
    public static class SecondTraced {
        @Test
        void empty() {
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("junit")) {
            Launcher launcher = LauncherFactory.create();
            run(launcher, Untraced.class);
            double first = run(launcher, FirstTraced.class);
            double second = run(launcher, SecondTraced.class);
            System.out.printf("%.1f %.1f%n", first, second);
            return;
        }
        long start = System.nanoTime();
        KernelTracer tracer = KernelTracer.shared();
        long loaded = System.nanoTime();
        try (TraceSlot slot = tracer.openSlot()) {
            long attached = System.nanoTime();
            System.out.printf("%.1f %.1f%n", (loaded - start) / 1e6, (attached - start) / 1e6);
        }
    }

    /** Runs one class's single test; returns that test's duration in milliseconds as JUnit saw it. */
    private static double run(Launcher launcher, Class<?> testClass) {
        long[] startedAt = new long[1];
        double[] durationMs = {-1};
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(testClass))
                        .configurationParameter("kerneltrace.summary", "false")
                        .configurationParameter("kerneltrace.reportDir", System.getProperty("java.io.tmpdir") + "/kerneltrace-bench")
                        .build(),
                new TestExecutionListener() {
                    @Override
                    public void executionStarted(TestIdentifier test) {
                        if (test.isTest()) {
                            startedAt[0] = System.nanoTime();
                        }
                    }

                    @Override
                    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                        if (test.isTest()) {
                            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                                throw new IllegalStateException(testClass.getSimpleName() + " did not pass: " + result);
                            }
                            durationMs[0] = (System.nanoTime() - startedAt[0]) / 1e6;
                        }
                    }
                });
        if (durationMs[0] < 0) {
            throw new IllegalStateException(testClass.getSimpleName() + " ran no test");
        }
        return durationMs[0];
    }

    private FirstLoad() {
    }
}
