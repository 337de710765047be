package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * What the scheduler did to a traced test's threads while it was counted: how often they were
 * switched out (blocking or preempted), moved between CPUs and woken, how long they ran, waited
 * in a run queue, and slept. See docs/metrics.md for the exact definitions.
 */
public final class SchedulerMetrics {

    /** A test that was not switched, woken or moved at all. */
    public static final SchedulerMetrics NONE = new SchedulerMetrics(0, 0, 0, 0, 0, 0, 0,
            LatencyHistograms.create(), LatencyHistograms.create());

    private final long voluntarySwitches;
    private final long involuntarySwitches;
    private final long migrations;
    private final long wakeups;
    private final long onCpuNanos;
    private final long runQueueNanos;
    private final long offCpuNanos;
    private final Histogram runQueueLatencyNanos;
    private final Histogram offCpuTimeNanos;

    public SchedulerMetrics(long voluntarySwitches, long involuntarySwitches, long migrations, long wakeups,
                            long onCpuNanos, long runQueueNanos, long offCpuNanos,
                            Histogram runQueueLatencyNanos, Histogram offCpuTimeNanos) {
        this.voluntarySwitches = voluntarySwitches;
        this.involuntarySwitches = involuntarySwitches;
        this.migrations = migrations;
        this.wakeups = wakeups;
        this.onCpuNanos = onCpuNanos;
        this.runQueueNanos = runQueueNanos;
        this.offCpuNanos = offCpuNanos;
        this.runQueueLatencyNanos = runQueueLatencyNanos;
        this.offCpuTimeNanos = offCpuTimeNanos;
    }

    /** Switched out while blocking (sleep, lock, I/O): the kernel's {@code voluntary_ctxt_switches}. */
    public long voluntarySwitches() {
        return voluntarySwitches;
    }

    /** Switched out while still runnable (preempted, or yielded): {@code nonvoluntary_ctxt_switches}. */
    public long involuntarySwitches() {
        return involuntarySwitches;
    }

    public long contextSwitches() {
        return voluntarySwitches + involuntarySwitches;
    }

    /** Moves to another CPU: the kernel's {@code se.nr_migrations}. */
    public long migrations() {
        return migrations;
    }

    /** Wake-ups from blocked. */
    public long wakeups() {
        return wakeups;
    }

    /** Time on a CPU, in nanoseconds. */
    public long onCpuNanos() {
        return onCpuNanos;
    }

    /** Time runnable but waiting for a CPU, in nanoseconds: the sum of the run-queue latencies. */
    public long runQueueNanos() {
        return runQueueNanos;
    }

    /** Time blocked, in nanoseconds; the run-queue wait after the wake-up is not included. */
    public long offCpuNanos() {
        return offCpuNanos;
    }

    /** Each wait from wake-up (or preemption) to getting a CPU, in nanoseconds. */
    public Histogram runQueueLatencyNanos() {
        return runQueueLatencyNanos;
    }

    /** Each blocked stretch, from switching out to the wake-up, in nanoseconds. */
    public Histogram offCpuTimeNanos() {
        return offCpuTimeNanos;
    }

    /**
     * These metrics keyed {@code scheduler.}: the counts and times by their accessor names
     * ({@code voluntarySwitches}, ..., {@code offCpuNanos}) and the summaries of the
     * {@code runQueueLatencyNanos} and {@code offCpuTimeNanos} histograms (see {@link Metric}).
     */
    public List<Metric> list() {
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric("scheduler.voluntarySwitches", Metric.Unit.COUNT, voluntarySwitches));
        metrics.add(new Metric("scheduler.involuntarySwitches", Metric.Unit.COUNT, involuntarySwitches));
        metrics.add(new Metric("scheduler.contextSwitches", Metric.Unit.COUNT, contextSwitches()));
        metrics.add(new Metric("scheduler.migrations", Metric.Unit.COUNT, migrations));
        metrics.add(new Metric("scheduler.wakeups", Metric.Unit.COUNT, wakeups));
        metrics.add(new Metric("scheduler.onCpuNanos", Metric.Unit.NANOSECONDS, onCpuNanos));
        metrics.add(new Metric("scheduler.runQueueNanos", Metric.Unit.NANOSECONDS, runQueueNanos));
        metrics.add(new Metric("scheduler.offCpuNanos", Metric.Unit.NANOSECONDS, offCpuNanos));
        Metric.addHistogram(metrics, "scheduler.runQueueLatencyNanos", Metric.Unit.NANOSECONDS, runQueueLatencyNanos);
        Metric.addHistogram(metrics, "scheduler.offCpuTimeNanos", Metric.Unit.NANOSECONDS, offCpuTimeNanos);
        return metrics;
    }

    @Override
    public String toString() {
        return "SchedulerMetrics{voluntary=" + voluntarySwitches + ", involuntary=" + involuntarySwitches
                + ", migrations=" + migrations + ", onCpu=" + onCpuNanos + "ns, runQueue=" + runQueueNanos
                + "ns, offCpu=" + offCpuNanos + "ns}";
    }
}
