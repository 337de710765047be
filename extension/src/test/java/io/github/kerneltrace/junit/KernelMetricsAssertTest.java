package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

class KernelMetricsAssertTest {

    private static final KernelMetrics METRICS = FakeTracingBackend.CANNED;
    private static final KernelMetrics SCHEDULED = FakeTracingBackend.SCHEDULED;
    private static final String TOP = "Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1";

    @Test
    void passesWhenTheMetricsHold() {
        assertThatCode(() -> assertThat(METRICS)
                .hasSyscallCount("write", 3)
                .hasAtMostSyscalls("openat", 2)
                .doesNotCall("fdatasync")
                .hasSyscallLatencyAtMost("fsync", 99, "5ms")
                .hasBytesWrittenAtMost("3B")
                .hasBytesReadAtMost("0"))
                .doesNotThrowAnyException();
    }

    @Test
    void countFailureNamesTheSyscallAndListsTheTopCalls() {
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallCount("write", 1))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected 1 write calls but the test made 3%n" + TOP, new Object[0]);
    }

    @Test
    void conveniencesFailWithTheMeasuredValue() {
        assertThatThrownBy(() -> assertThat(METRICS).hasAtMostSyscalls("openat", 1))
                .hasMessageStartingWith("Expected at most 1 openat calls but the test made 2");
        assertThatThrownBy(() -> assertThat(METRICS).doesNotCall("lseek"))
                .hasMessageStartingWith("Expected no lseek calls but the test made 1");
        assertThatThrownBy(() -> assertThat(METRICS).hasNoSyscallErrors())
                .hasMessageStartingWith("Expected no failed system calls but 1 failed").hasMessageContaining(TOP);
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallLatencyAtMost("fsync", 99, "2ms"))
                .hasMessageStartingWith("Expected fsync p99 latency at most 2ms but it was 4.11ms");
        assertThatThrownBy(() -> assertThat(METRICS).hasBytesWrittenAtMost("2B"))
                .hasMessageStartingWith("Expected at most 2 B written but the test wrote 3 B");
    }

    @Test
    void metricAssertionsAreDescribedWithTheTopCalls() {
        assertThatThrownBy(() -> assertThat(METRICS).syscallCount("write").isLessThan(2))
                .hasMessageContaining("[write calls (top system calls: write 3 (3 B), openat 2");
        assertThatThrownBy(() -> assertThat(METRICS).totalSyscalls().isZero())
                .hasMessageContaining("[system calls (top system calls:");
        assertThatThrownBy(() -> assertThat(METRICS).syscallErrors("openat").isZero())
                .hasMessageContaining("[openat errors (");
        assertThatThrownBy(() -> assertThat(METRICS).bytesWritten().isEqualTo(4))
                .hasMessageContaining("[bytes written (");
        assertThatThrownBy(() -> assertThat(METRICS).bytesRead().isPositive())
                .hasMessageContaining("[bytes read (");
        assertThatThrownBy(() -> assertThat(METRICS).syscallLatency("fsync", 99).isLessThan(1_000_000))
                .hasMessageContaining("[fsync p99 latency in nanoseconds (");
    }

    @Test
    void schedulerConveniencesPassWhenTheMetricsHold() {
        // SCHEDULED: 10 voluntary and 2 involuntary switches, run-queue p99 45.1us.
        assertThatCode(() -> assertThat(SCHEDULED)
                .hasAtMostVoluntarySwitches(10)
                .hasRunQueueLatencyAtMost(99, "46us")
                .hasRunQueueLatencyAtMost(50, "5us"))
                .doesNotThrowAnyException();
        assertThatCode(() -> assertThat(METRICS).doesNotBlock()).as("a test without switches").doesNotThrowAnyException();
    }

    @Test
    void schedulerConveniencesFailWithTheMeasuredValueTheTopCallsAndTheScheduler() {
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasAtMostVoluntarySwitches(3))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected at most 3 voluntary context switches but the test blocked 10 times%n" + TOP
                        + "%n" + SchedulerLimitsTest.SCHEDULER_LINE, new Object[0]);
        assertThatThrownBy(() -> assertThat(SCHEDULED).doesNotBlock())
                .hasMessageStartingWith("Expected the test not to block but it blocked 10 times (off-CPU 20.4ms)")
                .hasMessageEndingWith(SchedulerLimitsTest.SCHEDULER_LINE);
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasRunQueueLatencyAtMost(100, "10us"))
                .hasMessageStartingWith("Expected run-queue p100 latency at most 10us but it was 45.1us");
    }

    @Test
    void schedulerMetricAssertionsAreDescribedWithWhatTheSchedulerDid() {
        String scheduler = "(scheduler: 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms,";
        assertThatThrownBy(() -> assertThat(SCHEDULED).voluntarySwitches().isLessThan(10))
                .hasMessageContaining("[voluntary context switches " + scheduler)
                .hasMessageContaining("off-CPU 20.4ms; top system calls: write 3 (3 B), openat 2")
                .hasMessageContaining("Expecting actual:%n  10L%nto be less than:%n  10L", new Object[0]);
        assertThatThrownBy(() -> assertThat(SCHEDULED).involuntarySwitches().isZero())
                .hasMessageContaining("[involuntary context switches " + scheduler);
        assertThatThrownBy(() -> assertThat(SCHEDULED).contextSwitches().isEqualTo(10))
                .hasMessageContaining("[context switches (scheduler:").hasMessageContaining("12L");
        assertThatThrownBy(() -> assertThat(SCHEDULED).migrations().isZero())
                .hasMessageContaining("[CPU migrations (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).onCpuNanos().isLessThan(3_000_000))
                .hasMessageContaining("[on-CPU time in nanoseconds (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).offCpuNanos().isLessThan(20_000_000))
                .hasMessageContaining("[off-CPU time in nanoseconds (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).runQueueLatency(99.9).isLessThan(10_000))
                .hasMessageContaining("[run-queue p99.9 latency in nanoseconds (scheduler:")
                .hasMessageContaining("45055");
        assertThatThrownBy(() -> assertThat(SCHEDULED).as("worker").migrations().isZero())
                .hasMessageContaining("[worker: CPU migrations (scheduler:");
    }

    @Test
    void badPercentilesAndDurationsAreBugsInTheTest() {
        assertThatThrownBy(() -> assertThat(SCHEDULED).runQueueLatency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percentile 0.0 is outside (0, 100]; use e.g. 99 or 99.9");
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasRunQueueLatencyAtMost(99, "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed duration \"soon\"");
    }

    @Test
    void anUnknownSyscallNameIsABugInTheTest() {
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallCount("wrtie", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown system call \"wrtie\"");
    }
}
