package io.github.kerneltrace.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Scans one segment from its start, frame by frame, with large sequential reads.
 *
 * <p>Recovery reads every byte of the log, so it is the one place where read sizes matter: the
 * reader always asks the kernel for exactly {@link #CHUNK_BYTES} at a time (a frame cut at a chunk
 * boundary is kept and completed by the next chunk), so a log of {@code n} bytes costs
 * {@code ceil(n / 64 KiB) + 1} {@code read} calls (the last one sees the end of the file).
 * Reading frame by frame would cost two calls per record.
 */
public final class LogReader {

    /** The size of one read; 64 KiB is large enough to amortise the call, small enough for the cache. */
    public static final int CHUNK_BYTES = 64 * 1024;

    /** What a scan shows for each intact record. */
    @FunctionalInterface
    public interface RecordVisitor {
        /**
         * @param payload the record's bytes, read-only; valid only during this call (the
         *                reader's buffer is reused), so copy what must be kept
         */
        void visit(RecordPosition position, ByteBuffer payload) throws IOException;
    }

    private final FileChannel channel;
    private final long segment;
    /** Room for one chunk plus the incomplete frame left over from the previous one. Direct: no hidden copy. */
    private ByteBuffer buffer = ByteBuffer.allocateDirect(2 * CHUNK_BYTES);

    /**
     * @param channel read from its current position, which should be the segment's start; the
     *                scan moves it
     */
    public LogReader(FileChannel channel, long segment) {
        this.channel = channel;
        this.segment = segment;
    }

    /**
     * Shows every intact record to {@code visitor}, in order, and returns the offset just past the
     * last intact one. A scan stops at the first frame that is incomplete or fails its checksum:
     * after a crash that is the torn tail, and nothing behind it can be trusted.
     */
    public long scan(RecordVisitor visitor) throws IOException {
        long size = channel.size();
        long validEnd = 0;
        buffer.clear().limit(0);
        while (true) {
            // Hand out every complete frame in the buffer.
            while (buffer.remaining() >= Frames.HEADER_BYTES) {
                int start = buffer.position();
                int length = buffer.getInt(start);
                if (length < 0 || length > size - validEnd - Frames.HEADER_BYTES) {
                    return validEnd; // a frame cannot run past the end of the file: torn or corrupt tail
                }
                if (buffer.remaining() < Frames.HEADER_BYTES + length) {
                    break; // the rest of this frame is in the next chunk
                }
                ByteBuffer payload = buffer.slice(start + Frames.HEADER_BYTES, length).asReadOnlyBuffer();
                if (buffer.getInt(start + 4) != Frames.crc(length, payload)) {
                    return validEnd;
                }
                visitor.visit(new RecordPosition(segment, validEnd, Frames.HEADER_BYTES + length), payload);
                validEnd += Frames.HEADER_BYTES + length;
                buffer.position(start + Frames.HEADER_BYTES + length);
            }
            // Keep the incomplete frame, then read exactly one more chunk behind it.
            int leftover = buffer.remaining();
            if (buffer.capacity() < leftover + CHUNK_BYTES) {
                buffer = ByteBuffer.allocateDirect(leftover + CHUNK_BYTES).put(buffer);
            } else {
                buffer.compact();
            }
            buffer.limit(leftover + CHUNK_BYTES);
            int read = channel.read(buffer); // one call: a regular file fills it unless it ends first
            buffer.flip();
            if (read < 0) {
                return validEnd; // end of file; any leftover bytes are a torn frame
            }
        }
    }
}
