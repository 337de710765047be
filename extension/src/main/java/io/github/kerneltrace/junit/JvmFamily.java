package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.MetricFamily.counted;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.HdrHistogram.Histogram;
import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.JvmEventMetrics;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;

/**
 * JVM events, from HotSpot's USDT probes: {@link MaxGcPauses}, {@link MaxGcPauseTime},
 * {@link MaxSafepoints}, {@link MaxParks}, {@link MaxSleeps}, {@link MaxJitCompilations},
 * {@link MaxClassesLoaded}, {@link MaxContendedMonitorEnters} (each turns the probes on for its
 * test); the figures in one line for failures and summaries; the {@code jvm} block of the report.
 * GC pauses, safepoints and compilations are JVM-wide and every text says so. Assertions: {@link JvmAssert}.
 */
final class JvmFamily implements MetricFamily {

    static final JvmFamily FAMILY = new JvmFamily();

    private JvmFamily() {
    }

    /** Why the JVM events are missing, ending with the fix. */
    static String notCounted(JvmEventMetrics jvm) {
        return "JVM events were not counted for this test (" + jvm.notCountedReason() + ")";
    }

    @Override
    public void readLimits(AnnotatedElement element, DeclaredLimits limits) {
        AnnotationSupport.findAnnotation(element, MaxGcPauses.class).ifPresent(max -> {
            if (!limits.negative("MaxGcPauses", max.value())) {
                limits.add(max.full()
                        ? count("jvm.gc.fullPauses", "full GC pauses (JVM-wide)", max.value(),
                                "@MaxGcPauses(value = " + max.value() + ", full = true)", JvmEventMetrics::fullGcPauses)
                        : count("jvm.gc.pauses", "GC pauses (JVM-wide)", max.value(),
                                "@MaxGcPauses(" + max.value() + ")", JvmEventMetrics::gcPauses));
            }
        });
        AnnotationSupport.findAnnotation(element, MaxGcPauseTime.class).ifPresent(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxSafepoints.class).ifPresent(max -> addCount(limits, "MaxSafepoints",
                max.value(), "jvm.safepoints.count", "safepoints (JVM-wide)", JvmEventMetrics::safepoints));
        AnnotationSupport.findAnnotation(element, MaxParks.class).ifPresent(max -> addCount(limits, "MaxParks",
                max.value(), "jvm.parks.count", "parks", JvmEventMetrics::parks));
        AnnotationSupport.findAnnotation(element, MaxSleeps.class).ifPresent(max -> addCount(limits, "MaxSleeps",
                max.value(), "jvm.sleeps.count", "sleeps", JvmEventMetrics::sleeps));
        AnnotationSupport.findAnnotation(element, MaxJitCompilations.class).ifPresent(max -> addCount(limits,
                "MaxJitCompilations", max.value(), "jvm.jit.compilations", "JIT compilations (JVM-wide)",
                JvmEventMetrics::jitCompilations));
        AnnotationSupport.findAnnotation(element, MaxClassesLoaded.class).ifPresent(max -> addCount(limits,
                "MaxClassesLoaded", max.value(), "jvm.classes.loaded", "classes loaded", JvmEventMetrics::classesLoaded));
        AnnotationSupport.findAnnotation(element, MaxContendedMonitorEnters.class).ifPresent(max -> {
            if (!limits.negative("MaxContendedMonitorEnters", max.value())) {
                limits.add(new Limit(this, "jvm.monitors.contendedEnters", "contended monitor enters", max.value(),
                        Limit.Unit.COUNT, "@MaxContendedMonitorEnters(" + max.value() + ")",
                        metrics -> metrics.jvm().contendedMonitorEnters(), JvmLimitContext.MONITORS));
            }
        });
    }

    private void addCount(DeclaredLimits limits, String annotation, long value, String metric, String label,
                          ToLongFunction<JvmEventMetrics> measure) {
        if (!limits.negative(annotation, value)) {
            limits.add(count(metric, label, value, "@" + annotation + "(" + value + ")", measure));
        }
    }

    private Limit count(String metric, String label, long value, String declaration, ToLongFunction<JvmEventMetrics> measure) {
        return new Limit(this, metric, label, value, Limit.Unit.COUNT, declaration,
                metrics -> measure.applyAsLong(metrics.jvm()), JvmLimitContext.EVENTS);
    }

    private void add(MaxGcPauseTime max, DeclaredLimits limits) {
        double percentile = max.percentile();
        boolean valid = limits.validPercentile("MaxGcPauseTime", percentile);
        long nanos = limits.duration("MaxGcPauseTime", max.value());
        if (valid && nanos >= 0) {
            String declaration = percentile == 99.0
                    ? "@MaxGcPauseTime(" + DeclaredLimits.quoted(max.value()) + ")"
                    : "@MaxGcPauseTime(percentile = " + DeclaredLimits.percentileNumber(percentile)
                    + ", value = " + DeclaredLimits.quoted(max.value()) + ")";
            limits.add(new Limit(this, "jvm.gc.pauseNanos." + Metric.percentileKey(percentile),
                    "GC pause " + DeclaredLimits.percentileLabel(percentile) + " (JVM-wide)", nanos, Limit.Unit.NANOSECONDS,
                    declaration, metrics -> metrics.jvm().gcPauseNanos().getValueAtPercentile(percentile),
                    JvmLimitContext.EVENTS));
        }
    }

    @Override
    public String heading() {
        return "JVM";
    }

    /**
     * E.g. {@code 3 GC pauses (3 full, p99 15.5ms), 3 safepoints (p99 15.6ms), 2 JIT compilations
     * (GC pauses, safepoints, compilations JVM-wide); 25 parks (p99 250us), 7 sleeps, 1 class loaded,
     * contended monitor enters not counted: start the JVM with -XX:+DTraceMonitorProbes}.
     */
    @Override
    public String describe(KernelMetrics metrics) {
        JvmEventMetrics jvm = metrics.jvm();
        if (!jvm.counted()) {
            return notCounted(jvm);
        }
        StringBuilder text = new StringBuilder()
                .append(counted(jvm.gcPauses(), "GC pause", "GC pauses"))
                .append(" (").append(jvm.fullGcPauses()).append(" full").append(p99(jvm.gcPauseNanos())).append("), ")
                .append(counted(jvm.safepoints(), "safepoint", "safepoints")).append(paren(jvm.safepointNanos())).append(", ")
                .append(counted(jvm.jitCompilations(), "JIT compilation", "JIT compilations"))
                .append(" (these three JVM-wide); ")
                .append(counted(jvm.parks(), "park", "parks")).append(paren(jvm.parkNanos())).append(", ")
                .append(counted(jvm.sleeps(), "sleep", "sleeps")).append(paren(jvm.sleepNanos())).append(", ")
                .append(counted(jvm.classesLoaded(), "class loaded", "classes loaded")).append(", ");
        if (jvm.monitorsCounted()) {
            text.append(counted(jvm.contendedMonitorEnters(), "contended monitor enter", "contended monitor enters"));
        } else {
            text.append("contended monitor enters ").append(jvm.monitorsNotCountedReason());
        }
        return text.toString();
    }

    private static String p99(Histogram nanos) {
        return nanos.getTotalCount() == 0 ? "" : ", p99 " + Durations.format(nanos.getValueAtPercentile(99));
    }

    private static String paren(Histogram nanos) {
        return nanos.getTotalCount() == 0 ? "" : " (p99 " + Durations.format(nanos.getValueAtPercentile(99)) + ")";
    }

    /** E.g. {@code 3 GC pauses, 3 safepoints, 25 parks, 7 sleeps}; empty when not counted. */
    @Override
    public String summary(KernelMetrics metrics) {
        JvmEventMetrics jvm = metrics.jvm();
        if (!jvm.counted()) {
            return "";
        }
        return counted(jvm.gcPauses(), "GC pause", "GC pauses") + ", " + counted(jvm.safepoints(), "safepoint", "safepoints")
                + ", " + counted(jvm.parks(), "park", "parks") + ", " + counted(jvm.sleeps(), "sleep", "sleeps");
    }

    /** Only where counted: no entry claims a 0 nobody measured. */
    @Override
    public void putReportEntries(KernelMetrics metrics, Map<String, String> entries) {
        JvmEventMetrics jvm = metrics.jvm();
        if (!jvm.counted()) {
            return;
        }
        entries.put("kerneltrace.jvm.gcPauses", Long.toString(jvm.gcPauses()));
        entries.put("kerneltrace.jvm.fullGcPauses", Long.toString(jvm.fullGcPauses()));
        entries.put("kerneltrace.jvm.safepoints", Long.toString(jvm.safepoints()));
        entries.put("kerneltrace.jvm.parks", Long.toString(jvm.parks()));
        entries.put("kerneltrace.jvm.sleeps", Long.toString(jvm.sleeps()));
        entries.put("kerneltrace.jvm.jitCompilations", Long.toString(jvm.jitCompilations()));
        entries.put("kerneltrace.jvm.classesLoaded", Long.toString(jvm.classesLoaded()));
        if (jvm.monitorsCounted()) {
            entries.put("kerneltrace.jvm.contendedMonitorEnters", Long.toString(jvm.contendedMonitorEnters()));
        }
    }

    /** {@code "jvm": null} when not counted (not zeros); otherwise every figure, and who it counts for. */
    @Override
    public void writeJson(KernelMetrics metrics, JsonWriter json) {
        JvmEventMetrics jvm = metrics.jvm();
        if (!jvm.counted()) {
            json.name("jvm").nullValue();
            return;
        }
        json.name("jvm").beginObject();
        json.name("gc").beginObject()
                .member("scope", "jvm")
                .member("pauses", jvm.gcPauses())
                .member("fullPauses", jvm.fullGcPauses());
        JsonReport.writeHistogram(json.name("pauseNanos"), jvm.gcPauseNanos());
        json.endObject();
        json.name("safepoints").beginObject().member("scope", "jvm").member("count", jvm.safepoints());
        JsonReport.writeHistogram(json.name("nanos"), jvm.safepointNanos());
        json.endObject();
        json.name("parks").beginObject().member("scope", "threads").member("count", jvm.parks());
        JsonReport.writeHistogram(json.name("nanos"), jvm.parkNanos());
        json.endObject();
        json.name("sleeps").beginObject().member("scope", "threads").member("count", jvm.sleeps());
        JsonReport.writeHistogram(json.name("nanos"), jvm.sleepNanos());
        json.endObject();
        json.name("jit").beginObject().member("scope", "jvm").member("compilations", jvm.jitCompilations()).endObject();
        json.name("classes").beginObject().member("scope", "threads").member("loaded", jvm.classesLoaded()).endObject();
        json.name("monitors").beginObject().member("scope", "threads");
        if (jvm.monitorsCounted()) {
            json.member("contendedEnters", jvm.contendedMonitorEnters());
        } else {
            json.name("contendedEnters").nullValue();
            json.member("notCounted", jvm.monitorsNotCountedReason());
        }
        json.endObject();
        json.endObject();
    }
}
