package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * The statistical rule for times against scripted repetitions: what is recorded, a slower call
 * failing with medians, a small slow-down or noise passing, a faster call reported, and too few
 * repetitions reported as not gated.
 */
class TimeBaselineTest {

    static final ScriptedBackend BACKEND = new ScriptedBackend();

    /** clock_nanosleep latencies of five repetitions of unchanged code: about 1 ms. */
    static final long[] ONE_MS = {1_001_000, 1_012_000, 998_000, 1_020_000, 1_005_000};

    @TempDir
    Path directory;

    @Test
    void updateRecordsTheTimesARuleAsksForWithEveryRepetition() throws IOException {
        Path file = record();

        String text = Files.readString(file);
        // bucket values of the latency histograms: 1 ms is kept to 3 significant digits
        assertThat(text).containsPattern("\nsleeps\\(\\) :: syscalls\\.clock_nanosleep\\.latencyNanos\\.p50 = 100\\d{4}"
                        + " samples 100\\d{4},101\\d{4},99\\d{4},102\\d{4},100\\d{4} slower 50% p 0.01\n")
                .contains("\nsleeps() :: syscalls.write.count = 1 exact\n")
                // no time is recorded unless a rule asks for it (write was timed: 1 µs each)
                .doesNotContain("syscalls.write.latencyNanos")
                .containsPattern("\nsleeps\\(\\) :: syscalls\\.clock_nanosleep\\.latencyNanos\\.p99 = \\d+ samples [\\d,]+ slower 100% p 0.05\n")
                .doesNotContain("latencyNanos.p90");
    }

    @Test
    void unchangedTimesPassAndATwoTimesSlowerCallFailsWithTheMedians() throws IOException {
        Path file = record();

        script(1_003_000, 995_000, 1_015_000, 1_008_000, 999_000);
        EngineExecutionResults unchanged = run("compare");
        assertThat(status(unchanged)).isEqualTo(Status.SUCCESSFUL);
        assertThat(notes(unchanged)).isEmpty();

        script(2_010_000, 1_990_000, 2_030_000, 2_002_000, 2_015_000);
        Throwable failure = Fixtures.throwableOf(run("compare").testEvents(), "sleeps");
        assertThat(failure).isInstanceOf(KernelLimitExceededError.class).hasMessageStartingWith("""
                KernelTrace baseline regressions in Timed.sleeps() [scope TEST]:
                  - syscalls.clock_nanosleep.latencyNanos.p50: median 1.01ms → 2.02ms (+100.0%, 5 and 5 repetitions, p = 0.0040, slower 50% p 0.01)
                  - syscalls.clock_nanosleep.latencyNanos.p99: median 1.01ms → 2.02ms (+100.0%, 5 and 5 repetitions, p = 0.0040, slower 100% p 0.05)
                Baseline FILE: if the increase is intended, record the baseline again with -Dkerneltrace.baseline=update
                """.replace("FILE", file.toString()));
    }

    @Test
    void aSlowDownBelowTheEffectSizePassesHoweverSignificant() {
        record();
        script(1_301_000, 1_312_000, 1_298_000, 1_320_000, 1_305_000); // +30%, every repetition slower

        EngineExecutionResults results = run("compare");

        assertThat(status(results)).isEqualTo(Status.SUCCESSFUL);
        assertThat(notes(results)).isEmpty();
    }

    @Test
    void aLargeButNotSignificantSlowDownPasses() {
        record();
        // the median doubles, but two repetitions are as fast as before: U = 17 of 25, p = 0.21 (SciPy), above both alphas
        script(999_000, 2_010_000, 1_000_000, 2_030_000, 2_015_000);

        assertThat(status(run("compare"))).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void aFasterCallPassesAndSaysTheBaselineCanBeTightened() {
        record();
        script(401_000, 398_000, 405_000, 402_000, 399_000);

        EngineExecutionResults results = run("compare");

        assertThat(status(results)).isEqualTo(Status.SUCCESSFUL);
        assertThat(notes(results)).singleElement().asString().startsWith("baseline can be tightened:"
                + " syscalls.clock_nanosleep.latencyNanos.p50: median 1.01ms → 401us (-60.2%, 5 and 5 repetitions, p = 0.0040, slower 50% p 0.01);");
    }

    @Test
    void fewerThanFiveRepetitionsAreNotGatedAndSaySo() throws IOException {
        Path file = directory.resolve(TimedThrice.class.getName() + ".baseline");
        script(1_000_000, 1_000_000, 1_000_000);
        Fixtures.run(TimedThrice.class, Map.of(ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "update"));
        assertThat(Files.readString(file)).as("3 repetitions record no times").doesNotContain("Nanos");
        Files.writeString(file, Files.readString(file) + "sleeps() :: syscalls.clock_nanosleep.latencyNanos.p50 = 1000000"
                + " samples 1000000,1000000,1000000,1000000,1000000 slower 50% p 0.01\n");
        script(5_000_000, 5_000_000, 5_000_000);

        EngineExecutionResults results = Fixtures.run(TimedThrice.class, Map.of(ClassBaseline.DIRECTORY, directory.toString()));

        assertThat(status(results)).isEqualTo(Status.SUCCESSFUL);
        assertThat(notes(results)).containsExactly("not gated: syscalls.clock_nanosleep.latencyNanos.p50:"
                + " times need repetitions >= 5 to be gated (5 in the baseline, 3 here)");
    }

    private Path record() {
        script(ONE_MS);
        assertThat(status(run("update"))).as("recording").isEqualTo(Status.SUCCESSFUL);
        return directory.resolve(Timed.class.getName() + ".baseline");
    }

    private static void script(long... sleepNanos) {
        BACKEND.script(LongStream.of(sleepNanos).mapToObj(nanos -> ScriptedBackend.writesAndSleep(1, nanos))
                .map(KernelMetrics.class::cast).toList());
    }

    private EngineExecutionResults run(String mode) {
        return Fixtures.run(Timed.class, Map.of(ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, mode));
    }

    private static Status status(EngineExecutionResults results) {
        return Fixtures.statusOf(results.testEvents(), "sleeps");
    }

    private static List<String> notes(EngineExecutionResults results) {
        return results.testEvents().reportingEntryPublished()
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(ClassBaseline.REPORT_KEY))
                .filter(note -> note != null)
                .toList();
    }

    @Tag("fixture")
    @KernelTrace(repetitions = 5)
    @BaselineTolerance(metric = "syscalls.clock_nanosleep.latencyNanos.p50", rule = "slower 50% p 0.01")
    @BaselineTolerance(metric = "syscalls.clock_nanosleep.latencyNanos.p99", rule = "slower 100% p 0.05")
    static class Timed {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);

        @Test
        void sleeps() {
        }
    }

    @Tag("fixture")
    @KernelTrace(repetitions = 3)
    static class TimedThrice {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(BACKEND);

        @Test
        void sleeps() {
        }
    }
}
