package io.github.kerneltrace.probes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import com.sun.jna.Memory;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * The calling thread's run time at the edges of a counting window: its CPU clock, which the
 * kernel brings up to date at the read. The per-task counter the programs read at switches
 * ({@code se.sum_exec_runtime}, also what {@code /proc/thread-self/schedstat} prints) moves only at
 * switches and scheduler ticks, so at an edge it can be a tick (up to 4 ms) behind. (The run-queue
 * wait cannot move while the thread runs: the programs read it from the task at the edge.)
 * TraceSlot makes the first call when it loads: a first call allocates, and a window's heap
 * figure would see it.
 */
final class ThreadRunTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** HotSpot reads the same clock without allocating; JNA's call allocates, which the heap figure would see. */
    private static final boolean JVM_CLOCK = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
    private static final ThreadLocal<Memory> TIMESPEC = ThreadLocal.withInitial(() -> new Memory(16));

    private ThreadRunTime() {
    }

    /** Nanoseconds the calling thread has run, exact at this moment. */
    static long runtime() {
        if (JVM_CLOCK) {
            return THREADS.getCurrentThreadCpuTime(); // clock_gettime on the thread's CPU clock
        }
        Memory timespec = TIMESPEC.get();
        if (LibC.INSTANCE.clock_gettime(LibC.CLOCK_THREAD_CPUTIME_ID, timespec) != 0) {
            throw new IllegalStateException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }
        return timespec.getLong(0) * 1_000_000_000L + timespec.getLong(8);
    }
}
