package io.github.kerneltrace.junit;

/**
 * What a traced run counts: the threads {@code scope} selects, relative to the test's thread, and
 * the parts a test needs beyond system calls. Each part the kernel cannot provide makes the test
 * skip or fail with the reason; none is ever left out silently.
 *
 * @param scope             whose threads count
 * @param latency           time each system call (a latency limit needs it)
 * @param nativeAllocations count malloc & co. (the allocator uprobes; a native limit asks)
 * @param followHandOffs    under scope TEST, count the existing threads the test's threads hand work to
 * @param schedulerLimits   a limit reads what only the scheduler programs measure (switches, CPU
 *                          time, run-queue latency, page faults of threads other than the test's)
 * @param parallelExecution JUnit runs tests in parallel: the test's thread is a worker of JUnit's
 *                          pool, whose other workers run other tests and never count for this one
 * @param probes            the probes the test declares (attached for its runs only)
 * @param jvmEvents         count JVM events (HotSpot's USDT probes; a JVM-event limit asks)
 */
record CountingPlan(Scope scope, boolean latency, boolean nativeAllocations, boolean followHandOffs,
                    boolean schedulerLimits, boolean parallelExecution, java.util.List<io.github.kerneltrace.probes.DeclaredProbe> probes,
                    boolean jvmEvents) {

    /** A plan without declared probes or JVM events. */
    CountingPlan(Scope scope, boolean latency, boolean nativeAllocations, boolean followHandOffs,
                 boolean schedulerLimits, boolean parallelExecution) {
        this(scope, latency, nativeAllocations, followHandOffs, schedulerLimits, parallelExecution, java.util.List.of(), false);
    }

    /**
     * Whether the run needs the scheduler programs: for its limits, or because following hand-offs
     * is decided at wake-up (sched_waking); without them, work handed to a pool thread would be
     * left out and a limit on the test's calls could pass on too few.
     */
    boolean needsScheduler() {
        return schedulerLimits || (scope == Scope.TEST && followHandOffs);
    }
}
