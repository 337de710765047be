package io.github.kerneltrace.probes;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;

import com.sun.jna.Memory;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * The kernel's run time and run-queue wait of the calling thread, read at the edges of a counting
 * window. The run time comes from the thread's CPU clock, which the kernel brings up to date at
 * the read; the per-task counter the programs read at switches ({@code se.sum_exec_runtime}, also
 * what {@code /proc/thread-self/schedstat} prints) moves only at switches and scheduler ticks, so
 * at an edge it can be a tick (up to 4 ms) behind. The run-queue wait cannot move while the
 * thread runs, so schedstat's figure is exact.
 */
final class ThreadRunTime {

    private static final ThreadSelfFile SCHEDSTAT = new ThreadSelfFile("schedstat", 128);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** HotSpot reads the same clock without allocating; JNA's call allocates, which the heap figure would see. */
    private static final boolean JVM_CLOCK = THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
    private static final ThreadLocal<Memory> TIMESPEC = ThreadLocal.withInitial(() -> new Memory(16));

    static {
        runtime(); // links the call once, so that a window's first read allocates nothing
    }

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

    /** Nanoseconds the calling thread has waited in a run queue (schedstat's second field). */
    static long runDelay() {
        ByteBuffer buffer = SCHEDSTAT.read();
        long[] fields = new long[2];
        int field = 0;
        for (int i = 0; i < buffer.position() && field < fields.length; i++) {
            byte character = buffer.get(i);
            if (character >= '0' && character <= '9') {
                fields[field] = fields[field] * 10 + (character - '0');
            } else {
                field++;
            }
        }
        return fields[1];
    }
}
