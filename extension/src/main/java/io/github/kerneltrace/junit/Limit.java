package io.github.kerneltrace.junit;

import java.util.function.ToLongFunction;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * One validated limit on a traced test.
 *
 * @param metric      a stable key for reports, e.g. {@code syscalls.write.count}, {@code scheduler.migrations}
 * @param label       what is measured, for people, e.g. {@code write calls}
 * @param limit       the most allowed, in {@code unit}
 * @param unit        how values are counted and shown
 * @param declaration the annotation that declared the limit, as written in source
 * @param measure     reads the measured value from a test's metrics
 */
record Limit(String metric, String label, long limit, Unit unit, String declaration,
             ToLongFunction<KernelMetrics> measure) {

    /** Metric keys of limits on system calls start with this. */
    static final String SYSCALLS_PREFIX = "syscalls.";
    /** Metric keys of limits on the scheduler start with this. */
    static final String SCHEDULER_PREFIX = "scheduler.";

    LimitResult check(KernelMetrics metrics) {
        return new LimitResult(this, measure.applyAsLong(metrics));
    }

    /**
     * Whether the limit reads system-call latencies, which {@code @KernelTrace(latency = false)}
     * turns off. The scheduler's durations are measured either way.
     */
    boolean needsSyscallLatency() {
        return unit == Unit.NANOSECONDS && metric.startsWith(SYSCALLS_PREFIX);
    }

    /** Whether the limit is on the scheduler's metrics: failure messages then show them. */
    boolean onScheduler() {
        return metric.startsWith(SCHEDULER_PREFIX);
    }

    /** How a limit's values are counted and shown. */
    enum Unit {
        CALLS("calls"),
        /** Context switches, migrations: events that are not system calls. */
        COUNT("count"),
        NANOSECONDS("nanoseconds"),
        BYTES("bytes");

        private final String jsonName;

        Unit(String jsonName) {
            this.jsonName = jsonName;
        }

        String jsonName() {
            return jsonName;
        }

        String format(long value) {
            return switch (this) {
                case CALLS, COUNT -> Long.toString(value);
                case NANOSECONDS -> Durations.format(value);
                // Exact bytes too: a breach by a few bytes must be visible.
                case BYTES -> value < 1024 ? ByteSizes.format(value) : ByteSizes.format(value) + " (" + value + " B)";
            };
        }
    }
}
