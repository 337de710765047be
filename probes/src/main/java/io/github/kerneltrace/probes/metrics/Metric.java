package io.github.kerneltrace.probes.metrics;

import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * One figure of a traced test, named by a stable key: the figure's path in the test's JSON report,
 * e.g. {@code syscalls.write.count}, {@code syscalls.write.latencyNanos.p99},
 * {@code scheduler.voluntarySwitches}, {@code memory.heap.allocatedBytes}. Code that compares
 * every figure of two runs (baselines) uses {@link KernelMetrics#list()} and these keys, without
 * knowing the families they come from.
 *
 * @param key   the JSON path, dot-separated
 * @param unit  how the value is counted
 * @param value the measured value
 */
public record Metric(String key, Unit unit, long value) {

    /** How a metric's value is counted. */
    public enum Unit {
        /** System calls made. */
        CALLS,
        /** Events that are not system calls: context switches, page faults, allocations, threads. */
        COUNT,
        NANOSECONDS,
        BYTES
    }

    /**
     * The summary of a histogram that reports show, under {@code key}: {@code .count} (values
     * recorded), {@code .min}, {@code .p50}, {@code .p90}, {@code .p99}, {@code .p999}, {@code .max}
     * (all 0 when nothing was recorded). The mean is in reports but is not a metric: it is not a
     * whole number, and the percentiles are what gates compare.
     */
    static void addHistogram(List<Metric> metrics, String key, Unit unit, Histogram values) {
        boolean empty = values.getTotalCount() == 0;
        metrics.add(new Metric(key + ".count", Unit.COUNT, values.getTotalCount()));
        metrics.add(new Metric(key + ".min", unit, empty ? 0 : values.getMinValue()));
        metrics.add(new Metric(key + ".p50", unit, values.getValueAtPercentile(50)));
        metrics.add(new Metric(key + ".p90", unit, values.getValueAtPercentile(90)));
        metrics.add(new Metric(key + ".p99", unit, values.getValueAtPercentile(99)));
        metrics.add(new Metric(key + ".p999", unit, values.getValueAtPercentile(99.9)));
        metrics.add(new Metric(key + ".max", unit, empty ? 0 : values.getMaxValue()));
    }
}
