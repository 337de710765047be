package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * Assertions on one declared probe, reached by {@code assertThat(metrics).probe("deflate")}.
 * Failures and descriptions show every declared probe's figures and the top system calls.
 * <pre>
 * assertThat(metrics).probe("deflate").hits().isEqualTo(10);
 * assertThat(metrics).probe("deflate").hasLatencyAtMost(99, "2ms");
 * </pre>
 */
public class ProbeAssert extends FamilyAssert<ProbeAssert> {

    /** The probe's name; set by {@link KernelMetricsAssert#probe(String)} after navigating. */
    String name;

    protected ProbeAssert(io.github.kerneltrace.probes.metrics.KernelMetrics actual) {
        super(actual, ProbeAssert.class, DeclaredProbeFamily.FAMILY);
    }

    private ProbeMetrics probe() {
        isNotNull();
        ProbeMetrics probe = actual.probes().probe(name);
        if (probe == null) {
            throw new IllegalArgumentException("no probe named \"" + name + "\" was declared for this test (declared: "
                    + actual.probes().byName().keySet() + "); declare it with @UserProbe, @UsdtProbe, @TracepointProbe or @KernelProbe");
        }
        return probe;
    }

    /** Events the probe saw from the test's threads (every thread for a HOST tracepoint): every call, nested ones included. */
    public AbstractLongAssert<?> hits() {
        return measured("hits of probe " + name, probe().hits());
    }

    /**
     * A percentile of the probe's entry→return latency (outermost calls), in nanoseconds; 100 is the
     * longest call. Only for timed probes ({@link UserProbe}, {@link KernelProbe}).
     */
    public AbstractLongAssert<?> latency(double percentile) {
        requirePercentile(percentile);
        return measured("probe " + name + " " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                timed().latencyNanos().getValueAtPercentile(percentile));
    }

    /** Fails when the percentile of the probe's latency is above {@code duration}, e.g. {@code hasLatencyAtMost(99, "2ms")}. */
    public ProbeAssert hasLatencyAtMost(double percentile, String duration) {
        latencyAtMost("probe " + name, timed().latencyNanos(), percentile, duration);
        return this;
    }

    private ProbeMetrics timed() {
        ProbeMetrics probe = probe();
        if (!probe.timed()) {
            throw new IllegalArgumentException("probe \"" + name + "\" counts hits but does not time calls (" + probe.target()
                    + "); only @UserProbe and @KernelProbe have a latency");
        }
        return probe;
    }
}
