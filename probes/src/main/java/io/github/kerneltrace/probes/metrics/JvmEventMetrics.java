package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * What HotSpot's own USDT probes saw during a test, when the test asked for JVM events.
 *
 * <p>Who counts for what: GC pauses, safepoints and JIT compilations are JVM-wide (a pause stops
 * every Java thread; compilations run on the JIT's threads), counted for every test counting JVM
 * events whose window was open when they ended (a compilation: began). Parks, sleeps, loaded
 * classes and contended monitor enters are the test's tracked threads' own.
 *
 * <p>Where the events were not counted (not asked for, or a JVM without probes) {@link #counted()}
 * is false and {@link #notCountedReason()} says why; {@link #list()} then gives no figures, never
 * zeros. Contended monitor enters need {@code -XX:+DTraceMonitorProbes} at JVM start; without it
 * {@link #monitorsCounted()} is false and the figure is left out likewise.
 *
 * @param notCountedReason         null when counted; else why not ("not asked for", "no probes ...")
 * @param monitorsNotCountedReason null when contended monitor enters were counted; else why not
 */
public record JvmEventMetrics(String notCountedReason, String monitorsNotCountedReason,
                              long gcPauses, long fullGcPauses, Histogram gcPauseNanos,
                              long safepoints, Histogram safepointNanos,
                              long parks, Histogram parkNanos,
                              long sleeps, Histogram sleepNanos,
                              long jitCompilations, long classesLoaded, long contendedMonitorEnters) {

    /** A test that did not ask for JVM events. */
    public static final JvmEventMetrics NOT_COUNTED = notCounted("not asked for: use @KernelTrace(jvmEvents = true) or a JVM limit");

    /** Nothing counted, for the given reason. */
    public static JvmEventMetrics notCounted(String reason) {
        return new JvmEventMetrics(reason, reason, 0, 0, LatencyHistograms.create(), 0, LatencyHistograms.create(),
                0, LatencyHistograms.create(), 0, LatencyHistograms.create(), 0, 0, 0);
    }

    public boolean counted() {
        return notCountedReason == null;
    }

    public boolean monitorsCounted() {
        return counted() && monitorsNotCountedReason == null;
    }

    /**
     * The figures under {@code jvm.}: {@code jvm.gc.pauses}, {@code jvm.gc.fullPauses},
     * {@code jvm.gc.pauseNanos.*}, {@code jvm.safepoints.count}, {@code jvm.safepoints.nanos.*},
     * {@code jvm.parks.count}, {@code jvm.parks.nanos.*}, {@code jvm.sleeps.count},
     * {@code jvm.sleeps.nanos.*}, {@code jvm.jit.compilations}, {@code jvm.classes.loaded}, and
     * {@code jvm.monitors.contendedEnters} where counted. None when not counted.
     */
    public List<Metric> list() {
        List<Metric> metrics = new ArrayList<>();
        if (!counted()) {
            return metrics;
        }
        metrics.add(new Metric("jvm.gc.pauses", Metric.Unit.COUNT, gcPauses));
        metrics.add(new Metric("jvm.gc.fullPauses", Metric.Unit.COUNT, fullGcPauses));
        Metric.addHistogram(metrics, "jvm.gc.pauseNanos", Metric.Unit.NANOSECONDS, gcPauseNanos);
        metrics.add(new Metric("jvm.safepoints.count", Metric.Unit.COUNT, safepoints));
        Metric.addHistogram(metrics, "jvm.safepoints.nanos", Metric.Unit.NANOSECONDS, safepointNanos);
        metrics.add(new Metric("jvm.parks.count", Metric.Unit.COUNT, parks));
        Metric.addHistogram(metrics, "jvm.parks.nanos", Metric.Unit.NANOSECONDS, parkNanos);
        metrics.add(new Metric("jvm.sleeps.count", Metric.Unit.COUNT, sleeps));
        Metric.addHistogram(metrics, "jvm.sleeps.nanos", Metric.Unit.NANOSECONDS, sleepNanos);
        metrics.add(new Metric("jvm.jit.compilations", Metric.Unit.COUNT, jitCompilations));
        metrics.add(new Metric("jvm.classes.loaded", Metric.Unit.COUNT, classesLoaded));
        if (monitorsCounted()) {
            metrics.add(new Metric("jvm.monitors.contendedEnters", Metric.Unit.COUNT, contendedMonitorEnters));
        }
        return metrics;
    }
}
