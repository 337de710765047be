package io.github.kerneltrace.sample;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * The on-disk frame of one record: {@code [int payloadLength][int crc][payload]}, big-endian.
 *
 * <p>The CRC covers the length field as well as the payload. A crash can leave a zero-filled or
 * half-written tail; covering the length means a run of zero bytes is never mistaken for a chain
 * of valid empty records (the CRC of an empty input alone would be 0).
 */
final class Frames {

    static final int HEADER_BYTES = 8;

    private Frames() {
    }

    /** Writes one frame at the buffer's position and advances it. */
    static void encode(ByteBuffer target, byte[] payload) {
        target.putInt(payload.length);
        target.putInt(crc(payload.length, ByteBuffer.wrap(payload)));
        target.put(payload);
    }

    /** CRC32 of the length (as 4 big-endian bytes) followed by the payload; does not move {@code payload}. */
    static int crc(int payloadLength, ByteBuffer payload) {
        CRC32 crc = new CRC32();
        crc.update(payloadLength >>> 24);
        crc.update(payloadLength >>> 16);
        crc.update(payloadLength >>> 8);
        crc.update(payloadLength);
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }
}
