package io.github.kerneltrace.sample;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A key-value store on a {@link SegmentLog} (a Bitcask-style design): every put or delete is
 * appended to the log, and an in-memory index maps each live key to its newest record's position.
 * A get is then one positional read; a put is one append. Opening the store rebuilds the index by
 * scanning the log once, in large sequential reads.
 *
 * <p>Record payload: {@code [byte kind][unsigned short keyLength][key, UTF-8][value]}; a delete
 * is a record of kind {@link #DELETE} with no value (a tombstone), so that a reopened store does
 * not resurrect the key from an older record.
 */
public final class KeyValueStore implements Closeable {

    private static final byte PUT = 1;
    private static final byte DELETE = 2;
    private static final int MAX_KEY_BYTES = 0xFFFF;

    private final SegmentLog log;
    private final Map<String, RecordPosition> index;

    private KeyValueStore(SegmentLog log, Map<String, RecordPosition> index) {
        this.log = log;
        this.index = index;
    }

    /** Opens (or creates) the store in {@code directory}, rebuilding the index from the log. */
    public static KeyValueStore open(Path directory, SegmentLog.Options options) throws IOException {
        Map<String, RecordPosition> index = new HashMap<>();
        SegmentLog log = SegmentLog.open(directory, options, (position, payload) -> {
            // Only the key is decoded: recovery never copies values.
            byte kind = payload.get(0);
            String key = decodeKey(payload);
            switch (kind) {
                case PUT -> index.put(key, position);
                case DELETE -> index.remove(key);
                default -> throw new IOException("unknown record kind " + kind + " at " + position);
            }
        });
        return new KeyValueStore(log, index);
    }

    public synchronized void put(String key, byte[] value) throws IOException {
        index.put(key, log.append(encode(PUT, key, value)));
    }

    /** Writes all entries as one batch: one append, so one write and at most one sync. */
    public synchronized void putAll(Map<String, byte[]> entries) throws IOException {
        List<String> keys = new ArrayList<>(entries.keySet());
        List<byte[]> records = new ArrayList<>(keys.size());
        for (String key : keys) {
            records.add(encode(PUT, key, entries.get(key)));
        }
        List<RecordPosition> positions = log.appendAll(records);
        for (int i = 0; i < keys.size(); i++) {
            index.put(keys.get(i), positions.get(i));
        }
    }

    /** The newest value of {@code key}, read with one positional read; empty if absent or deleted. */
    public synchronized Optional<byte[]> get(String key) throws IOException {
        RecordPosition position = index.get(key);
        if (position == null) {
            return Optional.empty(); // a miss costs no system call at all
        }
        ByteBuffer record = ByteBuffer.wrap(log.read(position));
        record.position(3 + (record.getShort(1) & 0xFFFF)); // skip kind and key
        byte[] value = new byte[record.remaining()];
        record.get(value);
        return Optional.of(value);
    }

    /** Removes {@code key}: appends a tombstone (only if the key exists: a no-op costs no write). */
    public synchronized void delete(String key) throws IOException {
        if (index.containsKey(key)) {
            log.append(encode(DELETE, key, new byte[0]));
            index.remove(key);
        }
    }

    public synchronized boolean contains(String key) {
        return index.containsKey(key);
    }

    public synchronized int size() {
        return index.size();
    }

    /** The underlying log, e.g. to {@link SegmentLog#sync()} under a relaxed fsync policy. */
    public SegmentLog log() {
        return log;
    }

    @Override
    public synchronized void close() throws IOException {
        log.close();
    }

    private static byte[] encode(byte kind, String key, byte[] value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length == 0 || keyBytes.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key must have 1 to " + MAX_KEY_BYTES + " UTF-8 bytes");
        }
        return ByteBuffer.allocate(3 + keyBytes.length + value.length)
                .put(kind).putShort((short) keyBytes.length).put(keyBytes).put(value)
                .array();
    }

    private static String decodeKey(ByteBuffer payload) {
        int keyLength = payload.getShort(1) & 0xFFFF;
        byte[] key = new byte[keyLength];
        payload.get(3, key);
        return new String(key, StandardCharsets.UTF_8);
    }
}
