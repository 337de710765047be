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
     * losses, hand-offs and the breaches if any.
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
        return line.toString();
    }
}
