package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * Assertions on one system call of a test, reached by
 * {@code assertThat(metrics).syscall("write")}; a call that was not made counts as made 0 times.
 * <pre>
 * assertThat(metrics).syscall("write").hasCount(1);
 * assertThat(metrics).syscall("fsync").hasLatencyAtMost(99, "2ms");
 * assertThat(metrics).syscall("openat").count().isLessThanOrEqualTo(2);
 * </pre>
 */
public class SyscallAssert extends FamilyAssert<SyscallAssert> {

    /** The call's name; set by {@link KernelMetricsAssert#syscall(String)}, which checks it. */
    String name;

    protected SyscallAssert(KernelMetrics actual) {
        super(actual, SyscallAssert.class, SyscallFamily.FAMILY);
    }

    private SyscallMetrics call() {
        isNotNull();
        return actual.syscall(name);
    }

    /** Calls made, described as e.g. "write calls". */
    public AbstractLongAssert<?> count() {
        return measured(name + " calls", call().count());
    }

    /** Failed calls. */
    public AbstractLongAssert<?> errors() {
        return measured(name + " errors", call().errors());
    }

    /** A latency percentile in nanoseconds, e.g. {@code latency(99)}; 0 if never called. */
    public AbstractLongAssert<?> latency(double percentile) {
        requirePercentile(percentile);
        return measured(name + " " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                call().latencyNanos().getValueAtPercentile(percentile));
    }

    public SyscallAssert hasCount(long expected) {
        long measured = call().count();
        if (measured != expected) {
            failWithContext("Expected %d %s calls but the test made %d", expected, name, measured);
        }
        return this;
    }

    public SyscallAssert hasAtMostCalls(long limit) {
        long measured = call().count();
        if (measured > limit) {
            failWithContext("Expected at most %d %s calls but the test made %d", limit, name, measured);
        }
        return this;
    }

    public SyscallAssert isNotCalled() {
        long measured = call().count();
        if (measured != 0) {
            failWithContext("Expected no %s calls but the test made %d", name, measured);
        }
        return this;
    }

    /** E.g. {@code hasLatencyAtMost(99, "2ms")}. */
    public SyscallAssert hasLatencyAtMost(double percentile, String duration) {
        latencyAtMost(name, call().latencyNanos(), percentile, duration);
        return this;
    }
}
