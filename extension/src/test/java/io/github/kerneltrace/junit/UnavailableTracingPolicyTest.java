package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.TestAbortedException;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * Where tracing cannot run, a traced test is skipped with the reason, or fails with it when
 * {@code kerneltrace.require=true}; it never passes untraced. Unavailability is simulated with a
 * stand-in backend (the real path, with dropped capabilities, is tested in a separate JVM).
 */
class UnavailableTracingPolicyTest {

    private static final String REASON = "tracing needs root or CAP_BPF+CAP_PERFMON; this JVM has neither";

    @Test
    void skipsWithTheReasonByDefault() {
        EngineExecutionResults results = Fixtures.run(CannotTrace.class);

        results.testEvents().assertStatistics(stats -> stats.started(1).aborted(1).succeeded(0).failed(0));
        Throwable skipped = Fixtures.throwableOf(results.testEvents(), "traced");
        assertThat(skipped).isInstanceOf(TestAbortedException.class)
                .hasMessage("KernelTrace cannot trace here: " + REASON + ". The test is skipped;"
                        + " set kerneltrace.require=true to fail instead.");
        assertThat(CannotTrace.ran).as("the test body must not run untraced").isFalse();
    }

    @Test
    void failsWithTheReasonWhenRequired() {
        EngineExecutionResults results = Fixtures.run(CannotTrace.class, Map.of("kerneltrace.require", "true"));

        results.testEvents().assertStatistics(stats -> stats.started(1).failed(1).aborted(0).succeeded(0));
        Throwable failure = Fixtures.throwableOf(results.testEvents(), "traced");
        assertThat(failure).isInstanceOf(TracingUnavailableException.class)
                .as("one short line per test: the fix is printed once per JVM")
                .hasMessage("KernelTrace cannot trace here: " + REASON + ". The test fails because kerneltrace.require=true.");
    }

    @Test
    void aFailureToOpenTheTracerIsHandledLikeUnavailability() {
        EngineExecutionResults results = Fixtures.run(TracerRefuses.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "traced")).isEqualTo(Status.ABORTED);
        assertThat(Fixtures.throwableOf(results.testEvents(), "traced"))
                .hasMessageStartingWith("KernelTrace cannot trace here: the kernel refused the programs. ");
    }

    @Test
    void aTestWhoseThreadTheProgramsDoNotSeeIsSkippedUnrunNeverPassed() {
        int closedBefore = ThreadNotSeen.BACKEND.closed.get();
        EngineExecutionResults results = Fixtures.run(ThreadNotSeen.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "traced")).isEqualTo(Status.ABORTED);
        assertThat(Fixtures.throwableOf(results.testEvents(), "traced")).isInstanceOf(TestAbortedException.class)
                .hasMessage("KernelTrace cannot trace here: " + FakeTracingBackend.NotSeeingTheThread.REASON
                        + ". The test is skipped; set kerneltrace.require=true to fail instead.");
        assertThat(ThreadNotSeen.ran).as("the test body must not run untraced").isFalse();
        assertThat(ThreadNotSeen.BACKEND.closed).as("the slot is given back").hasValue(closedBefore + 1);
    }

    @Test
    void aTestWhoseThreadTheProgramsDoNotSeeFailsWhenRequired() {
        EngineExecutionResults results = Fixtures.run(ThreadNotSeen.class, Map.of("kerneltrace.require", "true"));

        assertThat(Fixtures.statusOf(results.testEvents(), "traced")).isEqualTo(Status.FAILED);
        assertThat(Fixtures.throwableOf(results.testEvents(), "traced")).isInstanceOf(TracingUnavailableException.class)
                .hasMessage("KernelTrace cannot trace here: " + FakeTracingBackend.NotSeeingTheThread.REASON
                        + ". The test fails because kerneltrace.require=true.");
    }

    @Test
    void rejectsAMalformedRequireFlag() {
        EngineExecutionResults results = Fixtures.run(CannotTrace.class, Map.of("kerneltrace.require", "yes"));

        assertThat(Fixtures.throwableOf(results.testEvents(), "traced"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.require = \"yes\"; use true or false");
    }

    @Test
    void rejectsAnUnknownCallSitesSettingAndABadTop() {
        assertThat(Fixtures.throwableOf(Fixtures.run(CannotTrace.class, Map.of("kerneltrace.callSites", "always"))
                .testEvents(), "traced"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.callSites = \"always\"; use onFailure or off");
        assertThat(Fixtures.throwableOf(Fixtures.run(CannotTrace.class, Map.of("kerneltrace.callSites.top", "0"))
                .testEvents(), "traced"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.callSites.top = \"0\"; use a whole number of at least 1");
    }

    @Test
    void messageEndsWithOnePeriodWhateverTheReason() {
        assertThat(TracingUnavailable.message("no BTF.", false))
                .startsWith("KernelTrace cannot trace here: no BTF. The test is skipped");
    }

    @Test
    void theFirstUntracedTestPrintsTheReasonAndTheFixOnceAndTheEndOfTheRunCountsThem() {
        TracingUnavailable.summarize(new PrintStream(OutputStream.nullOutputStream())); // what earlier tests left
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Fixtures.run(CannotTraceTwice.class, Map.of("kerneltrace.summary", "true"));
        } finally {
            System.setOut(console);
        }
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        TracingUnavailable.summarize(new PrintStream(summary, true, StandardCharsets.UTF_8));

        assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(REASON)))
                .singleElement().asString()
                .startsWith("[kerneltrace] KernelTrace cannot trace here: " + REASON + ". The test is skipped")
                .contains("CAP_BPF and CAP_PERFMON").contains("docs/troubleshooting.md");
        assertThat(summary.toString(StandardCharsets.UTF_8))
                .isEqualTo("[kerneltrace] 2 traced tests were skipped because KernelTrace could not trace here: " + REASON + "."
                        + System.lineSeparator());
    }

    @Tag("fixture")
    @KernelTrace
    static class CannotTrace {

        static volatile boolean ran;

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.unavailable(REASON));

        @Test
        void traced() {
            ran = true;
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class ThreadNotSeen {

        static volatile boolean ran;

        static final FakeTracingBackend.NotSeeingTheThread BACKEND = new FakeTracingBackend.NotSeeingTheThread();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);

        @Test
        void traced() {
            ran = true;
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class CannotTraceTwice {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.unavailable(REASON));

        @Test
        void first() {
        }

        @Test
        void second() {
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class TracerRefuses {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(new FakeTracingBackend.Refusing());

        @Test
        void traced() {
        }
    }
}
