package io.github.kerneltrace.probes;

import io.github.kerneltrace.probes.metrics.JvmEventMetrics;

/** The JVM-events family of a slot's metrics: jvm_stats and the pause/park/sleep histograms. */
final class JvmEventDecoder {

    private JvmEventDecoder() {
    }

    /**
     * @param monitorsNotCounted why contended monitor enters were not counted, or null
     */
    static JvmEventMetrics decode(SlotMemory memory, int slot, String monitorsNotCounted, SlotHistograms histograms) {
        SlotMemory.JvmCounters counters = memory.jvmCounters(slot);
        long[] events = counters.events();
        return new JvmEventMetrics(null, monitorsNotCounted,
                events[JvmEvent.GC.ordinal()], counters.fullGcs(), histograms.orEmpty(SlotLayout.HIST_JVM_GC_PAUSE),
                events[JvmEvent.SAFEPOINT.ordinal()], histograms.orEmpty(SlotLayout.HIST_JVM_SAFEPOINT),
                events[JvmEvent.PARK.ordinal()], histograms.orEmpty(SlotLayout.HIST_JVM_PARK),
                events[JvmEvent.SLEEP.ordinal()], histograms.orEmpty(SlotLayout.HIST_JVM_SLEEP),
                events[JvmEvent.COMPILE.ordinal()], events[JvmEvent.CLASS_LOADED.ordinal()],
                events[JvmEvent.MONITOR.ordinal()]);
    }
}
