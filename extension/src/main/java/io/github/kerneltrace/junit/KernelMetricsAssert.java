package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractLongAssert;
import org.assertj.core.api.Assertions;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Assertions on a test's {@link KernelMetrics}. Every failure message ends with the test's most
 * frequent system calls, which usually show what changed; a failed assertion on the scheduler's
 * metrics also shows what the scheduler did (switches, migrations, on-CPU, run-queue, off-CPU).
 */
public class KernelMetricsAssert extends AbstractAssert<KernelMetricsAssert, KernelMetrics> {

    protected KernelMetricsAssert(KernelMetrics actual) {
        super(actual, KernelMetricsAssert.class);
    }

    /** Calls of one system call, e.g. {@code syscallCount("write")}, described as "write calls". */
    public AbstractLongAssert<?> syscallCount(String syscall) {
        isNotNull();
        return measured(syscall + " calls", actual.syscall(syscall).count());
    }

    /** All system calls together. */
    public AbstractLongAssert<?> totalSyscalls() {
        isNotNull();
        return measured("system calls", actual.totalSyscalls());
    }

    /** Failed calls of one system call. */
    public AbstractLongAssert<?> syscallErrors(String syscall) {
        isNotNull();
        return measured(syscall + " errors", actual.syscall(syscall).errors());
    }

    /** Bytes written by the write and send families. */
    public AbstractLongAssert<?> bytesWritten() {
        isNotNull();
        return measured("bytes written", actual.bytesWritten());
    }

    /** Bytes read by the read and recv families. */
    public AbstractLongAssert<?> bytesRead() {
        isNotNull();
        return measured("bytes read", actual.bytesRead());
    }

    /** A latency percentile of one system call in nanoseconds, e.g. {@code syscallLatency("fsync", 99)}; 0 if never called. */
    public AbstractLongAssert<?> syscallLatency(String syscall, double percentile) {
        isNotNull();
        requirePercentile(percentile);
        return measured(syscall + " " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                actual.syscall(syscall).latencyNanos().getValueAtPercentile(percentile));
    }

    public KernelMetricsAssert hasSyscallCount(String syscall, long expected) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured != expected) {
            failWithContext("Expected %d %s calls but the test made %d", expected, syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert hasAtMostSyscalls(String syscall, long limit) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured > limit) {
            failWithContext("Expected at most %d %s calls but the test made %d", limit, syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert doesNotCall(String syscall) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured != 0) {
            failWithContext("Expected no %s calls but the test made %d", syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert hasNoSyscallErrors() {
        isNotNull();
        if (actual.totalErrors() != 0) {
            failWithContext("Expected no failed system calls but %d failed", actual.totalErrors());
        }
        return this;
    }

    /** E.g. {@code hasSyscallLatencyAtMost("fsync", 99, "2ms")}. */
    public KernelMetricsAssert hasSyscallLatencyAtMost(String syscall, double percentile, String duration) {
        isNotNull();
        requirePercentile(percentile);
        long limit = Durations.parseNanos(duration);
        long measured = actual.syscall(syscall).latencyNanos().getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithContext("Expected %s %s latency at most %s but it was %s", syscall,
                    DeclaredLimits.percentileLabel(percentile), Durations.format(limit), Durations.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasBytesWrittenAtMost("64KiB")}. */
    public KernelMetricsAssert hasBytesWrittenAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesWritten() > limit) {
            failWithContext("Expected at most %s written but the test wrote %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesWritten()));
        }
        return this;
    }

    /** E.g. {@code hasBytesReadAtMost("1MiB")}. */
    public KernelMetricsAssert hasBytesReadAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesRead() > limit) {
            failWithContext("Expected at most %s read but the test read %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesRead()));
        }
        return this;
    }

    /** Times the test's threads were switched out while blocking (sleep, lock, I/O). */
    public AbstractLongAssert<?> voluntarySwitches() {
        isNotNull();
        return measuredByScheduler("voluntary context switches", actual.scheduler().voluntarySwitches());
    }

    /** Times the test's threads were switched out while still runnable (preempted, or yielded). */
    public AbstractLongAssert<?> involuntarySwitches() {
        isNotNull();
        return measuredByScheduler("involuntary context switches", actual.scheduler().involuntarySwitches());
    }

    /** Voluntary and involuntary switches together. */
    public AbstractLongAssert<?> contextSwitches() {
        isNotNull();
        return measuredByScheduler("context switches", actual.scheduler().contextSwitches());
    }

    /** Moves of the test's threads to another CPU. */
    public AbstractLongAssert<?> migrations() {
        isNotNull();
        return measuredByScheduler("CPU migrations", actual.scheduler().migrations());
    }

    /** Time the test's threads ran on a CPU, in nanoseconds. */
    public AbstractLongAssert<?> onCpuNanos() {
        isNotNull();
        return measuredByScheduler("on-CPU time in nanoseconds", actual.scheduler().onCpuNanos());
    }

    /** Time the test's threads were blocked, in nanoseconds (the run-queue wait after each wake-up not included). */
    public AbstractLongAssert<?> offCpuNanos() {
        isNotNull();
        return measuredByScheduler("off-CPU time in nanoseconds", actual.scheduler().offCpuNanos());
    }

    /**
     * A percentile of the test's run-queue waits (woken or preempted, to back on a CPU) in
     * nanoseconds, e.g. {@code runQueueLatency(99)}; 100 is the longest wait; 0 if it never waited.
     */
    public AbstractLongAssert<?> runQueueLatency(double percentile) {
        isNotNull();
        requirePercentile(percentile);
        return measuredByScheduler("run-queue " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                actual.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile));
    }

    /** E.g. {@code hasAtMostVoluntarySwitches(3)}: the test blocked at most 3 times. */
    public KernelMetricsAssert hasAtMostVoluntarySwitches(long limit) {
        isNotNull();
        long measured = actual.scheduler().voluntarySwitches();
        if (measured > limit) {
            failWithSchedulerContext("Expected at most %d voluntary context switches but the test blocked %d times",
                    limit, measured);
        }
        return this;
    }

    /** The test never blocked: no voluntary context switch. */
    public KernelMetricsAssert doesNotBlock() {
        isNotNull();
        long measured = actual.scheduler().voluntarySwitches();
        if (measured != 0) {
            failWithSchedulerContext("Expected the test not to block but it blocked %d %s (off-CPU %s)", measured,
                    measured == 1 ? "time" : "times", Durations.format(actual.scheduler().offCpuNanos()));
        }
        return this;
    }

    /** E.g. {@code hasRunQueueLatencyAtMost(99, "5ms")}. */
    public KernelMetricsAssert hasRunQueueLatencyAtMost(double percentile, String duration) {
        isNotNull();
        requirePercentile(percentile);
        long limit = Durations.parseNanos(duration);
        long measured = actual.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithSchedulerContext("Expected run-queue %s latency at most %s but it was %s",
                    DeclaredLimits.percentileLabel(percentile), Durations.format(limit), Durations.format(measured));
        }
        return this;
    }

    private AbstractLongAssert<?> measured(String what, long value) {
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        // Built only when the assertion fails: a passing assertion inside a traced test must not
        // load classes or format text that the kernel would count as the test's work.
        return Assertions.assertThat(value)
                .as(() -> prefix + what + " (top system calls: " + TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES) + ")");
    }

    private AbstractLongAssert<?> measuredByScheduler(String what, long value) {
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        // Lazy for the same reason as measured().
        return Assertions.assertThat(value)
                .as(() -> prefix + what + " (scheduler: " + SchedulerSummary.describe(actual.scheduler())
                        + "; top system calls: " + TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES) + ")");
    }

    private void failWithSchedulerContext(String message, Object... arguments) {
        failWithMessage("%s%nTop system calls: %s%nScheduler: %s", String.format(message, arguments),
                TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES), SchedulerSummary.describe(actual.scheduler()));
    }

    private void failWithContext(String message, Object... arguments) {
        // failWithMessage formats with String.format: keep the system call list out of the format string.
        failWithMessage("%s%nTop system calls: %s", String.format(message, arguments),
                TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES));
    }

    private static void requirePercentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside (0, 100]; use e.g. 99 or 99.9");
        }
    }
}
