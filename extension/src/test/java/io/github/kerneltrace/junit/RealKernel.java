package io.github.kerneltrace.junit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.KernelSupport;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * What the real-kernel tests share: the guard that skips or fails them where tracing cannot run,
 * and the runs of their fixture classes.
 *
 * <p>A fixture class is run <b>once</b> per configuration, however many tests look at it: each run
 * loads, attaches and traces for real, so running the same fixture once per {@code @Test} only
 * multiplied the suite's time. Its tests record what they measured into {@link #MEASURED} and
 * what they observed themselves into {@link #ORACLE}; both are cleared before every run and copied
 * into the {@link Run} after it, so no test ever reads another run's leftovers. Every run asserts
 * how many fixture tests started: a run that executes nothing (a renamed fixture method, a wrong
 * tag, a discovery error) fails instead of leaving the assertions to look at empty maps.
 */
final class RealKernel {

    /** The running fixture's final metrics, by test method name, put there by its {@code @AfterEach}. */
    static final Map<String, KernelMetrics> MEASURED = new ConcurrentHashMap<>();
    /** What the running fixture's tests observed themselves (the oracles), by name. */
    static final Map<String, Object> ORACLE = new ConcurrentHashMap<>();

    /** Every fixture run of this JVM, by fixture class and configuration; guarded by RealKernel.class. */
    private static final Map<List<Object>, Run> RUNS = new HashMap<>();

    private RealKernel() {
    }

    static void requireTracing() {
        KernelSupport support = KernelSupport.detect();
        if (support.available()) {
            return;
        }
        String message = "this test needs real tracing: " + support.reason();
        if (Boolean.parseBoolean(System.getProperty("kerneltrace.require"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
    }

    /**
     * Base of the fixture classes: after each test method, its final metrics go into
     * {@link #MEASURED} under the method's name. (A fixture's own {@code @AfterEach} methods run
     * first; the metrics are final once the method has returned.)
     */
    abstract static class Recorded {

        @AfterEach
        void recordMetrics(TestInfo test, KernelTraceSession session) {
            MEASURED.put(test.getTestMethod().orElseThrow().getName(), session.metrics());
        }
    }

    /** {@link #run(Class, Map, int)} without configuration. */
    static Run run(Class<?> fixture, int tests) {
        return run(fixture, Map.of(), tests);
    }

    /**
     * Runs the fixture class with the configuration parameters, the first time it is asked for;
     * later calls get that same run. Asserts that exactly {@code tests} of its tests started; some
     * may fail on purpose (a breached limit), which the caller checks.
     */
    static synchronized Run run(Class<?> fixture, Map<String, String> configuration, int tests) {
        List<Object> key = List.of(fixture, Map.copyOf(configuration));
        Run run = RUNS.get(key);
        if (run == null) {
            run = execute(fixture, configuration, tests);
            RUNS.put(key, run); // a run that went wrong too: its failure is every caller's, never a second run
        }
        return run.orThrow();
    }

    /** {@link #runSuccessfully(Class, Map, int)} without configuration. */
    static Run runSuccessfully(Class<?> fixture, int tests) {
        return runSuccessfully(fixture, Map.of(), tests);
    }

    /** {@link #run(Class, Map, int)}, and every one of the {@code tests} passed. */
    static Run runSuccessfully(Class<?> fixture, Map<String, String> configuration, int tests) {
        Run run = run(fixture, configuration, tests);
        run.results().testEvents().failed().stream().findFirst().ifPresent(failed -> {
            throw new AssertionError("fixture test failed: " + failed.getTestDescriptor().getDisplayName(),
                    failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null));
        });
        run.results().testEvents().assertStatistics(stats -> stats.started(tests).succeeded(tests).aborted(0).failed(0));
        return run;
    }

    /**
     * The JSON report of one fixture test in {@code directory}: the one file named after the
     * fixture class and the method (whatever distinguishes invocations after that).
     */
    static Path report(Path directory, Class<?> fixture, String methodName) throws IOException {
        List<Path> reports = reports(directory, fixture, methodName);
        if (reports.size() != 1) {
            throw new AssertionError("expected one report " + fixture.getName() + "." + methodName + "….json in "
                    + directory + ", found " + reports);
        }
        return reports.get(0);
    }

    /** Every JSON report of one fixture test in {@code directory} (none for a test that never ran). */
    static List<Path> reports(Path directory, Class<?> fixture, String methodName) throws IOException {
        String prefix = fixture.getName() + "." + methodName;
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString())
                    // the method's own name, not one it begins (writesThree, writesThreeBytes)
                    .filter(name -> name.startsWith(prefix) && name.endsWith(".json")
                            && !Character.isJavaIdentifierPart(name.charAt(prefix.length())))
                    .map(directory::resolve)
                    .toList();
        }
    }

    private static Run execute(Class<?> fixture, Map<String, String> configuration, int tests) {
        MEASURED.clear();
        ORACLE.clear();
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(console, printed), true, StandardCharsets.UTF_8));
        EngineExecutionResults results;
        try {
            results = Fixtures.run(fixture, configuration);
        } finally {
            System.out.flush();
            System.setOut(console);
        }
        Run run = new Run(fixture, results, Map.copyOf(MEASURED), Map.copyOf(ORACLE),
                printed.toString(StandardCharsets.UTF_8), null);
        try {
            results.testEvents().assertStatistics(stats -> stats.started(tests).finished(tests));
        } catch (AssertionError e) {
            return run.failed(new AssertionError(fixture.getSimpleName() + ": expected " + tests
                    + " fixture tests to run; the run was " + results.testEvents().started().count() + " started, "
                    + results.testEvents().skipped().count() + " skipped, "
                    + results.containerEvents().failed().count() + " container failures", e));
        }
        return run;
    }

    /**
     * One run of a fixture class: JUnit's events, what its tests recorded, and what it printed
     * (summary lines, when {@code kerneltrace.summary=true}).
     */
    record Run(Class<?> fixture, EngineExecutionResults results, Map<String, KernelMetrics> measured,
            Map<String, Object> oracles, String output, AssertionError failure) {

        /** The final metrics of the fixture test with this method name. */
        KernelMetrics metrics(String methodName) {
            KernelMetrics metrics = measured.get(methodName);
            if (metrics == null) {
                throw new AssertionError(fixture.getSimpleName() + "." + methodName + " recorded no metrics; recorded: "
                        + measured.keySet());
            }
            return metrics;
        }

        /** What a fixture test observed itself, put into {@link RealKernel#ORACLE} under this name. */
        @SuppressWarnings("unchecked")
        <T> T oracle(String name) {
            Object value = oracles.get(name);
            if (value == null) {
                throw new AssertionError(fixture.getSimpleName() + " recorded no oracle " + name + "; recorded: "
                        + oracles.keySet());
            }
            return (T) value;
        }

        Throwable throwableOf(String methodName) {
            return Fixtures.throwableOf(results.testEvents(), methodName);
        }

        TestExecutionResult.Status statusOf(String methodName) {
            return Fixtures.statusOf(results.testEvents(), methodName);
        }

        private Run failed(AssertionError error) {
            return new Run(fixture, results, measured, oracles, output, error);
        }

        private Run orThrow() {
            if (failure != null) {
                throw failure;
            }
            return this;
        }
    }

    /** Writes to the console and keeps a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final OutputStream copy;

        Tee(OutputStream console, OutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            console.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            console.write(bytes, offset, length);
            copy.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            console.flush();
        }
    }
}
