package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Optional;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * What a limit needs to know about a test's metrics beyond the measured number: whether the
 * metrics could measure it at all (a limit that cannot be checked must fail, not pass on a 0),
 * what explains a breach (the leaked blocks behind an outstanding-bytes figure), and what the
 * test must count for the limit to be checked at all.
 */
interface LimitContext {

    /** A limit whose number says everything: always measured, nothing to add. */
    LimitContext NONE = new LimitContext() {
    };

    /** A limit on a figure of the scheduler programs, whose number says everything. */
    LimitContext SCHEDULER = new LimitContext() {
        @Override
        public boolean needsScheduler() {
            return true;
        }
    };

    /** Empty when {@code metrics} measured the limit's metric; else why not, ending with the fix. */
    default Optional<String> notMeasured(KernelMetrics metrics) {
        return Optional.empty();
    }

    /** Whether the limit reads system-call latencies: a test with {@code latency = false} cannot have it. */
    default boolean needsSyscallLatency() {
        return false;
    }

    /** Whether the limit reads native allocations: a test with such a limit counts them. */
    default boolean needsNativeAllocations() {
        return false;
    }

    /** Whether the limit reads JVM events (HotSpot's USDT probes): a test with such a limit counts them. */
    default boolean needsJvmEvents() {
        return false;
    }

    /**
     * Whether the limit reads what only the scheduler programs measure (switches, CPU and
     * run-queue time, page faults of threads other than the test's): a test with such a limit
     * requires them, and where the kernel refused them alone it is skipped or failed with the reason.
     */
    default boolean needsScheduler() {
        return false;
    }

    /** Lines shown under a breach of the limit, e.g. the largest blocks still outstanding. */
    default List<String> breachDetails(KernelMetrics metrics) {
        return List.of();
    }
}
