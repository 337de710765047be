package io.github.kerneltrace.probes;

import java.util.ArrayList;
import java.util.List;

import io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics;
import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/** Slot memory → {@link DeclaredProbeMetrics}: each declaration's hits, and its latency histogram if it is timed. */
final class DeclaredProbeDecoder {

    private DeclaredProbeDecoder() {
    }

    static DeclaredProbeMetrics decode(DeclaredSlots declared, int slot, List<DeclaredProbe> probes, List<String> targets,
                                       SlotHistograms histograms) {
        if (probes.isEmpty()) {
            return DeclaredProbeMetrics.NONE;
        }
        long[] hits = declared.hits(slot, probes.size());
        List<ProbeMetrics> metrics = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            DeclaredProbe probe = probes.get(i);
            metrics.add(new ProbeMetrics(probe.name(), targets.get(i), probe.host(), hits[i],
                    probe.kind().timed() ? histograms.orEmpty(SlotLayout.HIST_DECLARED_BASE + i) : null));
        }
        return new DeclaredProbeMetrics(metrics);
    }
}
