package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probes a test declared, by name, in declaration order: each one's hits and, for probes that
 * time calls (uprobes, kprobes), the entry→return latency of the outermost calls. Immutable.
 */
public final class DeclaredProbeMetrics {

    /** No probe declared. */
    public static final DeclaredProbeMetrics NONE = new DeclaredProbeMetrics(List.of());

    private final Map<String, ProbeMetrics> byName = new LinkedHashMap<>();

    public DeclaredProbeMetrics(Collection<ProbeMetrics> probes) {
        probes.forEach(probe -> byName.put(probe.name(), probe));
    }

    /** Each declared probe, by name, in declaration order. */
    public Map<String, ProbeMetrics> byName() {
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** The probe declared with this name, or null. */
    public ProbeMetrics probe(String name) {
        return byName.get(name);
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The metric key of a declared probe's hits: {@code probes.<name>.hits}. */
    public static String hitsKey(String name) {
        return "probes." + name + ".hits";
    }

    /** {@code probes.<name>.hits}, and for timed probes the {@code probes.<name>.latencyNanos} summary. */
    List<Metric> list() {
        List<Metric> metrics = new ArrayList<>();
        for (ProbeMetrics probe : byName.values()) {
            String prefix = "probes." + probe.name() + ".";
            metrics.add(new Metric(hitsKey(probe.name()), Metric.Unit.COUNT, probe.hits()));
            if (probe.latencyNanos() != null) {
                Metric.addHistogram(metrics, prefix + "latencyNanos", Metric.Unit.NANOSECONDS, probe.latencyNanos());
            }
        }
        return metrics;
    }

    @Override
    public String toString() {
        return "DeclaredProbeMetrics" + byName.values();
    }
}
