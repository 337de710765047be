package io.github.kerneltrace.probes.metrics;

import java.math.BigDecimal;
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

    /** The percentiles every histogram summary lists, besides {@code min} and {@code max}. */
    private static final double[] SUMMARY_PERCENTILES = {50, 90, 99, 99.9};

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
        for (double percentile : SUMMARY_PERCENTILES) {
            metrics.add(new Metric(key + "." + percentileKey(percentile), unit, values.getValueAtPercentile(percentile)));
        }
        metrics.add(new Metric(key + ".max", unit, empty ? 0 : values.getMaxValue()));
    }

    /**
     * How a percentile of a histogram is named in a key, by histograms' summaries and by limits
     * alike: {@code p}, then the percentile with its decimal point dropped and at least two digits
     * before it, so that no two percentiles share a name: {@code p50}, {@code p99}, {@code p999}
     * (99.9), {@code p9999} (99.99), {@code p05} (5), {@code p025} (2.5). The 100th percentile is
     * the highest value, {@code max}.
     *
     * @param percentile greater than 0, at most 100
     */
    public static String percentileKey(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside (0, 100]");
        }
        if (percentile == 100) {
            return "max";
        }
        String plain = BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
        int point = plain.indexOf('.');
        String whole = point < 0 ? plain : plain.substring(0, point);
        String fraction = point < 0 ? "" : plain.substring(point + 1);
        return "p" + (whole.length() < 2 ? "0" + whole : whole) + fraction;
    }
}
