package io.github.kerneltrace.probes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The kernel's run time and run-queue wait of the calling thread (the first two fields of
 * {@code /proc/thread-self/schedstat}): the kernel's own counters, which for a running task move at
 * scheduler ticks and switches (not at the read). One positional read on a channel each thread
 * keeps open.
 */
final class ThreadRunTime {

    /** The file, opened by the thread it describes ("thread-self" is resolved at open). */
    private static final ThreadLocal<FileChannel> SCHEDSTAT = ThreadLocal.withInitial(() -> {
        try {
            return FileChannel.open(Path.of("/proc/thread-self/schedstat"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open /proc/thread-self/schedstat", e);
        }
    });
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(128));

    private ThreadRunTime() {
    }

    /**
     * The calling thread's schedstat: nanoseconds on a CPU, then nanoseconds waiting in a run
     * queue.
     */
    static long[] current() {
        ByteBuffer buffer = BUFFER.get();
        buffer.clear();
        try {
            SCHEDSTAT.get().read(buffer, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self/schedstat", e);
        }
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
