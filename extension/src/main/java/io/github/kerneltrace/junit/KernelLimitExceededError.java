package io.github.kerneltrace.junit;

/**
 * A traced test exceeded one or more of its declared limits. The message lists every breach
 * (metric, limit, measured value) and the test's most frequent system calls.
 */
public class KernelLimitExceededError extends AssertionError {

    private static final long serialVersionUID = 1L;

    public KernelLimitExceededError(String message) {
        super(message);
    }

    /**
     * E.g.
     * <pre>
     * KernelTrace limits exceeded in AppendLogTest.appendIsOneWrite() [scope TEST]:
     *   - write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = "write"))
     * Top system calls: write 3 (3 B), fsync 1, lseek 1
     * </pre>
     */
    static KernelLimitExceededError of(TraceOutcome outcome) {
        StringBuilder message = new StringBuilder("KernelTrace limits exceeded in ")
                .append(outcome.test().shortName()).append(" [scope ").append(outcome.scope()).append("]:");
        for (LimitResult breach : outcome.breaches()) {
            message.append("\n  - ").append(breach.describe());
        }
        message.append("\nTop system calls: ").append(TopSyscalls.describe(outcome.metrics(), TopSyscalls.IN_MESSAGES));
        if (outcome.metrics().diagnostics().lostSamples()) {
            message.append("\nNote: the measurement is ").append(outcome.metrics().diagnostics().describeLosses());
        }
        return new KernelLimitExceededError(message.toString());
    }
}
