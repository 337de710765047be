package io.github.kerneltrace.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import io.github.kerneltrace.junit.KernelTrace;

/**
 * (c) Fixed cost of {@code @KernelTrace} per test: the same empty test, run many times through the
 * JUnit Platform with and without the annotation, alternating rounds; reports the difference per
 * test (slot, thread registration, start/stop, reading the maps, limits, JSON report).
 * The per-test summary line is switched off so that terminal output is not what is measured.
 */
public final class TestOverhead {

    private static final int TESTS = 2000;

    /** The empty test, untraced. */
    public static class PlainTests {
        @RepeatedTest(TESTS)
        void empty() {
        }
    }

    /** The same empty test, traced with the default scope and no limits. */
    @KernelTrace
    public static class TracedTests {
        @RepeatedTest(TESTS)
        void empty() {
        }
    }

    public static void main(String[] args) throws Exception {
        int tests = TESTS;
        String reportDir = Files.createTempDirectory("kerneltrace-bench").toString();
        Launcher launcher = LauncherFactory.create();
        List<Double> plain = new ArrayList<>();
        List<Double> traced = new ArrayList<>();
        run(launcher, PlainTests.class, tests, reportDir); // warm-up: class loading, JIT, first load and attach
        run(launcher, TracedTests.class, tests, reportDir);
        for (int round = 0; round < 5; round++) {
            plain.add(run(launcher, PlainTests.class, tests, reportDir));
            traced.add(run(launcher, TracedTests.class, tests, reportDir));
        }
        double plainMs = AlternatingRounds.median(plain) / tests;
        double tracedMs = AlternatingRounds.median(traced) / tests;
        System.out.printf("(c) empty test, ms per test (median of 5 rounds of %d): plain %.3f, @KernelTrace %.3f,"
                + " overhead %.3f ms%n", tests, plainMs, tracedMs, tracedMs - plainMs);
    }

    /** Runs {@code tests} repetitions of one class; returns the wall time in milliseconds. */
    private static double run(Launcher launcher, Class<?> testClass, int tests, String reportDir) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass))
                .configurationParameter("kerneltrace.summary", "false")
                .configurationParameter("kerneltrace.reportDir", reportDir)
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long start = System.nanoTime();
        launcher.execute(request, listener);
        double ms = (System.nanoTime() - start) / 1e6;
        if (listener.getSummary().getTestsSucceededCount() != tests) {
            throw new IllegalStateException(testClass.getSimpleName() + ": expected " + tests + " passing tests, got "
                    + listener.getSummary().getTestsSucceededCount() + " " + listener.getSummary().getFailures());
        }
        return ms;
    }

    private TestOverhead() {
    }
}
