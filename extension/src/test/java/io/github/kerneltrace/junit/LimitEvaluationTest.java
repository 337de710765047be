package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Declared limits against fixed metrics (a stand-in backend): which tests fail, and with what
 * message. The same paths on the real kernel are in {@link RealKernelTracingTest}.
 */
class LimitEvaluationTest {

    @Test
    void listsEveryBreachThenTheTopSystemCalls() {
        // 4.1ms lands in a histogram bucket that reaches 4.11ms (at most 1% error): the bucket's top is shown.
        EngineExecutionResults results = Fixtures.run(Limited.class);

        Throwable failure = Fixtures.throwableOf(results.testEvents(), "breachesThree");
        assertThat(failure).isInstanceOf(KernelLimitExceededError.class).hasMessage("""
                KernelTrace limits exceeded in Limited.breachesThree() [scope TEST]:
                  - system calls: limit 5, measured 7  (@MaxSyscalls(5))
                  - write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = "write"))
                  - fsync p99 latency: limit 2ms, measured 4.11ms  (@MaxSyscallLatency(syscall = "fsync", value = "2ms"))
                  - bytes written: limit 2 B, measured 3 B  (@MaxBytesWritten("2B"))
                Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1""");
    }

    @Test
    void passesWithinLimits() {
        EngineExecutionResults results = Fixtures.run(Limited.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "withinLimits")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void methodLimitsAddToClassLimits() {
        EngineExecutionResults results = Fixtures.run(Limited.class);

        // The class allows 7 calls in total; the method adds "at most 0 lseek".
        assertThat(Fixtures.throwableOf(results.testEvents(), "addsToClassLimit"))
                .hasMessageContaining("- lseek calls: limit 0, measured 1")
                .hasMessageNotContaining("system calls: limit");
    }

    @Test
    void theTestsOwnFailureWinsAndBreachesAreSuppressed() {
        EngineExecutionResults results = Fixtures.run(Limited.class);

        Throwable failure = Fixtures.throwableOf(results.testEvents(), "failsItself");
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(failure.getSuppressed()).singleElement()
                .isInstanceOf(KernelLimitExceededError.class)
                .satisfies(breach -> assertThat(breach).hasMessageContaining("write calls: limit 1, measured 3"));
    }

    @Test
    void composedAnnotationsCarryScopeAndLimits() {
        EngineExecutionResults results = Fixtures.run(Limited.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "composed"))
                .hasMessageStartingWith("KernelTrace limits exceeded in Limited.composed() [scope THREAD]:")
                .hasMessageContaining("- openat calls: limit 1, measured 2  (@MaxSyscalls(value = 1, syscall = \"openat\"))")
                .hasMessageNotContaining("bytes read"); // @MaxBytesRead("0") holds: nothing was read
    }

    @Test
    void badInputFailsOnlyThatTestBeforeItRuns() {
        EngineExecutionResults results = Fixtures.run(BadInput.class);

        results.testEvents().assertStatistics(stats -> stats.started(7).succeeded(1).failed(6));
        assertThat(Fixtures.throwableOf(results.testEvents(), "unknownSyscall"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageStartingWith("@MaxSyscalls(syscall = \"wrtie\") on BadInput.unknownSyscall(): unknown system call \"wrtie\"")
                .hasMessageContaining("did you mean \"write\"?");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedDuration")).hasMessage(
                "@MaxSyscallLatency(value = \"2 millis\") on BadInput.malformedDuration(): malformed duration \"2 millis\";"
                        + " use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedSize")).hasMessage(
                "@MaxBytesWritten(value = \"12 parsecs\") on BadInput.malformedSize(): malformed size \"12 parsecs\";"
                        + " use a number and an optional unit: B, KB, KiB, MB, MiB, GB, GiB"
                        + " (KB = 1000 bytes, KiB = 1024 bytes; e.g. \"64KiB\", \"512KB\")");
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativeLimit")).hasMessage(
                "@MaxSyscalls(value = -1) on BadInput.negativeLimit(): negative limit -1; use 0 or more");
        assertThat(Fixtures.throwableOf(results.testEvents(), "percentileOutOfRange")).hasMessage(
                "@MaxSyscallLatency(percentile = 100.5) on BadInput.percentileOutOfRange(): percentile 100.5 is outside (0, 100];"
                        + " use a number greater than 0 and at most 100, e.g. 99 or 99.9");
        assertThat(Fixtures.throwableOf(results.testEvents(), "everyProblemListed").getMessage().lines())
                .containsExactly(
                        "@MaxSyscalls(value = -3) on BadInput.everyProblemListed(): negative limit -3; use 0 or more",
                        "@MaxBytesRead(value = \"-5KiB\") on BadInput.everyProblemListed(): malformed size \"-5KiB\";"
                                + " use a number and an optional unit: B, KB, KiB, MB, MiB, GB, GiB"
                                + " (KB = 1000 bytes, KiB = 1024 bytes; e.g. \"64KiB\", \"512KB\")");
        assertThat(BadInput.bodiesRun).as("bad tests must not run; the good one must").containsExactly("good");
        assertThat(BadInput.TRACING_BACKEND.opened).as("no slot for a test that cannot run").hasValue(1);
    }

    @Test
    void publishesReportEntries() {
        EngineExecutionResults results = Fixtures.run(Limited.class);

        Map<String, String> entries = results.testEvents().reportingEntryPublished()
                .filter(event -> event.getTestDescriptor().getDisplayName().equals("withinLimits()"))
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .findFirst().orElseThrow();
        assertThat(entries)
                .containsEntry("kerneltrace.scope", "TEST")
                .containsEntry("kerneltrace.syscalls.total", "7")
                .containsEntry("kerneltrace.syscalls.errors", "1")
                .containsEntry("kerneltrace.bytes.written", "3")
                .containsEntry("kerneltrace.syscalls.write.count", "3")
                .containsEntry("kerneltrace.syscalls.openat.errors", "1")
                .containsEntry("kerneltrace.limits.breached", "0");
    }

    @Test
    void writesOneJsonReportPerInvocation(@TempDir Path reports) throws Exception {
        Fixtures.run(Limited.class, Map.of("kerneltrace.reportDir", reports.toString()));

        String prefix = Limited.class.getName();
        try (Stream<Path> files = Files.list(reports)) {
            List<String> names = files.map(file -> file.getFileName().toString()).sorted().toList();
            assertThat(names).contains(prefix + ".withinLimits.json", prefix + ".breachesThree.json");
            assertThat(names.stream().filter(name -> name.matches("\\Q" + prefix + "\\E\\.repeated-[0-9]+\\.json")))
                    .as("a repeated test gets one file per invocation").hasSize(2);
        }
        String json = Files.readString(reports.resolve(prefix + ".breachesThree.json"));
        assertThat(json)
                .contains("\"schemaVersion\": 5,")
                .contains("\"className\": \"" + prefix + "\"")
                .contains("\"methodName\": \"breachesThree\"")
                .contains("\"scope\": \"TEST\"")
                .contains("\"kernel\": \"fake kernel\"")
                .containsPattern("\"write\": \\{\\s+\"count\": 3,\\s+\"errors\": 0,")
                .containsPattern("\"metric\": \"syscalls.write.count\",[^}]*\"limit\": 1,\\s+\"measured\": 3,\\s+\"breached\": true");
    }

    @Test
    void printsOneSummaryLinePerTestUnlessDisabled() {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true));
        try {
            Fixtures.run(Limited.class, Map.of("kerneltrace.summary", "true"));
            Fixtures.run(Limited.class, Map.of("kerneltrace.summary", "false"));
        } finally {
            System.setOut(original);
        }
        assertThat(printed.toString().lines().filter(line -> line.startsWith("[kerneltrace] ")))
                .hasSize(7) // one run of 7 invocations; the second prints nothing
                .contains("[kerneltrace] Limited.withinLimits() scope=TEST: 7 syscalls (write 3, openat 2, fsync 1, lseek 1),"
                        + " 3 B written, 0 B read, p99 latency 4.11ms");
    }

    @Tag("fixture")
    @MaxSyscalls(7) // a limit alone turns tracing on
    static class Limited {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.CANNED));

        @Test
        @MaxSyscalls(5)
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxSyscalls(value = 3, syscall = "openat")
        @MaxSyscallLatency(syscall = "fsync", value = "2ms")
        @MaxSyscallLatency(syscall = "write", value = "1ms")
        @MaxBytesWritten("2B")
        void breachesThree() {
        }

        @Test
        @MaxSyscalls(value = 3, syscall = "write")
        @MaxSyscallLatency(syscall = "fsync", percentile = 50, value = "5ms")
        @MaxBytesWritten("1KiB")
        void withinLimits() {
        }

        @Test
        @MaxSyscalls(value = 0, syscall = "lseek")
        void addsToClassLimit() {
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        void failsItself() {
            throw new IllegalStateException("the test's own failure");
        }

        @Test
        @OpenBudget
        void composed() {
        }

        @RepeatedTest(2)
        void repeated() {
        }
    }

    @KernelTrace(scope = Scope.THREAD)
    @MaxSyscalls(value = 1, syscall = "openat")
    @MaxBytesRead("0")
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @interface OpenBudget {
    }

    @Tag("fixture")
    @KernelTrace
    static class BadInput {

        static final FakeTracingBackend TRACING_BACKEND = FakeTracingBackend.measuring(FakeTracingBackend.CANNED);
        static final List<String> bodiesRun = new java.util.concurrent.CopyOnWriteArrayList<>();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(TRACING_BACKEND);

        @Test
        @MaxSyscalls(value = 1, syscall = "wrtie")
        void unknownSyscall() {
            bodiesRun.add("unknownSyscall");
        }

        @Test
        @MaxSyscallLatency(syscall = "fsync", value = "2 millis")
        void malformedDuration() {
            bodiesRun.add("malformedDuration");
        }

        @Test
        @MaxBytesWritten("12 parsecs")
        void malformedSize() {
            bodiesRun.add("malformedSize");
        }

        @Test
        @MaxSyscalls(-1)
        void negativeLimit() {
            bodiesRun.add("negativeLimit");
        }

        @Test
        @MaxSyscallLatency(syscall = "fsync", percentile = 100.5, value = "2ms")
        void percentileOutOfRange() {
            bodiesRun.add("percentileOutOfRange");
        }

        @Test
        @MaxSyscalls(-3)
        @MaxBytesRead("-5KiB")
        void everyProblemListed() {
            bodiesRun.add("everyProblemListed");
        }

        @Test
        @MaxSyscalls(100)
        void good() {
            bodiesRun.add("good");
        }
    }
}
