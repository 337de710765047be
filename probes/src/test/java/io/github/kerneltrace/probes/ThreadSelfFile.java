package io.github.kerneltrace.probes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A file under {@code /proc/thread-self}, read by the thread it describes: each thread opens it
 * once ("thread-self" is resolved at open) and then reads it with one positional read into a
 * buffer of its own.
 */
final class ThreadSelfFile {

    private final Path path;
    private final ThreadLocal<FileChannel> channel;
    private final ThreadLocal<ByteBuffer> buffer;

    ThreadSelfFile(String name, int capacity) {
        this.path = Path.of("/proc/thread-self", name);
        this.channel = ThreadLocal.withInitial(() -> {
            try {
                return FileChannel.open(path);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + path, e);
            }
        });
        this.buffer = ThreadLocal.withInitial(() -> ByteBuffer.allocate(capacity));
    }

    /** The calling thread's file as of now, in bytes 0 to {@code position()} of a buffer reused by the next read. */
    ByteBuffer read() {
        ByteBuffer contents = buffer.get();
        contents.clear();
        try {
            channel.get().read(contents, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return contents;
    }
}
