package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Warm-ups and repetitions against scripted metrics: how often the method runs and is traced,
 * the median a limit and a baseline see, a failing run, bad values, and the report's block.
 */
class RepetitionsTest {

    static final ScriptedBackend BACKEND = new ScriptedBackend();

    @TempDir
    Path directory;

    @BeforeEach
    void reset() {
        BACKEND.opened.set(0);
        Repeated.beforeEach.set(0);
        Repeated.invocations.set(0);
        Repeated.failOnInvocation = 0;
    }

    @Test
    void warmupsAreDiscardedThenEachRepetitionIsCountedOnItsOwnAroundOneBeforeEach() throws IOException {
        script(7, 7, 1, 1, 1, 1, 1); // the warm-ups' 7 writes would breach the limit of 2

        assertThat(status(run(Map.of(KernelTraceConfiguration.REPORT_DIR, directory.toString())))).isEqualTo(Status.SUCCESSFUL);
        Map<String, Object> report = JsonTree.parse(Files.readString(directory.resolve(Repeated.class.getName() + ".writes.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) JsonTree.at(report, "repetitions.values");
        assertThat(values.get("syscalls.write.count")).isEqualTo(List.of(1L, 1L, 1L, 1L, 1L));
        assertThat(Repeated.invocations).as("2 warm-ups + 5 repetitions").hasValue(7);
        assertThat(BACKEND.opened).as("one counting run per warm-up and per repetition").hasValue(7);
        assertThat(Repeated.beforeEach).hasValue(1);
    }

    @Test
    void aLimitIsCheckedAgainstTheMedianOfTheRepetitions() {
        script(1, 5, 2, 1, 1);
        assertThat(status(run())).as("one repetition of 5 writes, median 1").isEqualTo(Status.SUCCESSFUL);

        script(1, 5, 2, 9, 3);
        assertThat(Fixtures.throwableOf(run().testEvents(), "writes")).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageStartingWith("""
                        KernelTrace limits exceeded in Repeated.writes(KernelTraceSession) [scope TEST]:
                          - write calls: limit 2, measured 3  (@MaxSyscalls(value = 2, syscall = "write"))
                              median of 5 repetitions: 1, 5, 2, 9, 3
                        Top system calls:""");
    }

    @Test
    void theMedianOfAnEvenNumberIsTheLowerMiddleAValueThatWasMeasured() {
        assertThat(Repetitions.median(new long[] {4, 1, 3, 2})).isEqualTo(2);
        assertThat(Repetitions.median(new long[] {7})).isEqualTo(7);
        assertThat(Repetitions.median(new long[] {9, 1, 5})).isEqualTo(5);
    }

    @Test
    void aFailingRepetitionFailsTheTestAtOnceWithItsException() {
        script(1, 1, 1, 1, 1, 1, 1);
        Repeated.failOnInvocation = 4; // the second repetition

        Throwable failure = Fixtures.throwableOf(run().testEvents(), "writes");

        assertThat(failure).isExactlyInstanceOf(IllegalStateException.class).hasMessage("invocation 4");
        assertThat(Repeated.invocations).hasValue(4);
        assertThat(BACKEND.opened).hasValue(4);
    }

    @Test
    void aFailingWarmupFailsTheTestAtOnce() {
        script(1, 1, 1, 1, 1, 1, 1);
        Repeated.failOnInvocation = 1;

        assertThat(Fixtures.throwableOf(run().testEvents(), "writes"))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("invocation 1");
        assertThat(BACKEND.opened).hasValue(1);
        assertThat(Repeated.invocations).hasValue(1);
    }

    @Test
    void noRepetitionsOrNegativeWarmupsAreRefusedNamingTheAnnotationAndTheFix() {
        EngineExecutionResults results = Fixtures.run(BadlyRepeated.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "none")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@KernelTrace(warmups = 0, repetitions = 0) on BadlyRepeated.none(): warmups must be 0 or more"
                        + " and repetitions 1 or more; e.g. @KernelTrace(warmups = 2, repetitions = 5)");
        assertThat(Fixtures.throwableOf(results.testEvents(), "negative")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageStartingWith("@KernelTrace(warmups = -1, repetitions = 5) on BadlyRepeated.negative(): ");
        assertThat(Repeated.invocations).hasValue(0);
    }

    @Test
    void configurationParametersRepeatTestsWhoseAnnotationLeavesTheDefault() {
        script(1, 1, 1, 1, 1, 1, 1, 1, 1); // 3 warm-ups + 6 repetitions
        EngineExecutionResults results = Fixtures.run(Once.class,
                Map.of(Repetitions.WARMUPS, "3", Repetitions.REPETITIONS, "6"));

        assertThat(Fixtures.statusOf(results.testEvents(), "once")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Repeated.invocations).hasValue(9);
        assertThat(Fixtures.throwableOf(Fixtures.run(Once.class, Map.of(Repetitions.REPETITIONS, "none")).testEvents(), "once"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.repetitions = \"none\"; use a whole number, 1 or more");
    }

    @Test
    void theReportListsEachRepetitionsValuesOfTheGatedMetrics() throws IOException {
        script(1, 5, 2, 1, 1);
        run(Map.of(KernelTraceConfiguration.REPORT_DIR, directory.toString()));

        Map<String, Object> report = JsonTree.parse(Files.readString(
                directory.resolve(Repeated.class.getName() + ".writes.json")));
        assertThat(JsonTree.at(report, "repetitions.warmups")).isEqualTo(2L);
        assertThat(JsonTree.at(report, "repetitions.count")).isEqualTo(5L);
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) JsonTree.at(report, "repetitions.values");
        assertThat(values.get("syscalls.write.count")).isEqualTo(List.of(1L, 5L, 2L, 1L, 1L));
        assertThat(values.get("syscalls.clock_nanosleep.latencyNanos.p50")).asList().hasSize(5);
        assertThat(values).doesNotContainKey("syscalls.clock_nanosleep.latencyNanos.p99");
        // the metrics shown are the last repetition's
        assertThat(JsonTree.at(report, "syscalls.write.count")).isEqualTo(1L);
    }

    @Test
    void aBaselineComparesCountsByTheirMedian() throws IOException {
        Map<String, String> update = Map.of(ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "update");
        Map<String, String> compare = Map.of(ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "compare");
        script(1, 5, 2, 1, 1);
        run(update);
        assertThat(Files.readString(directory.resolve(Repeated.class.getName() + ".baseline")))
                .contains("\nwrites(KernelTraceSession) :: syscalls.write.count = 1 exact\n");

        script(2, 1, 2, 1, 2);
        assertThat(Fixtures.throwableOf(run(compare).testEvents(), "writes"))
                .hasMessageContaining("\n  - syscalls.write.count: 1 → 2 (+1, exact)\n");
    }

    /** What the 2 warm-ups (1 write each) and then the 5 repetitions measure. */
    private static void script(long... writes) {
        if (writes.length == 5) {
            writes = LongStream.concat(LongStream.of(1, 1), LongStream.of(writes)).toArray();
        }
        BACKEND.script(LongStream.of(writes).mapToObj(count -> ScriptedBackend.writesAndSleep(count, 1_000_000))
                .map(KernelMetrics.class::cast).toList());
    }

    private static EngineExecutionResults run() {
        return run(Map.of());
    }

    private static EngineExecutionResults run(Map<String, String> configuration) {
        return Fixtures.run(Repeated.class, configuration);
    }

    private static Status status(EngineExecutionResults results) {
        return Fixtures.statusOf(results.testEvents(), "writes");
    }

    @Tag("fixture")
    @KernelTrace(warmups = 2, repetitions = 5)
    @BaselineTolerance(metric = "syscalls.clock_nanosleep.latencyNanos.p50", rule = "slower 50% p 0.01")
    static class Repeated {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);
        static final AtomicInteger beforeEach = new AtomicInteger();
        static final AtomicInteger invocations = new AtomicInteger();
        /** Which run throws, counting warm-ups; 0 for none. */
        static volatile int failOnInvocation;

        @BeforeEach
        void before() {
            beforeEach.incrementAndGet();
        }

        @Test
        @MaxSyscalls(value = 2, syscall = "write")
        void writes(KernelTraceSession session) {
            // the same resolved argument in every run, showing that run's figures, warm-ups included
            assertThat(session.metrics().totalSyscalls()).isPositive();
            int invocation = invocations.incrementAndGet();
            if (invocation == failOnInvocation) {
                throw new IllegalStateException("invocation " + invocation);
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Once {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);

        @Test
        void once() {
            Repeated.invocations.incrementAndGet();
        }
    }

    @Tag("fixture")
    static class BadlyRepeated {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);

        @Test
        @KernelTrace(repetitions = 0)
        void none() {
            Repeated.invocations.incrementAndGet();
        }

        @Test
        @KernelTrace(warmups = -1, repetitions = 5)
        void negative() {
            Repeated.invocations.incrementAndGet();
        }
    }
}
