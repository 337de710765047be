package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

/**
 * The scheduler: {@link MaxContextSwitches}, {@link MaxMigrations}, {@link MaxRunQueueLatency},
 * {@link MaxOffCpuTime} and {@link MaxOnCpuTime}; what the scheduler did, in one line, for
 * failures and summaries; the {@code scheduler} block of the report. Assertions: {@link SchedulerAssert}.
 */
final class SchedulerFamily implements MetricFamily {

    static final SchedulerFamily FAMILY = new SchedulerFamily();

    private SchedulerFamily() {
    }

    @Override
    public void readLimits(AnnotatedElement element, DeclaredLimits limits) {
        AnnotationSupport.findRepeatableAnnotations(element, MaxContextSwitches.class).forEach(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxMigrations.class).ifPresent(max -> add(max, limits));
        AnnotationSupport.findRepeatableAnnotations(element, MaxRunQueueLatency.class).forEach(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxOffCpuTime.class).ifPresent(max -> addDuration("MaxOffCpuTime",
                max.value(), "scheduler.offCpuNanos", "off-CPU time", SchedulerMetrics::offCpuNanos, limits));
        AnnotationSupport.findAnnotation(element, MaxOnCpuTime.class).ifPresent(max -> addDuration("MaxOnCpuTime",
                max.value(), "scheduler.onCpuNanos", "on-CPU time", SchedulerMetrics::onCpuNanos, limits));
    }

    private void add(MaxContextSwitches max, DeclaredLimits limits) {
        if (limits.negative("MaxContextSwitches", max.value())) {
            return;
        }
        SwitchKind kind = max.kind();
        String declaration = kind == SwitchKind.ALL
                ? "@MaxContextSwitches(" + max.value() + ")"
                : "@MaxContextSwitches(value = " + max.value() + ", kind = " + kind + ")";
        switch (kind) {
            case ALL -> limits.add(new Limit(this, "scheduler.contextSwitches", "context switches", max.value(),
                    Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::contextSwitches), LimitContext.SCHEDULER));
            case VOLUNTARY -> limits.add(new Limit(this, "scheduler.voluntarySwitches", "voluntary context switches",
                    max.value(), Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::voluntarySwitches), LimitContext.SCHEDULER));
            case INVOLUNTARY -> limits.add(new Limit(this, "scheduler.involuntarySwitches", "involuntary context switches",
                    max.value(), Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::involuntarySwitches), LimitContext.SCHEDULER));
        }
    }

    private void add(MaxMigrations max, DeclaredLimits limits) {
        if (limits.negative("MaxMigrations", max.value())) {
            return;
        }
        limits.add(new Limit(this, "scheduler.migrations", "CPU migrations", max.value(), Limit.Unit.COUNT,
                "@MaxMigrations(" + max.value() + ")", scheduler(SchedulerMetrics::migrations), LimitContext.SCHEDULER));
    }

    private void add(MaxRunQueueLatency max, DeclaredLimits limits) {
        double percentile = max.percentile();
        boolean valid = limits.validPercentile("MaxRunQueueLatency", percentile);
        long nanos = limits.duration("MaxRunQueueLatency", max.value());
        if (valid && nanos >= 0) {
            String p = DeclaredLimits.percentileLabel(percentile);
            String declaration = percentile == 99.0
                    ? "@MaxRunQueueLatency(" + DeclaredLimits.quoted(max.value()) + ")"
                    : "@MaxRunQueueLatency(percentile = " + DeclaredLimits.percentileNumber(percentile)
                    + ", value = " + DeclaredLimits.quoted(max.value()) + ")";
            limits.add(new Limit(this, "scheduler.runQueueLatencyNanos." + Metric.percentileKey(percentile),
                    "run-queue " + p + " latency", nanos,
                    Limit.Unit.NANOSECONDS, declaration,
                    metrics -> metrics.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile),
                    LimitContext.SCHEDULER));
        }
    }

    private void addDuration(String annotation, String value, String metric, String label,
                             ToLongFunction<SchedulerMetrics> measure, DeclaredLimits limits) {
        long nanos = limits.duration(annotation, value);
        if (nanos >= 0) {
            limits.add(new Limit(this, metric, label, nanos, Limit.Unit.NANOSECONDS,
                    "@" + annotation + "(" + DeclaredLimits.quoted(value) + ")", scheduler(measure), LimitContext.SCHEDULER));
        }
    }

    private static ToLongFunction<KernelMetrics> scheduler(ToLongFunction<SchedulerMetrics> measure) {
        return metrics -> measure.applyAsLong(metrics.scheduler());
    }

    @Override
    public String heading() {
        return "Scheduler";
    }

    @Override
    public String describe(KernelMetrics metrics) {
        return describe(metrics.scheduler());
    }

    /**
     * E.g. {@code 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms, run-queue p99
     * 45us (12 waits), off-CPU 20.4ms}: everything a scheduler limit is set on, so that a breach
     * of one shows the others (a blocked test's off-CPU time, a starved test's migrations).
     */
    static String describe(SchedulerMetrics scheduler) {
        long waits = scheduler.runQueueLatencyNanos().getTotalCount();
        return scheduler.voluntarySwitches() + " voluntary + " + scheduler.involuntarySwitches() + " involuntary switches, "
                + MetricFamily.counted(scheduler.migrations(), "migration", "migrations")
                + ", on-CPU " + Durations.format(scheduler.onCpuNanos())
                + ", run-queue p99 " + Durations.format(scheduler.runQueueLatencyNanos().getValueAtPercentile(99))
                + " (" + MetricFamily.counted(waits, "wait", "waits") + ")"
                + ", off-CPU " + Durations.format(scheduler.offCpuNanos());
    }

    @Override
    public String summary(KernelMetrics metrics) {
        return observed(metrics.scheduler()) ? brief(metrics.scheduler()) : "";
    }

    /** E.g. {@code 12 switches (10 voluntary), on-CPU 3.1ms}: the short form for the summary line. */
    static String brief(SchedulerMetrics scheduler) {
        return MetricFamily.counted(scheduler.contextSwitches(), "switch", "switches")
                + " (" + scheduler.voluntarySwitches() + " voluntary), on-CPU " + Durations.format(scheduler.onCpuNanos());
    }

    /** Whether the scheduler saw the test at all; a backend without scheduler data reports nothing. */
    static boolean observed(SchedulerMetrics scheduler) {
        return scheduler.contextSwitches() > 0 || scheduler.onCpuNanos() > 0 || scheduler.wakeups() > 0
                || scheduler.migrations() > 0;
    }

    @Override
    public void putReportEntries(KernelMetrics metrics, Map<String, String> entries) {
        SchedulerMetrics scheduler = metrics.scheduler();
        entries.put("kerneltrace.scheduler.voluntarySwitches", Long.toString(scheduler.voluntarySwitches()));
        entries.put("kerneltrace.scheduler.involuntarySwitches", Long.toString(scheduler.involuntarySwitches()));
        entries.put("kerneltrace.scheduler.migrations", Long.toString(scheduler.migrations()));
        entries.put("kerneltrace.scheduler.onCpuNanos", Long.toString(scheduler.onCpuNanos()));
        entries.put("kerneltrace.scheduler.offCpuNanos", Long.toString(scheduler.offCpuNanos()));
        entries.put("kerneltrace.scheduler.runQueueP99Nanos",
                Long.toString(scheduler.runQueueLatencyNanos().getValueAtPercentile(99)));
    }

    @Override
    public void writeJson(KernelMetrics metrics, JsonWriter json) {
        SchedulerMetrics scheduler = metrics.scheduler();
        json.name("scheduler").beginObject()
                .member("voluntarySwitches", scheduler.voluntarySwitches())
                .member("involuntarySwitches", scheduler.involuntarySwitches())
                .member("contextSwitches", scheduler.contextSwitches())
                .member("migrations", scheduler.migrations())
                .member("wakeups", scheduler.wakeups())
                .member("onCpuNanos", scheduler.onCpuNanos())
                .member("runQueueNanos", scheduler.runQueueNanos())
                .member("offCpuNanos", scheduler.offCpuNanos());
        JsonReport.writeHistogram(json.name("runQueueLatencyNanos"), scheduler.runQueueLatencyNanos());
        JsonReport.writeHistogram(json.name("offCpuTimeNanos"), scheduler.offCpuTimeNanos());
        json.endObject();
    }
}
