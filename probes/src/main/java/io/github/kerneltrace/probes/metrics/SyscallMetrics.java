package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * What one system call did during one traced test: how often it was entered, how often it
 * failed (by errno name), the bytes it moved (read/write/send/recv families only) and its
 * entry-to-exit latency in nanoseconds.
 */
public final class SyscallMetrics {

    private final String name;
    private final long count;
    private final long errors;
    private final Map<String, Long> errorsByErrno;
    private final long bytes;
    private final Histogram latencyNanos;

    public SyscallMetrics(String name, long count, long errors, Map<String, Long> errorsByErrno,
                          long bytes, Histogram latencyNanos) {
        this.name = name;
        this.count = count;
        this.errors = errors;
        this.errorsByErrno = Collections.unmodifiableMap(new TreeMap<>(errorsByErrno));
        this.bytes = bytes;
        this.latencyNanos = latencyNanos;
    }

    /** A system call that was not made at all. */
    public static SyscallMetrics none(String name) {
        return new SyscallMetrics(name, 0, 0, Map.of(), 0, LatencyHistograms.create());
    }

    /** The system call's name in the kernel's table, e.g. {@code "write"}. */
    public String name() {
        return name;
    }

    /** Entries into the system call (as {@code strace -c} counts calls). */
    public long count() {
        return count;
    }

    /** Exits with an error; interrupted calls that the kernel restarts are not errors. */
    public long errors() {
        return errors;
    }

    /** Failures by errno name, e.g. {@code ENOENT -> 3}. */
    public Map<String, Long> errorsByErrno() {
        return errorsByErrno;
    }

    /** Sum of the positive return values, for calls that return a byte count; else 0. */
    public long bytes() {
        return bytes;
    }

    /** Entry-to-exit time of each completed call, in nanoseconds (at most 1% relative error). */
    public Histogram latencyNanos() {
        return latencyNanos;
    }

    /**
     * This call's metrics, keyed {@code syscalls.<name>.}: {@code count}, {@code errors}, one
     * {@code errorsByErrno.<ERRNO>} per errno seen, {@code bytes} and the {@code latencyNanos}
     * histogram's summary (see {@link Metric}).
     */
    public List<Metric> list() {
        String prefix = "syscalls." + name + ".";
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric(prefix + "count", Metric.Unit.CALLS, count));
        metrics.add(new Metric(prefix + "errors", Metric.Unit.CALLS, errors));
        errorsByErrno.forEach((errno, calls) -> metrics.add(new Metric(prefix + "errorsByErrno." + errno, Metric.Unit.CALLS, calls)));
        metrics.add(new Metric(prefix + "bytes", Metric.Unit.BYTES, bytes));
        Metric.addHistogram(metrics, prefix + "latencyNanos", Metric.Unit.NANOSECONDS, latencyNanos);
        return metrics;
    }

    @Override
    public String toString() {
        return name + "{count=" + count + ", errors=" + errors + ", bytes=" + bytes
                + ", p50=" + latencyNanos.getValueAtPercentile(50) + "ns}";
    }
}
