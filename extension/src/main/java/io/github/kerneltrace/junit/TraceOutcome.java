package io.github.kerneltrace.junit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;

/**
 * Everything known about one traced test after its method ran: what reports, summaries and
 * failure messages are made from.
 *
 * @param startedAt     when the last repetition started
 * @param durationNanos wall-clock time between switching counting on and off, in the last repetition
 * @param metrics       the last repetition's metrics: what the JSON report and the session show
 * @param limits        each limit checked against the median of its value over the repetitions
 * @param baseline      the comparison with the class's baseline ({@link BaselineVerdict#OFF} until made)
 * @param warmups       how many runs, their counts discarded, came before the repetitions
 * @param repetitions   each traced repetition's metrics, in the order they ran; the last is {@code metrics}
 * @param gatedKeys     with more than one repetition, the metric keys a baseline rule applies to
 *                      (recorded, compared, or would be): the report lists their values over the
 *                      repetitions; empty for one
 */
record TraceOutcome(TracedTest test, Scope scope, String kernel, Instant startedAt, long durationNanos,
                    KernelMetrics metrics, List<LimitResult> limits, BaselineVerdict baseline,
                    int warmups, List<KernelMetrics> repetitions, SortedSet<String> gatedKeys) {

    TraceOutcome {
        repetitions = List.copyOf(repetitions);
        gatedKeys = Collections.unmodifiableSortedSet(new TreeSet<>(gatedKeys));
    }

    /** One traced run, no warm-up. */
    TraceOutcome(TracedTest test, Scope scope, String kernel, Instant startedAt, long durationNanos,
                 KernelMetrics metrics, List<LimitResult> limits) {
        this(test, scope, kernel, startedAt, durationNanos, metrics, limits, BaselineVerdict.OFF, 0, List.of(metrics),
                new TreeSet<>());
    }

    TraceOutcome withBaseline(BaselineVerdict verdict) {
        return withBaseline(verdict, gatedKeys);
    }

    TraceOutcome withBaseline(BaselineVerdict verdict, SortedSet<String> keys) {
        return new TraceOutcome(test, scope, kernel, startedAt, durationNanos, metrics, limits, verdict, warmups,
                repetitions, keys);
    }

    List<LimitResult> breaches() {
        return limits.stream().filter(LimitResult::breached).toList();
    }

    /** One metric key over the repetitions: its unit and its value in each, in the order they ran. */
    record Series(Metric.Unit unit, List<Long> values) {

        long median() {
            return Repetitions.median(values);
        }
    }

    /**
     * Every metric key measured in any repetition, with its values. A key missing from a
     * repetition counts 0 there (a system call not made, a histogram left empty). Computed on each
     * call: keep the result.
     */
    SortedMap<String, Series> series() {
        Map<String, Metric.Unit> units = new LinkedHashMap<>();
        List<Map<String, Long>> runs = new ArrayList<>();
        for (KernelMetrics run : repetitions) {
            Map<String, Long> values = new LinkedHashMap<>();
            run.list().forEach(metric -> {
                units.putIfAbsent(metric.key(), metric.unit());
                values.put(metric.key(), metric.value());
            });
            runs.add(values);
        }
        SortedMap<String, Series> series = new TreeMap<>();
        units.forEach((key, unit) -> series.put(key,
                new Series(unit, runs.stream().map(values -> values.getOrDefault(key, 0L)).toList())));
        return series;
    }

    /** {@link #gatedKeys()} with their values over the repetitions, for the report. */
    SortedMap<String, List<Long>> gatedValues() {
        SortedMap<String, Series> series = series();
        SortedMap<String, List<Long>> values = new TreeMap<>();
        gatedKeys.stream().filter(series::containsKey).forEach(key -> values.put(key, series.get(key).values()));
        return values;
    }
}
