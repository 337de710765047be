package io.github.kerneltrace.sample;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An append-only log of records, stored as length-prefixed, checksummed frames in a directory of
 * segment files ({@code 00000000000000000001.seg}, ...). The newest segment takes appends; when it
 * would grow past {@link Options#maxSegmentBytes()} it is sealed and a new one is started.
 *
 * <p>The system calls are the design: one append is one {@code write}, a batch of appends is also
 * one {@code write} (frames are gathered in a direct buffer first), a read of a known record is one
 * {@code pread}, and {@code fdatasync} happens only as the {@link FsyncPolicy} says. The test
 * suite holds the code to exactly that with kernel-level budgets.
 *
 * <p>Thread-safe: every public method is synchronized (a log has one writer position anyway).
 */
public final class SegmentLog implements Closeable {

    /**
     * How a log behaves; {@link #defaults()} suits most uses.
     *
     * @param commitDelay a pause before each sync (PostgreSQL's {@code commit_delay} in its simplest
     *                    form: the lock is held, so here it only adds a known latency to every
     *                    sync, which is what the sample's latency test measures); zero by default
     */
    public record Options(FsyncPolicy fsyncPolicy, int syncEveryN, long maxSegmentBytes, int writeBufferBytes,
                          Duration commitDelay) {

        public Options {
            if (syncEveryN < 1 || writeBufferBytes <= Frames.HEADER_BYTES || maxSegmentBytes < writeBufferBytes
                    || commitDelay.isNegative()) {
                throw new IllegalArgumentException("need syncEveryN >= 1,"
                        + " header < writeBufferBytes <= maxSegmentBytes and commitDelay >= 0: " + this);
            }
        }

        public static Options defaults() {
            return new Options(FsyncPolicy.EVERY_WRITE, 1, 64L << 20, 1 << 20, Duration.ZERO);
        }

        public Options withFsyncPolicy(FsyncPolicy policy) {
            return new Options(policy, syncEveryN, maxSegmentBytes, writeBufferBytes, commitDelay);
        }

        public Options withSyncEveryN(int n) {
            return new Options(FsyncPolicy.EVERY_N, n, maxSegmentBytes, writeBufferBytes, commitDelay);
        }

        public Options withMaxSegmentBytes(long bytes) {
            return new Options(fsyncPolicy, syncEveryN, bytes, Math.toIntExact(Math.min(writeBufferBytes, bytes)), commitDelay);
        }

        public Options withCommitDelay(Duration delay) {
            return new Options(fsyncPolicy, syncEveryN, maxSegmentBytes, writeBufferBytes, delay);
        }

        /** The largest record: one frame must fit the write buffer, so that it goes out in one write. */
        public int maxPayloadBytes() {
            return writeBufferBytes - Frames.HEADER_BYTES;
        }
    }

    private static final String SUFFIX = ".seg";

    private final Path directory;
    private final Options options;
    /** Every segment's channel, oldest first; sealed ones stay open so that reads need no open(). */
    private final TreeMap<Long, FileChannel> segments;
    /**
     * Frames are gathered here before they go out. Direct, because the JDK copies a heap buffer
     * into a temporary direct one before every write: this way there is no hidden copy or
     * allocation on the write path.
     */
    private final ByteBuffer writeBuffer;
    private ByteBuffer readBuffer = ByteBuffer.allocateDirect(4096);

    private long activeSegment;
    private FileChannel active;
    /** Where the next frame goes in the active segment; kept here so appends need no lseek/fstat. */
    private long activeEnd;
    private int recordsSinceSync;
    private boolean closed;

    private SegmentLog(Path directory, Options options, TreeMap<Long, FileChannel> segments, long activeEnd) {
        this.directory = directory;
        this.options = options;
        this.segments = segments;
        this.writeBuffer = ByteBuffer.allocateDirect(options.writeBufferBytes());
        this.activeSegment = segments.lastKey();
        this.active = segments.lastEntry().getValue();
        this.activeEnd = activeEnd;
    }

    /** Opens (or creates) the log in {@code directory}. */
    public static SegmentLog open(Path directory, Options options) throws IOException {
        return open(directory, options, (position, payload) -> { });
    }

    /**
     * Opens (or creates) the log in {@code directory}, showing every intact record to
     * {@code recovery} in log order: a caller that builds an index from the log (like
     * {@link KeyValueStore}) reads the data only once. A torn frame at the end of the newest
     * segment (a crash in the middle of a write) is cut off; everything before it is kept.
     */
    public static SegmentLog open(Path directory, Options options, LogReader.RecordVisitor recovery)
            throws IOException {
        Files.createDirectories(directory);
        TreeMap<Long, FileChannel> segments = new TreeMap<>();
        long activeEnd = 0;
        try {
            List<Long> ids = segmentIds(directory);
            for (int i = 0; i < ids.size(); i++) {
                boolean newest = i == ids.size() - 1;
                FileChannel channel = newest
                        ? FileChannel.open(segmentPath(directory, ids.get(i)), StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : FileChannel.open(segmentPath(directory, ids.get(i)), StandardOpenOption.READ);
                segments.put(ids.get(i), channel);
                long validEnd = new LogReader(channel, ids.get(i)).scan(recovery);
                if (newest) {
                    activeEnd = validEnd;
                    if (channel.size() > validEnd) {
                        channel.truncate(validEnd);
                        channel.force(false);
                    }
                    channel.position(validEnd);
                }
            }
            if (segments.isEmpty()) {
                segments.put(1L, createSegment(directory, 1L));
            }
        } catch (IOException | RuntimeException e) {
            for (FileChannel channel : segments.values()) {
                channel.close();
            }
            throw e;
        }
        return new SegmentLog(directory, options, segments, activeEnd);
    }

    /** Appends one record with one {@code write}; returns where it went. */
    public synchronized RecordPosition append(byte[] payload) throws IOException {
        return appendAll(List.of(payload)).get(0);
    }

    /**
     * Appends records as one batch: their frames are gathered in the write buffer and go out in a
     * single {@code write} (more only when the batch outgrows the buffer or rolls to a new
     * segment), and the fsync policy counts the batch as one append. Batching is what makes a
     * log fast: a system call per record would cost more than the copying.
     */
    public synchronized List<RecordPosition> appendAll(List<byte[]> payloads) throws IOException {
        ensureOpen();
        List<RecordPosition> positions = new ArrayList<>(payloads.size());
        writeBuffer.clear();
        for (byte[] payload : payloads) {
            if (payload.length > options.maxPayloadBytes()) {
                throw new IllegalArgumentException("record of " + payload.length
                        + " bytes exceeds the maximum of " + options.maxPayloadBytes());
            }
            int frameLength = Frames.HEADER_BYTES + payload.length;
            long frameOffset = activeEnd + writeBuffer.position();
            if (frameOffset > 0 && frameOffset + frameLength > options.maxSegmentBytes()) {
                flushWriteBuffer();
                roll();
                frameOffset = 0;
            } else if (writeBuffer.remaining() < frameLength) {
                flushWriteBuffer();
            }
            positions.add(new RecordPosition(activeSegment, frameOffset, frameLength));
            Frames.encode(writeBuffer, payload);
            if (DemoRegression.FLUSH_EVERY_FRAME.isOn()) {
                flushWriteBuffer(); // the demo's broken batching: one write per record
            }
        }
        flushWriteBuffer();
        recordsSinceSync += payloads.size();
        boolean due = switch (options.fsyncPolicy()) {
            case EVERY_WRITE -> true;
            case EVERY_N -> recordsSinceSync >= options.syncEveryN();
            case ON_CLOSE -> false;
        };
        if (due && !payloads.isEmpty()) {
            sync();
        }
        return positions;
    }

    /**
     * Reads one record back with a single positional read: the position carries the frame's
     * length, so there is no header to fetch first and no seek to share with the writer.
     */
    public synchronized byte[] read(RecordPosition position) throws IOException {
        ensureOpen();
        FileChannel channel = segments.get(position.segment());
        if (channel == null) {
            throw new IllegalArgumentException("no segment " + position.segment() + " in " + directory);
        }
        if (readBuffer.capacity() < position.frameLength()) {
            readBuffer = ByteBuffer.allocateDirect(Integer.highestOneBit(position.frameLength()) << 1);
        }
        ByteBuffer frame = readBuffer.clear().limit(position.frameLength());
        while (frame.hasRemaining()) {
            if (channel.read(frame, position.offset() + frame.position()) < 0) {
                throw new EOFException("record at " + position + " runs past the end of its segment");
            }
        }
        frame.flip();
        int length = frame.getInt();
        int crc = frame.getInt();
        if (length != position.payloadLength() || crc != Frames.crc(length, frame)) {
            throw new IOException("corrupt record at " + position);
        }
        byte[] payload = new byte[length];
        frame.get(payload);
        return payload;
    }

    /**
     * Makes everything appended so far durable ({@code fdatasync}: the data and the file size),
     * after the {@linkplain Options#commitDelay() commit delay}.
     */
    public synchronized void sync() throws IOException {
        ensureOpen();
        // The demo's slower sync: twice the pause. (In nanoseconds: Duration.multipliedBy goes
        // through BigDecimal, about 450 B of heap per call, which the baseline would catch too.)
        long delayNanos = options.commitDelay().toNanos() * (DemoRegression.SLOW_SYNC.isOn() ? 2 : 1);
        if (delayNanos > 0) {
            pause(delayNanos);
        }
        active.force(false);
        recordsSinceSync = 0;
    }

    /**
     * Sleeps {@code delayNanos}: one {@code futex} wait with a timeout on JDK 17. (Object.wait, which
     * would release the lock, makes two or three futex calls per pause, half of them short: the
     * median of the futex latencies would no longer be the pause.)
     */
    private void pause(long delayNanos) throws InterruptedIOException {
        try {
            TimeUnit.NANOSECONDS.sleep(delayNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during the commit delay of " + directory);
        }
    }

    /** The segment files, oldest first. */
    public synchronized List<Path> segmentFiles() {
        return segments.keySet().stream().map(id -> segmentPath(directory, id)).toList();
    }

    public Options options() {
        return options;
    }

    /** Syncs the active segment (whatever the policy: close is a promise of durability) and closes all. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            active.force(false);
        } finally {
            for (FileChannel channel : segments.values()) {
                channel.close();
            }
        }
    }

    private void flushWriteBuffer() throws IOException {
        writeBuffer.flip();
        while (writeBuffer.hasRemaining()) {
            activeEnd += active.write(writeBuffer); // a regular file takes it all at once; loop anyway
        }
        writeBuffer.clear();
    }

    /** Seals the active segment (synced, kept open for reads) and starts the next one. */
    private void roll() throws IOException {
        active.force(false);
        if (DemoRegression.ONE_MORE_CALL.isOn()) {
            active.size(); // the demo's one extra system call: an fstat of the sealed segment
        }
        long next = activeSegment + 1;
        FileChannel created = createSegment(directory, next);
        segments.put(next, created);
        activeSegment = next;
        active = created;
        activeEnd = 0;
        recordsSinceSync = 0;
    }

    /**
     * Creates an empty segment and syncs the directory: without that, a crash could lose the new
     * file's directory entry, and with it every record later synced into the file.
     */
    private static FileChannel createSegment(Path directory, long id) throws IOException {
        FileChannel channel = FileChannel.open(segmentPath(directory, id),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    private static List<Long> segmentIds(Path directory) throws IOException {
        Map<Long, Path> found = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                found.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), file);
            }
        }
        return new ArrayList<>(found.keySet());
    }

    private static Path segmentPath(Path directory, long id) {
        return directory.resolve(String.format("%020d%s", id, SUFFIX));
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("log " + directory + " is closed");
        }
    }
}
