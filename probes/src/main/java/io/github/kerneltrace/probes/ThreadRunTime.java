package io.github.kerneltrace.probes;

import java.nio.ByteBuffer;

/**
 * The kernel's run time and run-queue wait of the calling thread (the first two fields of
 * {@code /proc/thread-self/schedstat}): the kernel's own counters, which for a running task move at
 * scheduler ticks and switches (not at the read). One positional read on a channel each thread
 * keeps open ({@link ThreadSelfFile}).
 */
final class ThreadRunTime {

    private static final ThreadSelfFile SCHEDSTAT = new ThreadSelfFile("schedstat", 128);

    private ThreadRunTime() {
    }

    /**
     * The calling thread's schedstat: nanoseconds on a CPU, then nanoseconds waiting in a run
     * queue.
     */
    static long[] current() {
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
        return fields;
    }
}
