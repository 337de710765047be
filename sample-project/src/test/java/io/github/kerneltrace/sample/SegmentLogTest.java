package io.github.kerneltrace.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain functional tests: the log keeps what it is given, across segments and reopening. */
class SegmentLogTest {

    @TempDir
    Path dir;

    private final SegmentLog.Options options = SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.ON_CLOSE);

    @Test
    void readsBackWhatWasAppended() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            RecordPosition first = log.append(bytes("first"));
            RecordPosition second = log.append(bytes("second"));

            assertThat(first).isEqualTo(new RecordPosition(1, 0, Frames.HEADER_BYTES + 5));
            assertThat(second.offset()).isEqualTo(first.frameLength());
            assertThat(log.read(second)).asString(UTF_8).isEqualTo("second");
            assertThat(log.read(first)).asString(UTF_8).isEqualTo("first");
        }
    }

    @Test
    void batchPositionsAreConsecutiveFrames() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            List<RecordPosition> positions = log.appendAll(List.of(bytes("a"), bytes("bb"), new byte[0]));

            assertThat(positions).extracting(RecordPosition::offset).containsExactly(0L, 9L, 19L);
            assertThat(log.read(positions.get(1))).asString(UTF_8).isEqualTo("bb");
            assertThat(log.read(positions.get(2))).isEmpty();
        }
    }

    @Test
    void rollsToANewSegmentWhenTheActiveOneIsFull() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options.withMaxSegmentBytes(4096))) {
            List<RecordPosition> positions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                positions.add(log.append(new byte[1000 - Frames.HEADER_BYTES]));
            }

            // 4 frames of 1000 bytes fit a 4096-byte segment; the fifth starts the next one.
            assertThat(log.segmentFiles()).hasSize(3);
            assertThat(positions).extracting(RecordPosition::segment).containsExactly(1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L, 3L, 3L);
            assertThat(Files.size(log.segmentFiles().get(0))).isEqualTo(4000);
            assertThat(log.read(positions.get(9))).hasSize(1000 - Frames.HEADER_BYTES);
        }
    }

    @Test
    void aBatchMaySpanSegments() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options.withMaxSegmentBytes(4096))) {
            List<byte[]> records = IntStream.range(0, 6).mapToObj(i -> bytes("record-" + i + "-" + "x".repeat(900))).toList();
            List<RecordPosition> positions = log.appendAll(records);

            assertThat(positions).extracting(RecordPosition::segment).containsExactly(1L, 1L, 1L, 1L, 2L, 2L);
            for (int i = 0; i < records.size(); i++) {
                assertThat(log.read(positions.get(i))).isEqualTo(records.get(i));
            }
        }
    }

    @Test
    void reopeningShowsEveryRecordInOrderAndAppendsAfterThem() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options.withMaxSegmentBytes(4096))) {
            for (int i = 0; i < 20; i++) {
                log.append(bytes("record " + i + " " + "y".repeat(300)));
            }
        }
        List<String> seen = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, options.withMaxSegmentBytes(4096),
                (position, payload) -> seen.add(UTF_8.decode(payload).toString().split(" ")[1]))) {
            assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(Integer::toString).toList());
            RecordPosition next = log.append(bytes("after"));
            assertThat(log.read(next)).asString(UTF_8).isEqualTo("after");
        }
    }

    @Test
    void recordsLargerThanTheCurrentOptionsAllowAreStillRecovered() throws IOException {
        byte[] big = new byte[10_000];
        big[9_999] = 7;
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            log.append(big);
        }
        // Reopened with a 4 KiB write buffer: new records are limited, old ones must survive.
        List<RecordPosition> seen = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, options.withMaxSegmentBytes(4096), (position, payload) -> seen.add(position))) {
            assertThat(seen).hasSize(1);
            assertThat(log.read(seen.get(0))).isEqualTo(big);
        }
    }

    @Test
    void aTornTailIsCutOffOnOpen() throws IOException {
        Path segment;
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            log.append(bytes("kept"));
            segment = log.segmentFiles().get(0);
        }
        long intact = Files.size(segment);
        // A crash in the middle of a write: a header promising 100 bytes, then only 3 of them.
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(11).putInt(100).putInt(42).put(bytes("abc")).flip());
        }

        List<String> seen = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, options, (p, payload) -> seen.add(UTF_8.decode(payload).toString()))) {
            assertThat(seen).containsExactly("kept");
            assertThat(Files.size(segment)).isEqualTo(intact);
            RecordPosition next = log.append(bytes("next"));
            assertThat(next.offset()).isEqualTo(intact);
        }
    }

    @Test
    void aZeroFilledTailIsNotReadAsEmptyRecords() throws IOException {
        Path segment;
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            log.append(bytes("kept"));
            segment = log.segmentFiles().get(0);
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(4096));
        }

        List<RecordPosition> seen = new ArrayList<>();
        try (SegmentLog log = SegmentLog.open(dir, options, (position, payload) -> seen.add(position))) {
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    void aCorruptRecordIsReportedOnRead() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            RecordPosition position = log.append(bytes("precious"));
            try (FileChannel channel = FileChannel.open(log.segmentFiles().get(0), StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(bytes("X")), position.offset() + Frames.HEADER_BYTES);
            }

            assertThatThrownBy(() -> log.read(position)).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
        }
    }

    @Test
    void aRecordLargerThanTheWriteBufferIsRefused() throws IOException {
        try (SegmentLog log = SegmentLog.open(dir, options)) {
            assertThatThrownBy(() -> log.append(new byte[options.maxPayloadBytes() + 1]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the maximum");
        }
    }

    @Test
    void aClosedLogRefusesWork() throws IOException {
        SegmentLog log = SegmentLog.open(dir, options);
        log.close();

        assertThatThrownBy(() -> log.append(bytes("late"))).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }

    static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
