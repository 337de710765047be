package io.github.kerneltrace.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.MaxSyscalls;

/**
 * (g) What call-site attribution costs, warm, in one JVM. First the same passing traced test with
 * a write limit ({@value #WRITES} one-byte {@code FileOutputStream} writes), run with
 * {@code kerneltrace.callSites=off} and with the default, alternating rounds: a passing test is
 * never recorded, so the two should agree. Then the same test with a limit it breaks: with the
 * default, each failure runs the method once more with the Flight Recorder on, dumps the
 * recording and names the call sites; the difference to {@code off} is the price of a failure.
 * The JVM's first recording start is paid by the warm-up round.
 */
public final class CallSiteOverhead {

    private static final int TESTS = 500;
    private static final int FAILING_TESTS = 50;
    static final int WRITES = 100;

    /** A passing test with a limit: the writes stay within it. */
    @KernelTrace
    public static class WithinLimit {
        @RepeatedTest(TESTS)
        @MaxSyscalls(value = 10 * WRITES, syscall = "write")
        void writes() {
            writeBytes(WRITES);
        }
    }

    /** The same writes over a limit of 1: every run fails and names its call sites. */
    @KernelTrace
    public static class OverLimit {
        @RepeatedTest(FAILING_TESTS)
        @MaxSyscalls(value = 1, syscall = "write")
        void writes() {
            writeBytes(WRITES);
        }
    }

    static void writeBytes(int count) {
        try {
            Path file = Files.createTempFile("kerneltrace-callsites", ".bin");
            try (FileOutputStream out = new FileOutputStream(file.toFile())) {
                for (int i = 0; i < count; i++) {
                    out.write(i);
                }
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        String reportDir = Files.createTempDirectory("kerneltrace-bench").toString();
        Launcher launcher = LauncherFactory.create();
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        run(launcher, WithinLimit.class, "off", TESTS, reportDir); // warm-up: class loading, JIT, first load and attach
        run(launcher, WithinLimit.class, null, TESTS, reportDir); // and the recording's start
        for (int round = 0; round < 5; round++) {
            off.add(run(launcher, WithinLimit.class, "off", TESTS, reportDir));
            on.add(run(launcher, WithinLimit.class, null, TESTS, reportDir));
        }
        double offMs = AlternatingRounds.median(off) / TESTS;
        double onMs = AlternatingRounds.median(on) / TESTS;
        System.out.printf("(g) passing test with a write limit and %d writes, ms per test (median of 5 rounds of %d):"
                + " callSites=off %.3f, default %.3f, difference %.3f ms (%.2f µs per write)%n",
                WRITES, TESTS, offMs, onMs, onMs - offMs, (onMs - offMs) * 1000 / WRITES);
        run(launcher, OverLimit.class, null, FAILING_TESTS, reportDir);
        double failingOn = run(launcher, OverLimit.class, null, FAILING_TESTS, reportDir) / FAILING_TESTS;
        double failingOff = run(launcher, OverLimit.class, "off", FAILING_TESTS, reportDir) / FAILING_TESTS;
        System.out.printf("(g) failing test (limit 1, %d writes), ms per test: callSites=off %.1f, default %.1f"
                + " (reading the recording and naming the call sites: %.1f ms)%n",
                WRITES, failingOff, failingOn, failingOn - failingOff);
    }

    /** Runs one class; returns the wall time in milliseconds, after checking every test ended as it should. */
    private static double run(Launcher launcher, Class<?> testClass, String callSites, int tests, String reportDir) {
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(testClass))
                .configurationParameter("kerneltrace.summary", "false")
                .configurationParameter("kerneltrace.reportDir", reportDir);
        if (callSites != null) {
            builder.configurationParameter("kerneltrace.callSites", callSites);
        }
        LauncherDiscoveryRequest request = builder.build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long start = System.nanoTime();
        launcher.execute(request, listener);
        double ms = (System.nanoTime() - start) / 1e6;
        boolean failing = testClass == OverLimit.class;
        long expected = failing ? listener.getSummary().getTestsFailedCount() : listener.getSummary().getTestsSucceededCount();
        if (expected != tests) {
            throw new IllegalStateException(testClass.getSimpleName() + ": expected " + tests
                    + (failing ? " failing" : " passing") + " tests, got " + expected + " " + listener.getSummary().getFailures());
        }
        return ms;
    }

    private CallSiteOverhead() {
    }
}
