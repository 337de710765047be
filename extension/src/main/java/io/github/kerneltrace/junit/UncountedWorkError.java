package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.HandOffs;

/**
 * A traced test handed work to threads that existed before it and that its scope does not count,
 * while {@code kerneltrace.uncountedHandOffs=fail}: its counts may miss that work, so it does not
 * pass on them.
 */
public class UncountedWorkError extends AssertionError {

    private static final long serialVersionUID = 1L;

    public UncountedWorkError(String message) {
        super(message);
    }

    /**
     * E.g. {@code KernelTrace: PoolTest.writesOnThePool() [scope THREAD]: work was handed to 1 thread not counted
     * (ForkJoinPool.co); kerneltrace.uncountedHandOffs=fail fails such tests. Use scope TEST, which follows
     * hand-offs, or PROCESS.}
     */
    static UncountedWorkError of(TraceOutcome outcome) {
        HandOffs handOffs = outcome.metrics().diagnostics().handOffs();
        return new UncountedWorkError("KernelTrace: " + outcome.test().shortName() + " [scope " + outcome.scope() + "]: "
                + handOffs.describeUncounted() + "; " + KernelTraceConfiguration.UNCOUNTED_HAND_OFFS
                + "=fail fails such tests. Use scope TEST, which follows hand-offs, or PROCESS.");
    }
}
