package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The scheduler limits against fixed metrics ({@link FakeTracingBackend#SCHEDULED}): parsing,
 * which tests fail and with what message, reports. The same limits on the real kernel are in
 * {@link RealKernelSchedulerTest}.
 */
class SchedulerLimitsTest {

    static final String SCHEDULER_LINE = "Scheduler: 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms,"
            + " run-queue p99 45.1us (12 waits), off-CPU 20.4ms";

    @Test
    void listsEveryBreachedSchedulerLimitThenTheTopCallsAndWhatTheSchedulerDid() {
        // 45us lands in a histogram bucket that reaches 45.055us (at most 1% error): the bucket's top is shown.
        EngineExecutionResults results = Fixtures.run(Scheduled.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "breachesAll"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessage("""
                        KernelTrace limits exceeded in Scheduled.breachesAll() [scope TEST]:
                          - context switches: limit 11, measured 12  (@MaxContextSwitches(11))
                          - voluntary context switches: limit 3, measured 10  (@MaxContextSwitches(value = 3, kind = VOLUNTARY))
                          - involuntary context switches: limit 0, measured 2  (@MaxContextSwitches(value = 0, kind = INVOLUNTARY))
                          - CPU migrations: limit 0, measured 1  (@MaxMigrations(0))
                          - run-queue p99 latency: limit 10us, measured 45.1us  (@MaxRunQueueLatency("10us"))
                          - run-queue p100 latency: limit 1ns, measured 45.1us  (@MaxRunQueueLatency(percentile = 100, value = "1ns"))
                          - off-CPU time: limit 20ms, measured 20.4ms  (@MaxOffCpuTime("20ms"))
                          - on-CPU time: limit 3ms, measured 3.1ms  (@MaxOnCpuTime("3ms"))
                        Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1
                        """ + SCHEDULER_LINE);
    }

    @Test
    void passesWithinLimitsAndTheLimitIsInclusive() {
        EngineExecutionResults results = Fixtures.run(Scheduled.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "withinLimits")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void theSchedulerLineAppearsWhenASchedulerLimitIsDeclaredEvenIfOnlyASyscallLimitIsBreached() {
        EngineExecutionResults results = Fixtures.run(Scheduled.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "syscallBreachWithSchedulerLimit"))
                .hasMessageContaining("- write calls: limit 1, measured 3")
                .hasMessageNotContaining("context switches: limit")
                .hasMessageEndingWith("\n" + SCHEDULER_LINE);
        assertThat(Fixtures.throwableOf(results.testEvents(), "syscallBreachOnly"))
                .hasMessageEndingWith("Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1")
                .hasMessageNotContaining("Scheduler:");
    }

    @Test
    void classLimitsApplyToEveryTestAndComposedAnnotationsCarryTheirs() {
        EngineExecutionResults results = Fixtures.run(ClassBudget.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "inheritsClassLimit"))
                .hasMessageContaining("- voluntary context switches: limit 5, measured 10  (@MaxContextSwitches(value = 5, kind = VOLUNTARY))")
                .hasMessageNotContaining("CPU migrations");
        assertThat(Fixtures.throwableOf(results.testEvents(), "addsMethodLimit"))
                .hasMessageContaining("- voluntary context switches: limit 5, measured 10")
                .hasMessageContaining("- CPU migrations: limit 0, measured 1  (@MaxMigrations(0))");
        assertThat(Fixtures.throwableOf(results.testEvents(), "composed"))
                .hasMessageStartingWith("KernelTrace limits exceeded in ClassBudget.composed() [scope THREAD]:")
                .hasMessageContaining("- involuntary context switches: limit 1, measured 2  (@MaxContextSwitches(value = 1, kind = INVOLUNTARY))")
                .hasMessageContaining("- run-queue p50 latency: limit 1us, measured 4.02us  (@MaxRunQueueLatency(percentile = 50, value = \"1us\"))");
    }

    @Test
    void schedulerDurationsAreMeasuredWithoutSyscallLatency() {
        // @KernelTrace(latency = false) stops timing system calls, not the scheduler: the limits are accepted.
        EngineExecutionResults results = Fixtures.run(CountsOnly.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "withinSchedulerDurations")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Fixtures.throwableOf(results.testEvents(), "breachesOnCpu"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("- on-CPU time: limit 1ms, measured 3.1ms  (@MaxOnCpuTime(\"1ms\"))");
    }

    @Test
    void badInputFailsOnlyThatTestBeforeItRunsNamingAnnotationAttributeValueAndWhatIsAccepted() {
        EngineExecutionResults results = Fixtures.run(BadInput.class);

        results.testEvents().assertStatistics(stats -> stats.started(8).succeeded(1).failed(7));
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativeSwitches"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@MaxContextSwitches(value = -1) on BadInput.negativeSwitches(): negative limit -1; use 0 or more");
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativeMigrations")).hasMessage(
                "@MaxMigrations(value = -2) on BadInput.negativeMigrations(): negative limit -2; use 0 or more");
        assertThat(Fixtures.throwableOf(results.testEvents(), "percentileOutOfRange")).hasMessage(
                "@MaxRunQueueLatency(percentile = 0.0) on BadInput.percentileOutOfRange(): percentile 0.0 is outside (0, 100];"
                        + " use a number greater than 0 and at most 100, e.g. 99 or 99.9");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedRunQueueLatency")).hasMessage(
                "@MaxRunQueueLatency(value = \"5\") on BadInput.malformedRunQueueLatency(): malformed duration \"5\";"
                        + " use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedOffCpu")).hasMessage(
                "@MaxOffCpuTime(value = \"-1ms\") on BadInput.malformedOffCpu(): malformed duration \"-1ms\";"
                        + " use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedOnCpu")).hasMessage(
                "@MaxOnCpuTime(value = \"a while\") on BadInput.malformedOnCpu(): malformed duration \"a while\";"
                        + " use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
        assertThat(Fixtures.throwableOf(results.testEvents(), "everyProblemListed").getMessage().lines())
                .containsExactly(
                        "@MaxContextSwitches(value = -4) on BadInput.everyProblemListed(): negative limit -4; use 0 or more",
                        "@MaxRunQueueLatency(percentile = 101.0) on BadInput.everyProblemListed(): percentile 101.0 is outside"
                                + " (0, 100]; use a number greater than 0 and at most 100, e.g. 99 or 99.9",
                        "@MaxRunQueueLatency(value = \"fast\") on BadInput.everyProblemListed(): malformed duration \"fast\";"
                                + " use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
        assertThat(BadInput.bodiesRun).as("bad tests must not run; the good one must").containsExactly("good");
        assertThat(BadInput.TRACING_BACKEND.opened).as("no slot for a test that cannot run").hasValue(1);
    }

    @Test
    void theJsonReportHasTheSchedulerAndItsLimits(@TempDir Path reports) throws Exception {
        Fixtures.run(Scheduled.class, Map.of("kerneltrace.reportDir", reports.toString()));

        String json = Files.readString(reports.resolve(Scheduled.class.getName() + ".breachesAll.json"));
        assertThat(json)
                .contains("\"schemaVersion\": 5,")
                .contains("""
                          "scheduler": {
                            "voluntarySwitches": 10,
                            "involuntarySwitches": 2,
                            "contextSwitches": 12,
                            "migrations": 1,
                            "wakeups": 10,
                            "onCpuNanos": 3100000,
                            "runQueueNanos": 89000,
                            "offCpuNanos": 20400000,
                            "runQueueLatencyNanos": {
                              "count": 12,
                              "min": 4000,
                              "p50": 4015,
                              "p90": 4015,
                              "p99": 45055,
                              "p999": 45055,
                              "max": 45055,
                              "mean": 7418.0
                            },
                            "offCpuTimeNanos": {
                              "count": 10,
                              "min": 2039808,
                              "p50": 2047999,
                              "p90": 2047999,
                              "p99": 2047999,
                              "p999": 2047999,
                              "max": 2047999,
                              "mean": 2043904.0
                            }
                          },
                          "memory": {
                        """)
                .containsPattern("\\{\\s+\"metric\": \"scheduler.voluntarySwitches\",\\s+"
                        + "\"declaration\": \"@MaxContextSwitches\\(value = 3, kind = VOLUNTARY\\)\",\\s+"
                        + "\"unit\": \"count\",\\s+\"limit\": 3,\\s+\"measured\": 10,\\s+\"breached\": true\\s+}")
                .containsPattern("\"metric\": \"scheduler.runQueueLatencyNanos.max\",\\s+[^}]*\"unit\": \"nanoseconds\",\\s+"
                        + "\"limit\": 1,\\s+\"measured\": 45055,")
                .contains("\"metric\": \"scheduler.contextSwitches\",")
                .contains("\"metric\": \"scheduler.involuntarySwitches\",")
                .contains("\"metric\": \"scheduler.migrations\",")
                .contains("\"metric\": \"scheduler.runQueueLatencyNanos.p99\",")
                .contains("\"metric\": \"scheduler.offCpuNanos\",")
                .contains("\"metric\": \"scheduler.onCpuNanos\",");
    }

    @Test
    void publishesSchedulerReportEntries() {
        EngineExecutionResults results = Fixtures.run(Scheduled.class);

        Map<String, String> entries = results.testEvents().reportingEntryPublished()
                .filter(event -> event.getTestDescriptor().getDisplayName().equals("withinLimits()"))
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .findFirst().orElseThrow();
        assertThat(entries)
                .containsEntry("kerneltrace.scheduler.voluntarySwitches", "10")
                .containsEntry("kerneltrace.scheduler.involuntarySwitches", "2")
                .containsEntry("kerneltrace.scheduler.migrations", "1")
                .containsEntry("kerneltrace.scheduler.onCpuNanos", "3100000")
                .containsEntry("kerneltrace.scheduler.offCpuNanos", "20400000")
                .containsEntry("kerneltrace.scheduler.runQueueP99Nanos", "45055");
        assertThat(List.copyOf(entries.keySet())).last().as("the breach count stays last").isEqualTo("kerneltrace.limits.breached");
    }

    @Test
    void whereTheKernelRefusedTheSchedulerProgramsATestThatNeedsThemIsSkippedOrFailedWithTheReasonAndTheOthersRun() {
        EngineExecutionResults skipped = Fixtures.run(SchedulerRefused.class);
        EngineExecutionResults failed = Fixtures.run(SchedulerRefused.class, Map.of("kerneltrace.require", "true"));

        String reason = "KernelTrace cannot trace here: " + FakeTracingBackend.RefusingScheduler.REASON;
        for (String needsScheduler : List.of("switchLimit", "pageFaultLimit", "handOffsFollowed")) {
            assertThat(Fixtures.throwableOf(skipped.testEvents(), needsScheduler)).as(needsScheduler)
                    .isInstanceOf(org.opentest4j.TestAbortedException.class).hasMessageStartingWith(reason);
            assertThat(Fixtures.throwableOf(failed.testEvents(), needsScheduler)).as(needsScheduler)
                    .isInstanceOf(io.github.kerneltrace.probes.TracingUnavailableException.class)
                    .hasMessageContaining("fails because kerneltrace.require=true");
        }
        assertThat(Fixtures.statusOf(failed.testEvents(), "threadScopeSyscallLimit"))
                .as("system calls alone, on the test's thread: the scheduler programs are not needed").isEqualTo(Status.SUCCESSFUL);
        failed.testEvents().assertStatistics(stats -> stats.started(4).succeeded(1).failed(3));
        EngineExecutionResults notFollowing = Fixtures.run(SchedulerRefused.class,
                Map.of("kerneltrace.require", "true", "kerneltrace.followHandOffs", "false"));
        assertThat(Fixtures.statusOf(notFollowing.testEvents(), "handOffsFollowed"))
                .as("scope TEST without following hand-offs: children are followed at fork, no scheduler program needed")
                .isEqualTo(Status.SUCCESSFUL);
    }

    @Tag("fixture")
    @KernelTrace
    static class Scheduled {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.SCHEDULED));

        @Test
        @MaxContextSwitches(11)
        @MaxContextSwitches(value = 3, kind = SwitchKind.VOLUNTARY)
        @MaxContextSwitches(value = 0, kind = SwitchKind.INVOLUNTARY)
        @MaxMigrations(0)
        @MaxRunQueueLatency("10us")
        @MaxRunQueueLatency(percentile = 100, value = "1ns")
        @MaxOffCpuTime("20ms")
        @MaxOnCpuTime("3ms")
        void breachesAll() {
        }

        @Test
        @MaxContextSwitches(12)
        @MaxContextSwitches(value = 10, kind = SwitchKind.VOLUNTARY)
        @MaxContextSwitches(value = 2, kind = SwitchKind.INVOLUNTARY)
        @MaxMigrations(1)
        @MaxRunQueueLatency("46us")
        @MaxRunQueueLatency(percentile = 50, value = "5us")
        @MaxOffCpuTime("20.4ms")
        @MaxOnCpuTime("3.1ms")
        void withinLimits() {
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxContextSwitches(100)
        void syscallBreachWithSchedulerLimit() {
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        void syscallBreachOnly() {
        }
    }

    @KernelTrace(scope = Scope.THREAD)
    @MaxContextSwitches(value = 1, kind = SwitchKind.INVOLUNTARY)
    @MaxRunQueueLatency(percentile = 50, value = "1us")
    @Retention(RetentionPolicy.RUNTIME)
    @interface WorkerBudget {
    }

    @Tag("fixture")
    @MaxContextSwitches(value = 5, kind = SwitchKind.VOLUNTARY) // a limit alone turns tracing on
    static class ClassBudget {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.SCHEDULED));

        @Test
        void inheritsClassLimit() {
        }

        @Test
        @MaxMigrations(0)
        void addsMethodLimit() {
        }

        @Test
        @WorkerBudget
        void composed() {
        }
    }

    @Tag("fixture")
    @KernelTrace(latency = false)
    static class CountsOnly {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.SCHEDULED));

        @Test
        @MaxRunQueueLatency("1ms")
        @MaxOffCpuTime("1s")
        @MaxOnCpuTime("1s")
        void withinSchedulerDurations() {
        }

        @Test
        @MaxOnCpuTime("1ms")
        void breachesOnCpu() {
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class BadInput {

        static final FakeTracingBackend TRACING_BACKEND = FakeTracingBackend.measuring(FakeTracingBackend.SCHEDULED);
        static final List<String> bodiesRun = new java.util.concurrent.CopyOnWriteArrayList<>();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(TRACING_BACKEND);

        @Test
        @MaxContextSwitches(value = -1, kind = SwitchKind.VOLUNTARY)
        void negativeSwitches() {
            bodiesRun.add("negativeSwitches");
        }

        @Test
        @MaxMigrations(-2)
        void negativeMigrations() {
            bodiesRun.add("negativeMigrations");
        }

        @Test
        @MaxRunQueueLatency(percentile = 0, value = "1ms")
        void percentileOutOfRange() {
            bodiesRun.add("percentileOutOfRange");
        }

        @Test
        @MaxRunQueueLatency("5")
        void malformedRunQueueLatency() {
            bodiesRun.add("malformedRunQueueLatency");
        }

        @Test
        @MaxOffCpuTime("-1ms")
        void malformedOffCpu() {
            bodiesRun.add("malformedOffCpu");
        }

        @Test
        @MaxOnCpuTime("a while")
        void malformedOnCpu() {
            bodiesRun.add("malformedOnCpu");
        }

        @Test
        @MaxContextSwitches(-4)
        @MaxRunQueueLatency(percentile = 101, value = "fast")
        void everyProblemListed() {
            bodiesRun.add("everyProblemListed");
        }

        @Test
        @MaxContextSwitches(100)
        @MaxRunQueueLatency("1s")
        void good() {
            bodiesRun.add("good");
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class SchedulerRefused {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(new FakeTracingBackend.RefusingScheduler());

        @Test
        @MaxContextSwitches(10)
        @KernelTrace(scope = Scope.THREAD)
        void switchLimit() {
        }

        @Test
        @MaxPageFaults(100)
        @KernelTrace(scope = Scope.THREAD)
        void pageFaultLimit() {
        }

        @Test
        @MaxSyscalls(value = 3, syscall = "write")
        void handOffsFollowed() {
            // scope TEST follows hand-offs by default: decided at wake-up, by a scheduler program
        }

        @Test
        @MaxSyscalls(value = 3, syscall = "write")
        @KernelTrace(scope = Scope.THREAD)
        void threadScopeSyscallLimit() {
        }
    }
}
