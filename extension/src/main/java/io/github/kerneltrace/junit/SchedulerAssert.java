package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

/**
 * Assertions on what the scheduler did to a test's threads, reached by
 * {@code assertThat(metrics).scheduler()}. Failures and descriptions show all the scheduler's
 * figures (switches, migrations, on-CPU, run-queue, off-CPU) and the top system calls.
 * <pre>
 * assertThat(metrics).scheduler().hasAtMostVoluntarySwitches(3);
 * assertThat(metrics).scheduler().migrations().isZero();
 * </pre>
 */
public class SchedulerAssert extends FamilyAssert<SchedulerAssert> {

    protected SchedulerAssert(KernelMetrics actual) {
        super(actual, SchedulerAssert.class, SchedulerFamily.FAMILY);
    }

    private SchedulerMetrics scheduler() {
        isNotNull();
        return actual.scheduler();
    }

    /** Times the test's threads were switched out while blocking (sleep, lock, I/O). */
    public AbstractLongAssert<?> voluntarySwitches() {
        return measured("voluntary context switches", scheduler().voluntarySwitches());
    }

    /** Times the test's threads were switched out while still runnable (preempted, or yielded). */
    public AbstractLongAssert<?> involuntarySwitches() {
        return measured("involuntary context switches", scheduler().involuntarySwitches());
    }

    /** Voluntary and involuntary switches together. */
    public AbstractLongAssert<?> contextSwitches() {
        return measured("context switches", scheduler().contextSwitches());
    }

    /** Moves of the test's threads to another CPU. */
    public AbstractLongAssert<?> migrations() {
        return measured("CPU migrations", scheduler().migrations());
    }

    /** Time the test's threads ran on a CPU, in nanoseconds. */
    public AbstractLongAssert<?> onCpuNanos() {
        return measured("on-CPU time in nanoseconds", scheduler().onCpuNanos());
    }

    /** Time the test's threads were blocked, in nanoseconds (the run-queue wait after each wake-up not included). */
    public AbstractLongAssert<?> offCpuNanos() {
        return measured("off-CPU time in nanoseconds", scheduler().offCpuNanos());
    }

    /**
     * A percentile of the test's run-queue waits (woken or preempted, to back on a CPU) in
     * nanoseconds, e.g. {@code runQueueLatency(99)}; 100 is the longest wait; 0 if it never waited.
     */
    public AbstractLongAssert<?> runQueueLatency(double percentile) {
        requirePercentile(percentile);
        return measured("run-queue " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile));
    }

    /** E.g. {@code hasAtMostVoluntarySwitches(3)}: the test blocked at most 3 times. */
    public SchedulerAssert hasAtMostVoluntarySwitches(long limit) {
        long measured = scheduler().voluntarySwitches();
        if (measured > limit) {
            failWithContext("Expected at most %d voluntary context switches but the test blocked %d times", limit, measured);
        }
        return this;
    }

    /** The test never blocked: no voluntary context switch. */
    public SchedulerAssert doesNotBlock() {
        long measured = scheduler().voluntarySwitches();
        if (measured != 0) {
            failWithContext("Expected the test not to block but it blocked %d %s (off-CPU %s)", measured,
                    measured == 1 ? "time" : "times", Durations.format(actual.scheduler().offCpuNanos()));
        }
        return this;
    }

    /** E.g. {@code hasRunQueueLatencyAtMost(99, "5ms")}. */
    public SchedulerAssert hasRunQueueLatencyAtMost(double percentile, String duration) {
        latencyAtMost("run-queue", scheduler().runQueueLatencyNanos(), percentile, duration);
        return this;
    }
}
