package io.github.kerneltrace.junit;

import java.time.Instant;
import java.util.List;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Everything known about one traced test after its method ran: what reports, summaries and
 * failure messages are made from.
 *
 * @param durationNanos wall-clock time between switching counting on and off
 */
record TraceOutcome(TracedTest test, Scope scope, String kernel, Instant startedAt, long durationNanos,
                    KernelMetrics metrics, List<LimitResult> limits) {

    List<LimitResult> breaches() {
        return limits.stream().filter(LimitResult::breached).toList();
    }
}
