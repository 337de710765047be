package io.github.kerneltrace.junit;

import java.util.stream.Collectors;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** The one line per traced test printed to standard output. */
final class SummaryLine {

    private static final int LISTED_SYSCALLS = 5;

    private SummaryLine() {
    }

    /**
     * E.g. {@code [kerneltrace] AppendLogTest.append() scope=TEST: 42 syscalls (write 10, fsync 1, ...),
     * 4.0 KiB written, 0 B read, p99 latency 35us, 12 switches (10 voluntary), on-CPU 3.1ms, heap 1.2 MiB,
     * 310 page faults (0 major), mapped 2.0 MiB, unmapped 0 B}, plus the breaches if any.
     */
    static String of(TraceOutcome outcome) {
        KernelMetrics metrics = outcome.metrics();
        StringBuilder line = new StringBuilder("[kerneltrace] ").append(outcome.test().shortName())
                .append(" scope=").append(outcome.scope()).append(": ")
                .append(metrics.totalSyscalls()).append(" syscalls");
        if (!metrics.syscalls().isEmpty()) {
            line.append(" (").append(metrics.topSyscalls(LISTED_SYSCALLS).stream()
                    .map(s -> s.name() + " " + s.count())
                    .collect(Collectors.joining(", ")));
            if (metrics.syscalls().size() > LISTED_SYSCALLS) {
                line.append(", ...");
            }
            line.append(')');
        }
        line.append(", ").append(ByteSizes.format(metrics.bytesWritten())).append(" written, ")
                .append(ByteSizes.format(metrics.bytesRead())).append(" read");
        if (metrics.totalSyscalls() > 0) {
            line.append(", p99 latency ").append(Durations.format(metrics.syscallLatencyNanos().getValueAtPercentile(99)));
        }
        if (SchedulerSummary.observed(metrics.scheduler())) {
            line.append(", ").append(SchedulerSummary.brief(metrics.scheduler()));
        }
        if (MemorySummary.observed(metrics.memory())) {
            line.append(", ").append(MemorySummary.brief(metrics.memory()));
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
