package io.github.kerneltrace.junit;

/**
 * A traced test exceeded one or more of its declared limits. The message lists every breach
 * (metric, limit, measured value) and the test's most frequent system calls, and what the
 * scheduler did when the test has a scheduler limit, its memory figures when it has a memory limit.
 * A limit the test's metrics could not measure (heap allocation on a JVM that cannot count it)
 * is listed too, saying why.
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
     * or, with a scheduler limit among the test's limits,
     * <pre>
     * KernelTrace limits exceeded in CacheTest.hitDoesNotBlock() [scope TEST]:
     *   - voluntary context switches: limit 0, measured 1  (@MaxContextSwitches(value = 0, kind = VOLUNTARY))
     * Top system calls: futex 1
     * Scheduler: 1 voluntary + 0 involuntary switches, 0 migrations, on-CPU 310us, run-queue p99 4.1us (1 wait), off-CPU 1.06ms
     * </pre>
     * or, with a memory limit, whose breach may add lines of its own,
     * <pre>
     * KernelTrace limits exceeded in BufferTest.releasesItsBuffer() [scope TEST]:
     *   - native bytes outstanding: limit 0 B, measured 4.0 KiB (4096 B)  (@NoNativeLeaks)
     *       1 block outstanding, largest first:
     *         4.0 KiB (4096 B) from malloc at 0x7f3b0c000b70 on thread 5123 (main)
     * Top system calls: futex 1
     * Memory: heap 1.2 KiB (1 thread), native 1 allocation of 4.0 KiB, 1 outstanding (4.0 KiB), 1 minor + 0 major page faults, mapped 0 B, unmapped 0 B
     * </pre>
     */
    static KernelLimitExceededError of(TraceOutcome outcome) {
        return of(outcome, TestCallSites.NONE, 0);
    }

    /**
     * {@link #of(TraceOutcome)}, each breach followed by its top {@code topSites} Java call sites
     * and how they changed against the baseline, e.g.
     * <pre>
     *   - write calls: limit 1, measured 100  (@MaxSyscalls(value = 1, syscall = "write"))
     *       call sites: 100 of 100 write calls explained
     *         100 × SegmentLog.flushWriteBuffer(SegmentLog.java:291) ← SegmentLog.appendAll(SegmentLog.java:187)
     * </pre>
     */
    static KernelLimitExceededError of(TraceOutcome outcome, TestCallSites sites, int topSites) {
        // A limit the metrics could not check fails too; the heading must not claim it was exceeded.
        boolean notMeasured = outcome.breaches().stream().anyMatch(breach -> !breach.measuredAtAll());
        StringBuilder message = new StringBuilder(notMeasured ? "KernelTrace limits exceeded or not measured in "
                : "KernelTrace limits exceeded in ")
                .append(outcome.test().shortName()).append(" [scope ").append(outcome.scope()).append("]:");
        for (LimitResult breach : outcome.breaches()) {
            message.append("\n  - ").append(breach.describe());
            if (breach.measuredAtAll()) {
                sites.linesFor(breach.limit().metric(), topSites).forEach(line -> message.append("\n      ").append(line));
            }
        }
        // The top system calls always; another family's figures only when one of its limits is
        // among the test's: a test budgeted on system calls alone keeps its message short.
        for (MetricFamily family : MetricFamilies.ALL) {
            if (family.inEveryFailure() || outcome.limits().stream().anyMatch(result -> result.limit().family() == family)) {
                message.append('\n').append(family.heading()).append(": ").append(family.describe(outcome.metrics()));
            }
        }
        if (outcome.metrics().diagnostics().lostSamples()) {
            message.append("\nNote: the measurement is ").append(outcome.metrics().diagnostics().describeLosses());
        }
        outcome.metrics().diagnostics().handOffs().notes().forEach(note -> message.append("\nNote: ").append(note));
        return new KernelLimitExceededError(message.toString());
    }
}
