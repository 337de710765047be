package io.github.kerneltrace.probes;

import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

/** The scheduler family of a slot's metrics: sched_stats, and the run-queue and off-CPU histograms. */
final class SchedulerDecoder {

    private SchedulerDecoder() {
    }

    static SchedulerMetrics decode(SlotMemory memory, int slot, SlotHistograms histograms) {
        SlotMemory.SchedCounters sched = memory.schedCounters(slot);
        return new SchedulerMetrics(sched.voluntarySwitches(), sched.involuntarySwitches(), sched.migrations(),
                sched.wakeups(), sched.onCpuNanos(), sched.runQueueNanos(), sched.offCpuNanos(),
                histograms.orEmpty(SlotMemory.RUN_QUEUE_HISTOGRAM), histograms.orEmpty(SlotMemory.OFF_CPU_HISTOGRAM));
    }
}
