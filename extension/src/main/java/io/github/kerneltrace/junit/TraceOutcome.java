package io.github.kerneltrace.junit;

import java.time.Instant;
import java.util.List;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Everything known about one traced test after its method ran: what reports, summaries and
 * failure messages are made from.
 *
 * @param durationNanos wall-clock time between switching counting on and off
 * @param baseline      the comparison with the class's baseline ({@link BaselineVerdict#OFF} until made)
 */
record TraceOutcome(TracedTest test, Scope scope, String kernel, Instant startedAt, long durationNanos,
                    KernelMetrics metrics, List<LimitResult> limits, BaselineVerdict baseline) {

    TraceOutcome(TracedTest test, Scope scope, String kernel, Instant startedAt, long durationNanos,
                 KernelMetrics metrics, List<LimitResult> limits) {
        this(test, scope, kernel, startedAt, durationNanos, metrics, limits, BaselineVerdict.OFF);
    }

    TraceOutcome withBaseline(BaselineVerdict verdict) {
        return new TraceOutcome(test, scope, kernel, startedAt, durationNanos, metrics, limits, verdict);
    }

    List<LimitResult> breaches() {
        return limits.stream().filter(LimitResult::breached).toList();
    }
}
