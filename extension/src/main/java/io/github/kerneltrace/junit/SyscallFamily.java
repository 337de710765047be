package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * System calls: {@link MaxSyscalls}, {@link MaxSyscallLatency}, {@link MaxBytesWritten} and
 * {@link MaxBytesRead}; the top calls that every failure message shows; the {@code totals} and
 * {@code syscalls} blocks of the report. Assertions: {@link SyscallsAssert}, {@link SyscallAssert}.
 */
final class SyscallFamily implements MetricFamily {

    static final SyscallFamily FAMILY = new SyscallFamily();

    /** How many of the most frequent calls failure messages and assertion descriptions list. */
    static final int IN_MESSAGES = 5;
    /** How many the summary line lists. */
    private static final int IN_SUMMARY = 5;
    /** How many get JUnit report entries of their own. */
    static final int IN_REPORT_ENTRIES = 10;

    /** A latency limit: a test that does not time its calls cannot have one. */
    private static final LimitContext LATENCY = new LimitContext() {
        @Override
        public boolean needsSyscallLatency() {
            return true;
        }
    };

    private SyscallFamily() {
    }

    @Override
    public void readLimits(AnnotatedElement element, DeclaredLimits limits) {
        AnnotationSupport.findRepeatableAnnotations(element, MaxSyscalls.class).forEach(max -> add(max, limits));
        AnnotationSupport.findRepeatableAnnotations(element, MaxSyscallLatency.class).forEach(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxBytesWritten.class).ifPresent(max -> limits.addBytes(this,
                "MaxBytesWritten", max.value(), "totals.bytesWritten", "bytes written", KernelMetrics::bytesWritten, LimitContext.NONE));
        AnnotationSupport.findAnnotation(element, MaxBytesRead.class).ifPresent(max -> limits.addBytes(this,
                "MaxBytesRead", max.value(), "totals.bytesRead", "bytes read", KernelMetrics::bytesRead, LimitContext.NONE));
    }

    private void add(MaxSyscalls max, DeclaredLimits limits) {
        if (limits.negative("MaxSyscalls", max.value())) {
            return;
        }
        if (max.syscall().isEmpty()) {
            limits.add(new Limit(this, "totals.syscalls", "system calls", max.value(), Limit.Unit.CALLS,
                    "@MaxSyscalls(" + max.value() + ")", KernelMetrics::totalSyscalls));
            return;
        }
        String name = max.syscall();
        if (knownSyscall("@MaxSyscalls(syscall = " + DeclaredLimits.quoted(name) + ")", name, limits)) {
            limits.add(new Limit(this, "syscalls." + name + ".count", name + " calls", max.value(), Limit.Unit.CALLS,
                    "@MaxSyscalls(value = " + max.value() + ", syscall = " + DeclaredLimits.quoted(name) + ")",
                    metrics -> metrics.syscall(name).count()));
        }
    }

    private void add(MaxSyscallLatency max, DeclaredLimits limits) {
        String name = max.syscall();
        boolean valid = knownSyscall("@MaxSyscallLatency(syscall = " + DeclaredLimits.quoted(name) + ")", name, limits);
        double percentile = max.percentile();
        valid &= limits.validPercentile("MaxSyscallLatency", percentile);
        long nanos = limits.duration("MaxSyscallLatency", max.value());
        if (valid && nanos >= 0) {
            String p = DeclaredLimits.percentileLabel(percentile);
            String declaration = "@MaxSyscallLatency(syscall = " + DeclaredLimits.quoted(name)
                    + (percentile == 99.0 ? "" : ", percentile = " + DeclaredLimits.percentileNumber(percentile))
                    + ", value = " + DeclaredLimits.quoted(max.value()) + ")";
            limits.add(new Limit(this, "syscalls." + name + ".latencyNanos." + Metric.percentileKey(percentile),
                    name + " " + p + " latency", nanos,
                    Limit.Unit.NANOSECONDS, declaration,
                    metrics -> metrics.syscall(name).latencyNanos().getValueAtPercentile(percentile), LATENCY));
        }
    }

    private static boolean knownSyscall(String attribute, String name, DeclaredLimits limits) {
        if (name.isBlank()) {
            limits.problem(attribute, "a system call name is required, e.g. \"write\"");
            return false;
        }
        try {
            SyscallTable.current().requireKnown(name);
            return true;
        } catch (IllegalArgumentException e) {
            limits.problem(attribute, e.getMessage());
            return false;
        }
    }

    @Override
    public String heading() {
        return "Top system calls";
    }

    /** E.g. {@code write 3 (12 B), openat 2 (1 error: ENOENT 1), close 1}; {@code none} when nothing was called. */
    @Override
    public String describe(KernelMetrics metrics) {
        return topCalls(metrics, IN_MESSAGES);
    }

    @Override
    public boolean inEveryFailure() {
        return true;
    }

    /** The {@code limit} most frequent calls as {@link #describe} shows them, and how many more there were. */
    static String topCalls(KernelMetrics metrics, int limit) {
        List<SyscallMetrics> top = metrics.topSyscalls(limit);
        if (top.isEmpty()) {
            return "none";
        }
        String listed = top.stream().map(SyscallFamily::describeCall).collect(Collectors.joining(", "));
        int more = metrics.syscalls().size() - top.size();
        return more > 0 ? listed + " and " + more + " more" : listed;
    }

    private static String describeCall(SyscallMetrics syscall) {
        StringBuilder text = new StringBuilder(syscall.name()).append(' ').append(syscall.count());
        StringBuilder details = new StringBuilder();
        if (syscall.bytes() > 0) {
            details.append(ByteSizes.format(syscall.bytes()));
        }
        if (syscall.errors() > 0) {
            if (details.length() > 0) {
                details.append(", ");
            }
            details.append(syscall.errors()).append(syscall.errors() == 1 ? " error" : " errors");
            if (!syscall.errorsByErrno().isEmpty()) {
                details.append(": ").append(syscall.errorsByErrno().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(" ")));
            }
        }
        if (details.length() > 0) {
            text.append(" (").append(details).append(')');
        }
        return text.toString();
    }

    /** E.g. {@code 42 syscalls (write 10, fsync 1, ...), 4.0 KiB written, 0 B read, p99 latency 35us}. */
    @Override
    public String summary(KernelMetrics metrics) {
        StringBuilder line = new StringBuilder().append(metrics.totalSyscalls()).append(" syscalls");
        if (!metrics.syscalls().isEmpty()) {
            line.append(" (").append(metrics.topSyscalls(IN_SUMMARY).stream()
                    .map(s -> s.name() + " " + s.count())
                    .collect(Collectors.joining(", ")));
            if (metrics.syscalls().size() > IN_SUMMARY) {
                line.append(", ...");
            }
            line.append(')');
        }
        line.append(", ").append(ByteSizes.format(metrics.bytesWritten())).append(" written, ")
                .append(ByteSizes.format(metrics.bytesRead())).append(" read");
        if (metrics.totalSyscalls() > 0) {
            line.append(", p99 latency ").append(Durations.format(metrics.syscallLatencyNanos().getValueAtPercentile(99)));
        }
        return line.toString();
    }

    /** Totals, then the ten most frequent calls. */
    @Override
    public void putReportEntries(KernelMetrics metrics, Map<String, String> entries) {
        entries.put("kerneltrace.syscalls.total", Long.toString(metrics.totalSyscalls()));
        entries.put("kerneltrace.syscalls.errors", Long.toString(metrics.totalErrors()));
        entries.put("kerneltrace.bytes.written", Long.toString(metrics.bytesWritten()));
        entries.put("kerneltrace.bytes.read", Long.toString(metrics.bytesRead()));
        for (SyscallMetrics syscall : metrics.topSyscalls(IN_REPORT_ENTRIES)) {
            String prefix = "kerneltrace.syscalls." + syscall.name();
            entries.put(prefix + ".count", Long.toString(syscall.count()));
            if (syscall.errors() > 0) {
                entries.put(prefix + ".errors", Long.toString(syscall.errors()));
            }
            entries.put(prefix + ".p99Nanos", Long.toString(syscall.latencyNanos().getValueAtPercentile(99)));
        }
    }

    /** {@code "totals": {...}, "syscalls": {"write": {...}, ...}}, most frequent call first. */
    @Override
    public void writeJson(KernelMetrics metrics, JsonWriter json) {
        json.name("totals").beginObject()
                .member("syscalls", metrics.totalSyscalls())
                .member("errors", metrics.totalErrors())
                .member("bytesRead", metrics.bytesRead())
                .member("bytesWritten", metrics.bytesWritten())
                .endObject();
        json.name("syscalls").beginObject();
        for (SyscallMetrics syscall : metrics.syscalls().values()) {
            json.name(syscall.name()).beginObject()
                    .member("count", syscall.count())
                    .member("errors", syscall.errors());
            json.name("errorsByErrno").beginObject();
            syscall.errorsByErrno().forEach((errno, calls) -> json.member(errno, (long) calls));
            json.endObject();
            json.member("bytes", syscall.bytes());
            JsonReport.writeHistogram(json.name("latencyNanos"), syscall.latencyNanos());
            json.endObject();
        }
        json.endObject();
    }
}
