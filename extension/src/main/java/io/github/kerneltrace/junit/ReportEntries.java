package io.github.kerneltrace.junit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics published as JUnit report entries: the scope, each family's entries (totals and the
 * ten most frequent system calls, the scheduler's counts and times, memory), and the breaches.
 */
final class ReportEntries {

    private ReportEntries() {
    }

    static Map<String, String> of(TraceOutcome outcome) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("kerneltrace.scope", outcome.scope().name());
        for (MetricFamily family : MetricFamilies.ALL) {
            family.putReportEntries(outcome.metrics(), entries);
        }
        entries.put("kerneltrace.limits.breached", Long.toString(outcome.breaches().size()));
        return entries;
    }
}
