package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** The one line per traced test printed to standard output. */
final class SummaryLine {

    private SummaryLine() {
    }

    /**
     * E.g. {@code [kerneltrace] AppendLogTest.append() scope=TEST: 42 syscalls (write 10, fsync 1, ...),
     * 4.0 KiB written, 0 B read, p99 latency 35us, 12 switches (10 voluntary), on-CPU 3.1ms, heap 1.2 MiB,
     * 310 page faults (0 major), mapped 2.0 MiB, unmapped 0 B}: each family's part in turn, then
     * losses, hand-offs, the breaches if any, and the baseline's verdict: {@code baseline passed},
     * or for a regression every change, e.g. {@code baseline regressed: syscalls.write.count: 3 → 4 (+1, exact)}.
     */
    static String of(TraceOutcome outcome) {
        KernelMetrics metrics = outcome.metrics();
        StringBuilder line = new StringBuilder("[kerneltrace] ").append(outcome.test().shortName())
                .append(" scope=").append(outcome.scope()).append(": ");
        String separator = "";
        for (MetricFamily family : MetricFamilies.ALL) {
            String part = family.summary(metrics);
            if (!part.isEmpty()) {
                line.append(separator).append(part);
                separator = ", ";
            }
        }
        if (metrics.diagnostics().lostSamples()) {
            line.append(", ").append(metrics.diagnostics().describeLosses());
        }
        metrics.diagnostics().handOffs().notes().forEach(note -> line.append(", ").append(note));
        long breaches = outcome.breaches().size();
        if (breaches > 0) {
            line.append(", ").append(breaches).append(breaches == 1 ? " limit" : " limits").append(" exceeded");
        }
        BaselineVerdict baseline = outcome.baseline();
        if (baseline.status() != BaselineVerdict.Status.OFF) {
            line.append(", baseline ").append(baseline.status().jsonName());
            String lead = ": ";
            for (BaselineVerdict.Change change : baseline.regressions()) {
                line.append(lead).append(change.text());
                lead = "; ";
            }
        }
        return line.toString();
    }
}
