package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

class KernelMetricsAssertTest {

    private static final KernelMetrics METRICS = FakeTracingBackend.CANNED;
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
    void anUnknownSyscallNameIsABugInTheTest() {
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallCount("wrtie", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown system call \"wrtie\"");
    }
}
