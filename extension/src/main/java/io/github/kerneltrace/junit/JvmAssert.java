package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.JvmEventMetrics;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Assertions on the JVM events of a test (HotSpot's USDT probes), reached by
 * {@code assertThat(metrics).jvm()}. GC pauses, safepoints and JIT compilations are JVM-wide
 * (counted for every test whose window was open); parks, sleeps, loaded classes and contended
 * monitor enters are the test's threads'. An assertion on events that were not counted (the test
 * did not ask, or contended monitors without {@code -XX:+DTraceMonitorProbes}) fails rather than
 * compare a 0.
 * <pre>
 * assertThat(metrics).jvm().hasAtMostGcPauses(0).parks().isEqualTo(10);
 * </pre>
 */
public class JvmAssert extends FamilyAssert<JvmAssert> {

    protected JvmAssert(KernelMetrics actual) {
        super(actual, JvmAssert.class, JvmFamily.FAMILY);
    }

    private JvmEventMetrics jvm() {
        isNotNull();
        JvmEventMetrics jvm = actual.jvm();
        if (!jvm.counted()) {
            failWithMessage("JVM events cannot be checked: %s", JvmFamily.notCounted(jvm));
        }
        return jvm;
    }

    /** GC pauses that ended in the test's window (JVM-wide). */
    public AbstractLongAssert<?> gcPauses() {
        return measured("GC pauses", jvm().gcPauses());
    }

    /** Full GC pauses among them (JVM-wide). */
    public AbstractLongAssert<?> fullGcPauses() {
        return measured("full GC pauses", jvm().fullGcPauses());
    }

    /** Safepoints that ended in the test's window (JVM-wide). */
    public AbstractLongAssert<?> safepoints() {
        return measured("safepoints", jvm().safepoints());
    }

    /** Parks of the test's threads ({@code LockSupport.park*}). */
    public AbstractLongAssert<?> parks() {
        return measured("parks", jvm().parks());
    }

    /** {@code Thread.sleep} calls of the test's threads. */
    public AbstractLongAssert<?> sleeps() {
        return measured("sleeps", jvm().sleeps());
    }

    /** JIT compilations begun in the test's window (JVM-wide). */
    public AbstractLongAssert<?> jitCompilations() {
        return measured("JIT compilations", jvm().jitCompilations());
    }

    /** Classes the test's threads loaded. */
    public AbstractLongAssert<?> classesLoaded() {
        return measured("classes loaded", jvm().classesLoaded());
    }

    /** Contended monitor enters of the test's threads; fails at once without -XX:+DTraceMonitorProbes. */
    public AbstractLongAssert<?> contendedMonitorEnters() {
        JvmEventMetrics jvm = jvm();
        if (!jvm.monitorsCounted()) {
            failWithMessage("Contended monitor enters cannot be checked: %s", jvm.monitorsNotCountedReason());
        }
        return measured("contended monitor enters", jvm.contendedMonitorEnters());
    }

    /** E.g. {@code hasAtMostGcPauses(0)}: no GC pause ended while the test ran (JVM-wide). */
    public JvmAssert hasAtMostGcPauses(long limit) {
        long measured = jvm().gcPauses();
        if (measured > limit) {
            failWithContext("Expected at most %d GC pauses but %d ended while the test ran (JVM-wide)", limit, measured);
        }
        return this;
    }

    /** E.g. {@code hasGcPauseTimeAtMost(99, "20ms")} (JVM-wide). */
    public JvmAssert hasGcPauseTimeAtMost(double percentile, String duration) {
        long limit = Durations.parseNanos(duration);
        long measured = jvm().gcPauseNanos().getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithContext("Expected GC pauses of at most %s at p%s but measured %s", Durations.format(limit),
                    DeclaredLimits.percentileNumber(percentile), Durations.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasAtMostParks(10)}: the test's threads. */
    public JvmAssert hasAtMostParks(long limit) {
        long measured = jvm().parks();
        if (measured > limit) {
            failWithContext("Expected at most %d parks but the test's threads parked %d times", limit, measured);
        }
        return this;
    }
}
