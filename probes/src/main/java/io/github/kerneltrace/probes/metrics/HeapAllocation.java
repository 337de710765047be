package io.github.kerneltrace.probes.metrics;

/**
 * Java heap bytes allocated by a traced test's threads, from the JVM's own per-thread counters
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}). Java objects come from
 * thread-local buffers, not malloc, so no kernel probe sees them.
 *
 * @param bytes              bytes allocated by the threads counted
 * @param threadsCounted     threads whose counters were read
 * @param threadsNotCounted  threads of the test whose allocations are missing: the JVM forgets a
 *                           thread's counter when it ends, and the BPF programs read it at the end
 *                           (HotSpot's thread__stop probe) only for threads started inside the window,
 *                           where the probe can be used; the others that ended are counted here
 *                           (on JDK 21 and later, Scope.PROCESS counts them through the JVM's total)
 * @param supported          false when this JVM cannot count per-thread allocation (then all are 0)
 */
public record HeapAllocation(long bytes, int threadsCounted, int threadsNotCounted, boolean supported) {

    public static final HeapAllocation NONE = new HeapAllocation(0, 0, 0, true);
    public static final HeapAllocation UNSUPPORTED = new HeapAllocation(0, 0, 0, false);

    /** True when every thread of the test was counted. */
    public boolean complete() {
        return supported && threadsNotCounted == 0;
    }
}
