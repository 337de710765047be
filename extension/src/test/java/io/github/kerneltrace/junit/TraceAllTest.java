package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * {@code kerneltrace.traceAll=true} with JUnit's extension autodetection traces the tests that carry
 * no KernelTrace annotation ({@link KernelTraceAutodetected}); without it, autodetection alone traces
 * nothing. Where tracing cannot run, those tests run untraced after one line, unless tracing is required.
 */
class TraceAllTest {

    private static final String AUTODETECTION = "junit.jupiter.extensions.autodetection.enabled";
    private static final String REASON = "tracing needs root or CAP_BPF+CAP_PERFMON; this JVM has neither";

    @Tag("fixture")
    static class Unannotated {

        static final AtomicInteger RUNS = new AtomicInteger();

        @Test
        void writesThree() throws IOException {
            RUNS.incrementAndGet();
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                devNull.write(1);
                devNull.write(2);
                devNull.write(3);
            }
        }

        @Test
        @MaxSyscalls(value = 5, syscall = "write")
        void annotated() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                devNull.write(1);
            }
        }
    }

    @Test
    void traceAllTracesTestsWithoutAnnotations(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();

        EngineExecutionResults results = Fixtures.run(Unannotated.class, Map.of(AUTODETECTION, "true",
                KernelTraceAutodetected.TRACE_ALL, "true", "kerneltrace.require", "true",
                "kerneltrace.reportDir", reports.toString()));

        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        Map<String, Object> report = JsonTree.parse(Files.readString(RealKernel.report(reports, Unannotated.class, "writesThree")));
        assertThat(JsonTree.at(report, "syscalls.write.count")).isEqualTo(3L);
        assertThat(JsonTree.at(report, "totals.bytesWritten")).isEqualTo(3L);
        Map<String, Object> annotated = JsonTree.parse(Files.readString(RealKernel.report(reports, Unannotated.class, "annotated")));
        assertThat(JsonTree.at(annotated, "syscalls.write.count")).as("traced once, by its own extension").isEqualTo(1L);
        assertThat(annotated.get("limits")).asList().hasSize(1);
    }

    /**
     * The one switch as a build runs it: a launcher session (whose listeners are found through
     * META-INF/services, as under Surefire) with only the system property kerneltrace.traceAll.
     */
    @Test
    void theTraceAllSystemPropertyAloneTracesTestsWithoutAnnotations(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();
        Properties saved = (Properties) System.getProperties().clone();
        System.clearProperty(AUTODETECTION);
        System.setProperty(KernelTraceAutodetected.TRACE_ALL, "true");
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        try (LauncherSession session = LauncherFactory.openSession()) {
            session.getLauncher().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(Unannotated.class))
                    .configurationParameter("kerneltrace.reportDir", reports.toString())
                    .configurationParameter("kerneltrace.summary", "false")
                    .configurationParameter("kerneltrace.require", "true")
                    .build(), listener);
        } finally {
            System.setProperties(saved);
        }

        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsSucceededCount()).as("both tests passed").isEqualTo(2);
        Map<String, Object> report = JsonTree.parse(Files.readString(RealKernel.report(reports, Unannotated.class, "writesThree")));
        assertThat(JsonTree.at(report, "syscalls.write.count")).isEqualTo(3L);
    }

    @Test
    void withoutTraceAllOnlyAnnotatedTestsAreTraced(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();

        for (Map<String, String> configuration : List.of(Map.of(AUTODETECTION, "true"),
                Map.of(AUTODETECTION, "true", KernelTraceAutodetected.TRACE_ALL, "false"),
                Map.of(KernelTraceAutodetected.TRACE_ALL, "true"))) {
            Map<String, String> withReports = new HashMap<>(configuration);
            withReports.put("kerneltrace.reportDir", reports.toString());
            int runsBefore = Unannotated.RUNS.get();

            Fixtures.run(Unannotated.class, withReports).testEvents()
                    .assertStatistics(stats -> stats.started(2).succeeded(2));

            assertThat(RealKernel.reports(reports, Unannotated.class, "writesThree")).as(configuration.toString()).isEmpty();
            assertThat(RealKernel.reports(reports, Unannotated.class, "annotated")).as(configuration.toString()).hasSize(1);
            assertThat(Unannotated.RUNS.get()).as("ran, untraced").isEqualTo(runsBefore + 1);
        }
    }

    @Tag("fixture")
    static class CannotTrace {

        static final AtomicInteger UNANNOTATED_RUNS = new AtomicInteger();
        static final AtomicInteger ANNOTATED_RUNS = new AtomicInteger();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.unavailable(REASON));

        @Test
        void first() {
            UNANNOTATED_RUNS.incrementAndGet();
        }

        @Test
        void second() {
            UNANNOTATED_RUNS.incrementAndGet();
        }

        @Test
        @KernelTrace
        void annotated() {
            ANNOTATED_RUNS.incrementAndGet();
        }

        @Test
        void assumesOtherwise() {
            UNANNOTATED_RUNS.incrementAndGet();
            Assumptions.abort("the test's own reason");
        }
    }

    @Test
    void whereTracingCannotRunUnannotatedTestsRunUntracedAfterOneLine() {
        TracingUnavailable.summarize(new PrintStream(OutputStream.nullOutputStream())); // what earlier tests left
        int unannotatedBefore = CannotTrace.UNANNOTATED_RUNS.get();
        int annotatedBefore = CannotTrace.ANNOTATED_RUNS.get();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        EngineExecutionResults results;
        try {
            results = Fixtures.run(CannotTrace.class, Map.of(AUTODETECTION, "true",
                    KernelTraceAutodetected.TRACE_ALL, "true", "kerneltrace.summary", "true"));
        } finally {
            System.setOut(console);
        }

        assertThat(Fixtures.statusOf(results.testEvents(), "first")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Fixtures.statusOf(results.testEvents(), "second")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Fixtures.statusOf(results.testEvents(), "annotated")).as("asked to be traced: skipped as always")
                .isEqualTo(Status.ABORTED);
        assertThat(Fixtures.throwableOf(results.testEvents(), "assumesOtherwise")).hasMessage("the test's own reason");
        assertThat(CannotTrace.UNANNOTATED_RUNS.get()).as("each unannotated test ran once").isEqualTo(unannotatedBefore + 3);
        assertThat(CannotTrace.ANNOTATED_RUNS.get()).isEqualTo(annotatedBefore);
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("without KernelTrace annotations")))
                .singleElement().asString()
                .isEqualTo("[kerneltrace] KernelTrace cannot trace here: " + REASON + ". Tests without KernelTrace annotations"
                        + " run untraced (kerneltrace.traceAll=true); set kerneltrace.require=true to fail them instead."
                        + " Tracing needs Linux with BTF (/sys/kernel/btf/vmlinux), libbpf.so.1 (package libbpf1) and root,"
                        + " or CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN too for native allocations); in a container, see"
                        + " docs/troubleshooting.md.");
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        TracingUnavailable.summarize(new PrintStream(summary, true, StandardCharsets.UTF_8));
        assertThat(summary.toString(StandardCharsets.UTF_8)).as("only the annotated test counts as not traced")
                .isEqualTo("[kerneltrace] 1 traced test was skipped because KernelTrace could not trace here: " + REASON + "."
                        + System.lineSeparator());
    }

    @Test
    void whereTracingCannotRunAndIsRequiredUnannotatedTestsFail() {
        int before = CannotTrace.UNANNOTATED_RUNS.get();

        EngineExecutionResults results = Fixtures.run(CannotTrace.class, Map.of(AUTODETECTION, "true",
                KernelTraceAutodetected.TRACE_ALL, "true", "kerneltrace.require", "true"));

        assertThat(Fixtures.throwableOf(results.testEvents(), "first")).isInstanceOf(TracingUnavailableException.class)
                .hasMessage("KernelTrace cannot trace here: " + REASON + ". The test fails because kerneltrace.require=true.");
        assertThat(Fixtures.statusOf(results.testEvents(), "annotated")).isEqualTo(Status.FAILED);
        assertThat(CannotTrace.UNANNOTATED_RUNS.get()).as("no test body ran").isEqualTo(before);
    }

    @Tag("fixture")
    static class ThreadNotSeen {

        static final AtomicInteger RUNS = new AtomicInteger();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(new FakeTracingBackend.NotSeeingTheThread());

        @Test
        void unannotated() {
            RUNS.incrementAndGet();
        }
    }

    @Test
    void aTestWhoseThreadTheProgramsDoNotSeeRunsUntracedToo() {
        int before = ThreadNotSeen.RUNS.get();

        EngineExecutionResults results = Fixtures.run(ThreadNotSeen.class, Map.of(AUTODETECTION, "true",
                KernelTraceAutodetected.TRACE_ALL, "true"));

        assertThat(Fixtures.statusOf(results.testEvents(), "unannotated")).isEqualTo(Status.SUCCESSFUL);
        assertThat(ThreadNotSeen.RUNS.get()).isEqualTo(before + 1);
    }

    @Tag("fixture")
    static class RunsTestsOfItsOwn {

        static volatile String innerMessage;

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.CANNED));

        /** Traced only because of traceAll; runs an annotated test that cannot be traced, as a test kit would. */
        @Test
        void runsAnAnnotatedTest() {
            EngineExecutionResults inner = Fixtures.run(UnavailableTracingPolicyTest.CannotTrace.class);
            innerMessage = Fixtures.throwableOf(inner.testEvents(), "traced").getMessage();
        }
    }

    @Test
    void testsRunByATestTracedOnlyByTraceAllAreSkippedAsUsual() {
        RunsTestsOfItsOwn.innerMessage = null;

        EngineExecutionResults results = Fixtures.run(RunsTestsOfItsOwn.class, Map.of(AUTODETECTION, "true",
                KernelTraceAutodetected.TRACE_ALL, "true"));

        assertThat(Fixtures.statusOf(results.testEvents(), "runsAnAnnotatedTest")).isEqualTo(Status.SUCCESSFUL);
        assertThat(RunsTestsOfItsOwn.innerMessage).as("the inner annotated test's own reason, not traceAll's")
                .endsWith("The test is skipped; set kerneltrace.require=true to fail instead.");
    }

    @Test
    void aMalformedTraceAllFailsTheTestsNamingIt() {
        EngineExecutionResults results = Fixtures.run(ThreadNotSeen.class, Map.of(AUTODETECTION, "true",
                KernelTraceAutodetected.TRACE_ALL, "yes"));

        assertThat(Fixtures.throwableOf(results.testEvents(), "unannotated"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.traceAll = \"yes\"; use true or false");
    }
}
