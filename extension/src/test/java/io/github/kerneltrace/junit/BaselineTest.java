package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.metrics.Metric;

/**
 * Baselines against fixed metrics (a stand-in backend): each mode and rule, and what a regression,
 * an improvement, a new metric, another environment and a corrupt file do. Every test records the
 * baseline first, as a user would, then edits the line it is about. The real kernel's turn is in
 * {@link RealKernelBaselineTest}.
 */
class BaselineTest {

    @TempDir
    Path directory;

    @Test
    void updateRecordsOneSortedLinePerMetricUnderTheEnvironment() throws IOException {
        Path file = record();

        List<String> lines = Files.readAllLines(file);
        Map<String, String> here = Baseline.environmentHere("fake kernel");
        assertThat(lines.get(0)).isEqualTo("# KernelTrace baseline of " + Baselined.class.getName() + " (docs/baselines.md)");
        assertThat(lines.subList(2, 7)).containsExactly(
                "environment.kernel = " + System.getProperty("os.version"),
                "environment.arch = " + System.getProperty("os.arch"),
                "environment.jdk = " + System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                "environment.libc = " + here.get("libc"),
                "environment.attach = fake kernel");
        // Times are not recorded: they need 5 repetitions, this test runs once.
        assertThat(lines.subList(7, lines.size())).isSorted().contains(
                "writes() :: syscalls.write.count = 3 exact",
                "writes() :: syscalls.write.bytes = 3 exact",
                "writes() :: syscalls.openat.errorsByErrno.ENOENT = 1 exact",
                "writes() :: totals.syscalls = 7 relative 25% min 50",
                "writes() :: totals.bytesWritten = 3 relative 5% min 4096",
                // each invocation by its display name, on one line
                "parameterized(String) [1] one :: syscalls.write.count = 3 exact",
                "parameterized(String) [2] two lines :: syscalls.write.count = 3 exact")
                .noneMatch(line -> line.contains("Nanos"));
        assertThat(here.get("libc")).matches("glibc \\d+\\.\\d+|not glibc");
    }

    @Test
    void anUnchangedTestPassesQuietly() throws IOException {
        record();

        EngineExecutionResults results = run("compare");

        assertThat(Fixtures.statusOf(results.testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        assertThat(baselineNotes(results)).isEmpty();
    }

    @Test
    void compareIsTheDefaultWhenTheClassHasABaselineFile() throws IOException {
        edit(record(), "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 2 exact");

        assertThat(Fixtures.statusOf(Fixtures.run(Baselined.class, configuration(null)).testEvents(), "writes"))
                .isEqualTo(Status.FAILED);
        assertThat(Fixtures.statusOf(run("off").testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void anExactRegressionFailsWithBaselineMeasuredDeltaAndRule() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 2 exact");

        Throwable failure = Fixtures.throwableOf(run("compare").testEvents(), "writes");

        assertThat(failure).isInstanceOf(KernelLimitExceededError.class).hasMessage("""
                KernelTrace baseline regressions in Baselined.writes() [scope TEST]:
                  - syscalls.write.count: 2 → 3 (+1, exact)
                Baseline %s: if the increase is intended, record the baseline again with -Dkerneltrace.baseline=update
                Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1""".formatted(file));
    }

    @Test
    void aSystemCallTheBaselineDoesNotListWasMadeZeroTimes() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.fsync.count = 1 exact\n", "");

        assertThat(Fixtures.throwableOf(run("compare").testEvents(), "writes"))
                .hasMessageContaining("\n  - syscalls.fsync.count: 0 → 1 (+1, exact)\n");
    }

    @Test
    void aRelativeRuleFailsOnlyBeyondBothItsPercentAndItsMinimum() throws IOException {
        Path file = record();
        // 7 against 5: +40%, but only 2 calls more, within the minimum of 3.
        edit(file, "writes() :: totals.syscalls = 7 relative 25% min 50", "writes() :: totals.syscalls = 5 relative 5% min 3");
        assertThat(Fixtures.statusOf(run("compare").testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);

        // 7 against 3: 4 calls more.
        edit(file, "writes() :: totals.syscalls = 5 relative 5% min 3", "writes() :: totals.syscalls = 3 relative 5% min 3");
        assertThat(Fixtures.throwableOf(run("compare").testEvents(), "writes"))
                .hasMessageContaining("\n  - totals.syscalls: 3 → 7 (+4, +133.3%, relative 5% min 3)\n");

        // 7 against 6 with a minimum of 0 and 20%: +16.7% passes.
        edit(file, "writes() :: totals.syscalls = 3 relative 5% min 3", "writes() :: totals.syscalls = 6 relative 20% min 0");
        assertThat(Fixtures.statusOf(run("compare").testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void aMaximumFailsAboveItAndIsNotWorthTighteningBelowIt() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 2 max");
        assertThat(Fixtures.throwableOf(run("compare").testEvents(), "writes"))
                .hasMessageContaining("\n  - syscalls.write.count: 2 → 3 (+1, max)\n");

        edit(file, "writes() :: syscalls.write.count = 2 max", "writes() :: syscalls.write.count = 10 max");
        EngineExecutionResults below = run("compare");
        assertThat(Fixtures.statusOf(below.testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        assertThat(baselineNotes(below)).isEmpty();
    }

    @Test
    void anImprovementPassesAndSaysTheBaselineCanBeTightened() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 5 exact");
        edit(file, "writes() :: totals.syscalls = 7 relative 25% min 50", "writes() :: totals.syscalls = 70 relative 5% min 3");

        EngineExecutionResults results = run("compare");

        assertThat(Fixtures.statusOf(results.testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        assertThat(baselineNotes(results)).containsExactly("baseline can be tightened: syscalls.write.count: 5 → 3 (-2, exact);"
                + " baseline can be tightened: totals.syscalls: 70 → 7 (-63, -90.0%, relative 5% min 3)");
    }

    @Test
    void anotherEnvironmentIsIncomparableNotAFailureUnlessConfigured() throws IOException {
        Path file = record();
        String kernel = System.getProperty("os.version");
        edit(file, "environment.kernel = " + kernel, "environment.kernel = 4.19.0-old");
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 1 exact");

        EngineExecutionResults reported = run("compare");
        assertThat(Fixtures.statusOf(reported.testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        assertThat(baselineNotes(reported)).containsExactly(
                "incomparable, not checked: kernel 4.19.0-old in the baseline, " + kernel + " here");

        Map<String, String> failing = configuration("compare");
        failing.put(ClassBaseline.MISMATCH, "fail");
        assertThat(Fixtures.throwableOf(Fixtures.run(Baselined.class, failing).testEvents(), "writes"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessageStartingWith("KernelTrace baseline incomparable in Baselined.writes() [scope TEST]:\n"
                        + "  - incomparable, not checked: kernel 4.19.0-old in the baseline, " + kernel + " here\n"
                        + "Baseline " + file + ": record a baseline in this environment with -Dkerneltrace.baseline=update,"
                        + " or set kerneltrace.baselineMismatch=report");

        EngineExecutionResults updated = run("update");
        assertThat(baselineNotes(updated)).singleElement().asString().startsWith("environment changed (kernel 4.19.0-old"
                + " in the baseline, " + kernel + " here): recorded for this one; tests that did not run keep their old entries;"
                + " recorded: syscalls.write.count 1 → 3");
        assertThat(Files.readString(file)).contains("\nenvironment.kernel = " + kernel + "\n");
    }

    @Test
    void aTestWithoutEntriesIsReportedNewThenRecordedByUpdateKeepingOtherTestsEntries() throws IOException {
        Path file = record();
        String recorded = Files.readString(file);
        String withoutWrites = recorded.lines().filter(line -> !line.startsWith("writes() :: "))
                .map(line -> line + "\n").reduce("", String::concat)
                + "notRunThisTime() :: syscalls.write.count = 9 exact\n";
        Files.writeString(file, withoutWrites);

        EngineExecutionResults compared = run("compare");
        assertThat(Fixtures.statusOf(compared.testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        assertThat(baselineNotes(compared)).containsExactly("new: no entries for writes() in " + file
                + "; record them with -Dkerneltrace.baseline=update");

        EngineExecutionResults updated = run("update");
        assertThat(baselineNotes(updated)).singleElement().asString().matches("new: no entries for writes\\(\\); recorded \\d+ metrics");
        assertThat(Files.readString(file)).contains("writes() :: syscalls.write.count = 3 exact\n")
                .contains("notRunThisTime() :: syscalls.write.count = 9 exact\n")
                .isEqualTo(recorded.replaceFirst("\nparameterized\\(", "\nnotRunThisTime() :: syscalls.write.count = 9 exact\nparameterized("));
    }

    /**
     * A test renamed or removed leaves entries nothing compares any more: its gate would be lost
     * without a word. Compare mode says so once per class, naming them; update mode drops them
     * (a test that exists but did not run keeps its entries, above).
     */
    @Test
    void entriesOfATestTheClassNoLongerHasAreReportedThenDroppedByUpdate() throws IOException {
        Path file = record();
        String recorded = Files.readString(file);
        Files.writeString(file, recorded + "renamedAway() :: syscalls.write.count = 3 exact\n"
                + "renamedAway() :: site syscalls.write.count = 3 at Baselined.renamedAway(BaselineTest.java:1)\n");

        EngineExecutionResults compared = run("compare");
        assertThat(compared.testEvents().failed().count()).isZero();
        assertThat(allBaselineNotes(compared)).as("said once, with the class's first verdict")
                .containsOnlyOnce(file + " has entries of tests BaselineTest$Baselined no longer has, renamed or removed:"
                        + " renamedAway(), which nothing gates now (-Dkerneltrace.baseline=update records the renamed ones and"
                        + " drops these)");

        EngineExecutionResults updated = run("update");
        assertThat(allBaselineNotes(updated)).containsOnlyOnce(
                "dropped the entries of tests BaselineTest$Baselined no longer has: renamedAway()");
        assertThat(Files.readString(file)).doesNotContain("renamedAway").isEqualTo(recorded);
    }

    interface InheritedTests {
        default void fromAnInterface() {
        }
    }

    interface MoreInheritedTests extends InheritedTests {
    }

    static class WithInheritedTests extends Baselined implements MoreInheritedTests {
    }

    @Test
    void aTestInheritedFromASuperclassOrAnInterfaceOfAnInterfaceIsNotGone() {
        assertThat(ClassBaseline.testsGone(java.util.Set.of("writes()", "fromAnInterface()", "gone()"), WithInheritedTests.class))
                .containsExactly("gone()");
    }

    @Test
    void testsGoneAreThoseWhoseMethodTheClassAndItsSupertypesDoNotDeclare() {
        assertThat(ClassBaseline.testsGone(java.util.Set.of("writes()", "parameterized(String) [1] one", "parameterized(int) [1] 1",
                "writes(String)", "toString()", "hashCode()", "gone()", "not a key"), Baselined.class))
                .containsExactly("gone()", "hashCode()", "not a key", "parameterized(int) [1] 1", "toString()", "writes(String)");
    }

    @Test
    void updateKeepsARuleEditedByHand() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = 1 relative 50% min 1");

        EngineExecutionResults updated = run("update");

        assertThat(Files.readString(file)).contains("writes() :: syscalls.write.count = 3 relative 50% min 1\n");
        assertThat(baselineNotes(updated)).containsExactly("recorded: syscalls.write.count 1 → 3");
    }

    @Test
    void aCorruptLineFailsTheTestsWithFileAndLineAndIsNeverOverwritten() throws IOException {
        Path file = record();
        edit(file, "writes() :: syscalls.write.count = 3 exact", "writes() :: syscalls.write.count = three exact");
        String corrupt = Files.readString(file);
        int line = corrupt.lines().toList().indexOf("writes() :: syscalls.write.count = three exact") + 1;

        for (String mode : List.of("compare", "update")) {
            EngineExecutionResults results = run(mode);
            assertThat(Fixtures.throwableOf(results.testEvents(), "writes"))
                    .isInstanceOf(KernelTraceConfigurationException.class)
                    .hasMessage("baseline " + file + " line " + line + ": the value \"three\" is not a whole number >= 0:"
                            + " \"writes() :: syscalls.write.count = three exact\"; correct the line, or delete the file"
                            + " and record it again with -Dkerneltrace.baseline=update");
            assertThat(Fixtures.statusOf(results.testEvents(), "alsoWrites")).isEqualTo(Status.FAILED);
        }
        assertThat(Files.readString(file)).isEqualTo(corrupt);
    }

    @Test
    void everyKindOfBadLineIsNamed() throws IOException {
        Path file = record();
        Map<String, String> problems = Map.of(
                "writes() syscalls.write.count 3", "expected <test> :: <metric> = <value> <rule>",
                "writes() :: syscalls.write.count = 3", "the rule after the value must be exact, max, relative <percent>% min <amount>",
                "writes() :: syscalls.write.count = 3 relative 5 min 3", "the rule after the value must be",
                "writes() :: syscalls.write.latencyNanos.p99 = 3 exact", "a time is gated only by a slower rule over samples",
                "writes() :: syscalls.write.latencyNanos.p50 = 3 slower 50% p 0.01", "a slower 50% p 0.01 rule compares samples",
                "writes() :: syscalls.write.latencyNanos.p90 = 3 samples 1,2,x slower 50% p 0.01", "the samples \"1,2,x\" are not",
                "writes() :: syscalls.write.count = 3 samples 1,2,3 exact", "samples are kept only for a slower rule",
                "writes() :: syscalls.write.latencyNanos.p999 = 3 samples 1,2,3 slower 50% p 1.5", "the rule after the value must be",
                "writes() :: totals.syscalls = 7 exact", "the same test and metric as line");
        String recorded = Files.readString(file);
        for (Map.Entry<String, String> problem : problems.entrySet()) {
            Files.writeString(file, recorded + problem.getKey() + "\n");
            assertThat(Fixtures.throwableOf(run("compare").testEvents(), "writes"))
                    .as(problem.getKey())
                    .hasMessageStartingWith("baseline " + file + " line " + (recorded.lines().count() + 1) + ": ")
                    .hasMessageContaining(problem.getValue());
        }
    }

    @Test
    void everyKindOfBadCallSiteLineIsNamedAndAGoodOneIsKeptByUpdate() throws IOException {
        Path file = record();
        Map<String, String> problems = Map.of(
                "writes() :: site syscalls.write.count = 3", "expected site <metric> = <count> at <call site>",
                "writes() :: site syscalls.write.count = x at A.b(A.java:1)", "the count \"x\" is not a whole number >= 0",
                "writes() :: site syscalls.write.count = 3 at ", "expected site <metric> = <count> at <call site>",
                "writes() :: site syscalls.write.count = 3 at A.b(A.java:1)\nwrites() :: site syscalls.write.count = 4 at A.b(A.java:2)",
                "the same test, metric and call site as an earlier line");
        String recorded = Files.readString(file);
        for (Map.Entry<String, String> problem : problems.entrySet()) {
            Files.writeString(file, recorded + problem.getKey() + "\n");
            assertThat(Fixtures.throwableOf(run("compare").testEvents(), "writes"))
                    .as(problem.getKey())
                    .hasMessageStartingWith("baseline " + file + " line ")
                    .hasMessageContaining(problem.getValue());
        }
        // a good site line is read, and kept by update mode for a test that did not record sites (a stand-in run)
        String site = "alsoWrites() :: site syscalls.write.count = 3 at Writer.flush(Writer.java:12) ← Writer.append(Writer.java:7)";
        Files.writeString(file, recorded + site + "\n");
        assertThat(Fixtures.statusOf(run("compare").testEvents(), "writes")).isEqualTo(Status.SUCCESSFUL);
        Baseline read = Baseline.read(file);
        assertThat(read.callSites().get("alsoWrites()").get("syscalls.write.count"))
                .containsEntry("Writer.flush ← Writer.append", new CallSiteChanges.Recorded(
                        "Writer.flush(Writer.java:12) ← Writer.append(Writer.java:7)", 3));
        assertThat(read.render(Baselined.class.getName())).contains("\n" + site + "\n");
    }

    @Test
    void theCodesCallsAreExactTheJvmsOwnCallsAndTotalsLooseTimesNotRecorded() {
        assertThat(defaultFor("syscalls.write.count", Metric.Unit.CALLS, 3)).hasToString("exact");
        assertThat(defaultFor("syscalls.write.bytes", Metric.Unit.BYTES, 3)).hasToString("exact");
        BaselineRule futex = defaultFor("syscalls.futex.count", Metric.Unit.CALLS, 1);
        assertThat(futex).hasToString("relative 25% min 50");
        assertThat(futex.regressed(1, 16)).as("1 → 16 futex calls, seen on an unchanged sample test").isFalse();
        assertThat(futex.regressed(3, 35)).as("3 → 35, seen too").isFalse();
        assertThat(futex.regressed(3, 54)).isTrue();
        assertThat(futex.regressed(300, 374)).as("+74 calls, but 24.7%").isFalse();
        assertThat(futex.regressed(300, 376)).isTrue();
        assertThat(defaultFor("syscalls.mmap.count", Metric.Unit.CALLS, 0)).isEqualTo(futex);
        assertThat(defaultFor("totals.syscalls", Metric.Unit.CALLS, 34)).hasToString("relative 25% min 50");
        assertThat(defaultFor("memory.heap.allocatedBytes", Metric.Unit.BYTES, 1 << 20))
                .hasToString("relative 5% min 4096");
        assertThat(defaultFor("syscalls.write.latencyNanos.p99", Metric.Unit.NANOSECONDS, 900)).isNull();
        assertThat(defaultFor("syscalls.write.latencyNanos.count", Metric.Unit.COUNT, 3)).isNull();
        assertThat(defaultFor("scheduler.voluntarySwitches", Metric.Unit.COUNT, 3)).isNull();
        // times: none by default, not even the median latency of the code's calls over 5 repetitions
        // (it fired in 14 of 20 unchanged runs of the sample's commit-delay test: docs/baselines.md)
        assertThat(BaselineRule.defaultFor("syscalls.write.latencyNanos.p50", new TraceOutcome.Series(Metric.Unit.NANOSECONDS,
                List.of(900L, 950L, 1000L, 1100L, 990L)))).isNull();
        assertThat(defaultFor("syscalls.gettid.count", Metric.Unit.CALLS, 1)).as("HotSpot's, at thread start").isEqualTo(futex);
        assertThat(BaselineRule.defaultFor("syscalls.write.latencyNanos.p99", new TraceOutcome.Series(Metric.Unit.NANOSECONDS,
                List.of(900L, 950L, 1000L, 1100L, 990L)))).isNull();
    }

    @Test
    void anUnknownModeIsRefusedNamingTheParameter() {
        assertThat(Fixtures.throwableOf(run("record").testEvents(), "writes"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.baseline = \"record\"; use compare, update, sites or off");
    }

    private static BaselineRule defaultFor(String key, Metric.Unit unit, long value) {
        return BaselineRule.defaultFor(key, new TraceOutcome.Series(unit, List.of(value)));
    }

    private Path record() {
        EngineExecutionResults results = run("update");
        assertThat(results.testEvents().failed().count()).as("recording").isZero();
        Path file = directory.resolve(Baselined.class.getName() + ".baseline");
        assertThat(file).exists();
        return file;
    }

    private EngineExecutionResults run(String mode) {
        return Fixtures.run(Baselined.class, configuration(mode));
    }

    private Map<String, String> configuration(String mode) {
        Map<String, String> configuration = new HashMap<>();
        configuration.put(ClassBaseline.DIRECTORY, directory.toString());
        if (mode != null) {
            configuration.put(ClassBaseline.MODE, mode);
        }
        return configuration;
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    /** Every note the baseline published, whichever test's: a note once per class goes with the first verdict. */
    private static List<String> allBaselineNotes(EngineExecutionResults results) {
        return results.testEvents().reportingEntryPublished()
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(ClassBaseline.REPORT_KEY))
                .filter(note -> note != null)
                .flatMap(note -> java.util.Arrays.stream(note.split("; ")))
                .toList();
    }

    /** What the baseline said about {@code writes()}, one report entry per test. */
    private static List<String> baselineNotes(EngineExecutionResults results) {
        return results.testEvents().reportingEntryPublished()
                .filter(event -> event.getTestDescriptor().getDisplayName().equals("writes()"))
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(ClassBaseline.REPORT_KEY))
                .filter(note -> note != null)
                .toList();
    }

    @Tag("fixture")
    @KernelTrace
    static class Baselined {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.CANNED));

        @Test
        void writes() {
        }

        @Test
        void alsoWrites() {
        }

        @Test
        @org.junit.jupiter.api.Disabled("exists, never runs: its entries are kept")
        void notRunThisTime() {
        }

        @ParameterizedTest
        @ValueSource(strings = {"one", "two\nlines"})
        void parameterized(String value) {
        }
    }
}
