package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;
import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * Declared probes: the limits {@link MaxProbeHits} and {@link MaxProbeLatency} on the probes a test
 * declares ({@link UserProbe}, {@link UsdtProbe}, {@link TracepointProbe}, {@link KernelProbe}; read by
 * {@link DeclaredProbes}); each probe's hits and latency in one line; the {@code probes} block of
 * the report. Assertions: {@link ProbeAssert}.
 */
final class DeclaredProbeFamily implements MetricFamily {

    static final DeclaredProbeFamily FAMILY = new DeclaredProbeFamily();

    /** Where a limit's probe name is in its metric key: {@code probes.<name>.hits}. */
    static final String KEY_PREFIX = "probes.";

    private DeclaredProbeFamily() {
    }

    @Override
    public void readLimits(AnnotatedElement element, DeclaredLimits limits) {
        AnnotationSupport.findRepeatableAnnotations(element, MaxProbeHits.class).forEach(max -> add(max, limits));
        AnnotationSupport.findRepeatableAnnotations(element, MaxProbeLatency.class).forEach(max -> add(max, limits));
    }

    private void add(MaxProbeHits max, DeclaredLimits limits) {
        if (limits.negative("MaxProbeHits", max.value())) {
            return;
        }
        String name = max.probe();
        limits.add(new Limit(this, KEY_PREFIX + name + ".hits", "hits of probe " + name, max.value(), Limit.Unit.COUNT,
                "@MaxProbeHits(probe = " + DeclaredLimits.quoted(name) + ", value = " + max.value() + ")",
                metrics -> probe(metrics, name).hits(), new Counted(name)));
    }

    private void add(MaxProbeLatency max, DeclaredLimits limits) {
        double percentile = max.percentile();
        boolean valid = limits.validPercentile("MaxProbeLatency", percentile);
        long nanos = limits.duration("MaxProbeLatency", max.value());
        if (valid && nanos >= 0) {
            String name = max.probe();
            String declaration = "@MaxProbeLatency(probe = " + DeclaredLimits.quoted(name)
                    + (percentile == 99.0 ? "" : ", percentile = " + DeclaredLimits.percentileNumber(percentile))
                    + ", value = " + DeclaredLimits.quoted(max.value()) + ")";
            limits.add(new Limit(this, KEY_PREFIX + name + ".latencyNanos." + Metric.percentileKey(percentile),
                    "probe " + name + " " + DeclaredLimits.percentileLabel(percentile) + " latency", nanos,
                    Limit.Unit.NANOSECONDS, declaration,
                    metrics -> probe(metrics, name).latencyNanos().getValueAtPercentile(percentile), new Counted(name)));
        }
    }

    private static ProbeMetrics probe(KernelMetrics metrics, String name) {
        return metrics.probes().probe(name);
    }

    /** The probe a limit of this family is on (its key is {@code probes.<name>.<figure>}). */
    static String probeOf(Limit limit) {
        String rest = limit.metric().substring(KEY_PREFIX.length());
        return rest.substring(0, rest.lastIndexOf(limit.metric().contains(".latencyNanos.") ? ".latencyNanos." : ".hits"));
    }

    /** A limit on a probe is measured only if the run counted that probe. */
    private record Counted(String name) implements LimitContext {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            return metrics.probes().probe(name) != null ? Optional.empty()
                    : Optional.of("probe \"" + name + "\" was not counted in this run; declare it on the test");
        }
    }

    @Override
    public String heading() {
        return "Probes";
    }

    /** E.g. {@code deflate 12 hits (p99 1.2ms), parks 25 hits}. */
    @Override
    public String describe(KernelMetrics metrics) {
        return metrics.probes().byName().values().stream().map(DeclaredProbeFamily::describe).collect(Collectors.joining(", "));
    }

    private static String describe(ProbeMetrics probe) {
        return probe.name() + " " + MetricFamily.counted(probe.hits(), "hit", "hits")
                + (probe.timed() && probe.latencyNanos().getTotalCount() > 0
                ? " (p99 " + Durations.format(probe.latencyNanos().getValueAtPercentile(99)) + ")" : "")
                + (probe.host() ? " on the whole host" : "");
    }

    @Override
    public String summary(KernelMetrics metrics) {
        return metrics.probes().isEmpty() ? "" : "probes: " + describe(metrics);
    }

    @Override
    public void putReportEntries(KernelMetrics metrics, Map<String, String> entries) {
        for (ProbeMetrics probe : metrics.probes().byName().values()) {
            entries.put("kerneltrace.probes." + probe.name() + ".hits", Long.toString(probe.hits()));
            if (probe.timed()) {
                entries.put("kerneltrace.probes." + probe.name() + ".latencyP99Nanos",
                        Long.toString(probe.latencyNanos().getValueAtPercentile(99)));
            }
        }
    }

    /** {@code "probes": {"<name>": {"target": ..., "scope": ..., "hits": n, "latencyNanos": {...}}}}, only when declared. */
    @Override
    public void writeJson(KernelMetrics metrics, JsonWriter json) {
        if (metrics.probes().isEmpty()) {
            return;
        }
        json.name("probes").beginObject();
        for (ProbeMetrics probe : metrics.probes().byName().values()) {
            json.name(probe.name()).beginObject()
                    .member("target", probe.target())
                    .member("scope", probe.host() ? ProbeScope.HOST.name() : ProbeScope.TEST_THREADS.name())
                    .member("hits", probe.hits());
            if (probe.timed()) {
                JsonReport.writeHistogram(json.name("latencyNanos"), probe.latencyNanos());
            }
            json.endObject();
        }
        json.endObject();
    }

    /** Names of the probes these limits are on. */
    static List<String> probesLimited(List<Limit> limits) {
        return limits.stream().filter(limit -> limit.family() == FAMILY).map(DeclaredProbeFamily::probeOf).toList();
    }
}
