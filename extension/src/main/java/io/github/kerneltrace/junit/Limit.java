package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * One validated limit on a traced test.
 *
 * @param family      the metric family the limit is on: failure messages show its figures
 * @param metric      the key of the figure the limit is on, exactly as {@link KernelMetrics#list()} and the
 *                    JSON report name it, e.g. {@code syscalls.write.count}, {@code totals.syscalls},
 *                    {@code syscalls.fsync.latencyNanos.p99} (percentiles: {@code Metric.percentileKey})
 * @param label       what is measured, for people, e.g. {@code write calls}
 * @param limit       the most allowed, in {@code unit}
 * @param unit        how values are counted and shown
 * @param declaration the annotation that declared the limit, as written in source
 * @param measure     reads the measured value from a test's metrics
 * @param context     whether the metrics measured it, what explains a breach, and what it needs counted
 */
record Limit(MetricFamily family, String metric, String label, long limit, Unit unit, String declaration,
             ToLongFunction<KernelMetrics> measure, LimitContext context) {

    /** A limit that is always measured and whose breach the measured number explains. */
    Limit(MetricFamily family, String metric, String label, long limit, Unit unit, String declaration,
          ToLongFunction<KernelMetrics> measure) {
        this(family, metric, label, limit, unit, declaration, measure, LimitContext.NONE);
    }

    LimitResult check(KernelMetrics metrics) {
        Optional<String> notMeasured = context.notMeasured(metrics);
        if (notMeasured.isPresent()) {
            return LimitResult.notMeasured(this, notMeasured.get());
        }
        long measured = measure.applyAsLong(metrics);
        return new LimitResult(this, measured, null, measured > limit ? context.breachDetails(metrics) : List.of());
    }

    /**
     * Whether the limit reads system-call latencies, which {@code @KernelTrace(latency = false)}
     * turns off. The scheduler's durations are measured either way.
     */
    boolean needsSyscallLatency() {
        return context.needsSyscallLatency();
    }

    /**
     * Whether the limit reads native allocations, which are counted only for tests that ask (the
     * uprobes cost every allocator call of the JVM): such a limit asks for them.
     */
    boolean needsNativeAllocations() {
        return context.needsNativeAllocations();
    }

    /** Whether the limit reads JVM events, counted only for tests that ask (the probes trap in every thread): it asks. */
    boolean needsJvmEvents() {
        return context.needsJvmEvents();
    }

    /** Whether the limit reads what only the scheduler programs measure: the test then requires them. */
    boolean needsScheduler() {
        return context.needsScheduler();
    }

    /** How a limit's values are counted and shown. */
    enum Unit {
        CALLS("calls"),
        /** Context switches, migrations, native allocations, page faults: events that are not system calls. */
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
                // Exact bytes too: a breach by a few bytes must be visible. (Address-space growth can be negative.)
                case BYTES -> Math.abs(value) < 1024 ? ByteSizes.format(value) : ByteSizes.format(value) + " (" + value + " B)";
            };
        }
    }
}
