package io.github.kerneltrace.junit;

import java.util.function.ToLongFunction;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * One validated limit on a traced test.
 *
 * @param metric      a stable key for reports, e.g. {@code syscalls.write.count}
 * @param label       what is measured, for people, e.g. {@code write calls}
 * @param limit       the most allowed, in {@code unit}
 * @param unit        how values are counted and shown
 * @param declaration the annotation that declared the limit, as written in source
 * @param measure     reads the measured value from a test's metrics
 */
record Limit(String metric, String label, long limit, Unit unit, String declaration,
             ToLongFunction<KernelMetrics> measure) {

    LimitResult check(KernelMetrics metrics) {
        return new LimitResult(this, measure.applyAsLong(metrics));
    }

    /** How a limit's values are counted and shown. */
    enum Unit {
        CALLS("calls"),
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
                case CALLS -> Long.toString(value);
                case NANOSECONDS -> Durations.format(value);
                // Exact bytes too: a breach by a few bytes must be visible.
                case BYTES -> value < 1024 ? ByteSizes.format(value) : ByteSizes.format(value) + " (" + value + " B)";
            };
        }
    }
}
