package io.github.kerneltrace.junit;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** The metrics published as JUnit report entries: totals and the ten most frequent system calls. */
final class ReportEntries {

    static final int LISTED_SYSCALLS = 10;

    private ReportEntries() {
    }

    static Map<String, String> of(TraceOutcome outcome) {
        KernelMetrics metrics = outcome.metrics();
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("kerneltrace.scope", outcome.scope().name());
        entries.put("kerneltrace.syscalls.total", Long.toString(metrics.totalSyscalls()));
        entries.put("kerneltrace.syscalls.errors", Long.toString(metrics.totalErrors()));
        entries.put("kerneltrace.bytes.written", Long.toString(metrics.bytesWritten()));
        entries.put("kerneltrace.bytes.read", Long.toString(metrics.bytesRead()));
        for (SyscallMetrics syscall : metrics.topSyscalls(LISTED_SYSCALLS)) {
            String prefix = "kerneltrace.syscalls." + syscall.name();
            entries.put(prefix + ".count", Long.toString(syscall.count()));
            if (syscall.errors() > 0) {
                entries.put(prefix + ".errors", Long.toString(syscall.errors()));
            }
            entries.put(prefix + ".p99Nanos", Long.toString(syscall.latencyNanos().getValueAtPercentile(99)));
        }
        entries.put("kerneltrace.limits.breached", Long.toString(outcome.breaches().size()));
        return entries;
    }
}
