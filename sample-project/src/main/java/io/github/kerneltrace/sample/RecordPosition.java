package io.github.kerneltrace.sample;

/**
 * Where one record's frame lives: the segment, the byte offset of the frame in it, and the
 * frame's length (header included). Knowing the length up front is what lets a read fetch a
 * record with a single positional read.
 */
public record RecordPosition(long segment, long offset, int frameLength) {

    /** The length of the record itself, without the frame header. */
    public int payloadLength() {
        return frameLength - Frames.HEADER_BYTES;
    }
}
