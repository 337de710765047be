package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

/** What the scheduler did to a test, in one line, as context for failure messages and summaries. */
final class SchedulerSummary {

    private SchedulerSummary() {
    }

    /**
     * E.g. {@code 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms, run-queue p99
     * 45us (12 waits), off-CPU 20.4ms}: everything a scheduler limit is set on, so that a breach
     * of one shows the others (a blocked test's off-CPU time, a starved test's migrations).
     */
    static String describe(SchedulerMetrics scheduler) {
        long waits = scheduler.runQueueLatencyNanos().getTotalCount();
        return scheduler.voluntarySwitches() + " voluntary + " + scheduler.involuntarySwitches() + " involuntary switches, "
                + counted(scheduler.migrations(), "migration", "migrations")
                + ", on-CPU " + Durations.format(scheduler.onCpuNanos())
                + ", run-queue p99 " + Durations.format(scheduler.runQueueLatencyNanos().getValueAtPercentile(99))
                + " (" + counted(waits, "wait", "waits") + ")"
                + ", off-CPU " + Durations.format(scheduler.offCpuNanos());
    }

    /** E.g. {@code 12 switches (10 voluntary), on-CPU 3.1ms}: the short form for the summary line. */
    static String brief(SchedulerMetrics scheduler) {
        return counted(scheduler.contextSwitches(), "switch", "switches")
                + " (" + scheduler.voluntarySwitches() + " voluntary), on-CPU " + Durations.format(scheduler.onCpuNanos());
    }

    /** Whether the scheduler saw the test at all; a backend without scheduler data reports nothing. */
    static boolean observed(SchedulerMetrics scheduler) {
        return scheduler.contextSwitches() > 0 || scheduler.onCpuNanos() > 0 || scheduler.wakeups() > 0
                || scheduler.migrations() > 0;
    }

    private static String counted(long count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }
}
