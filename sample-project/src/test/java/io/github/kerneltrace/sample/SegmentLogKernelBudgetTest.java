package io.github.kerneltrace.sample;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.KernelTraceSession;
import io.github.kerneltrace.junit.MaxBytesWritten;
import io.github.kerneltrace.junit.MaxSyscallLatency;
import io.github.kerneltrace.junit.MaxSyscalls;

/**
 * The log's performance contract, in system calls: what one append, a batch, a sync policy and a
 * segment roll cost. The counts are exact because the code path is deterministic; a change that
 * adds a system call per record (broken batching, an extra sync) fails here, with the calls that
 * grew, long before anyone measures a slowdown.
 *
 * <p>Only the test method is traced: each {@code @BeforeEach} opens the log there and warms it up.
 * There is no budget on the total number of system calls: that total also counts the JVM's own
 * work on the test thread (a garbage collection makes it wait at a safepoint with {@code futex}),
 * so it varies from run to run. Budgets name the calls the code is responsible for.
 */
@KernelTrace
class SegmentLogKernelBudgetTest {

    static final int PAYLOAD_BYTES = 100;
    /** A record on disk: the 8-byte frame header and the payload. */
    static final int FRAME_BYTES = Frames.HEADER_BYTES + PAYLOAD_BYTES;

    @TempDir
    Path dir;

    SegmentLog log;

    static final List<byte[]> HUNDRED_RECORDS = Collections.nCopies(100, new byte[PAYLOAD_BYTES]);

    /**
     * Opens a log and uses it once: the first append and the first batch load classes (the log's
     * own, the JDK's NIO classes), and loading a class reads its jar or directory. Those reads
     * happen once per JVM, not once per append, so they must not land in a measured test.
     */
    void openWarm(SegmentLog.Options options) throws IOException {
        JitSignatureClasses.loadAhead();
        log = SegmentLog.open(dir, options);
        log.read(log.append(new byte[PAYLOAD_BYTES]));
        log.appendAll(HUNDRED_RECORDS);
        log.sync();
    }

    @AfterEach
    void close() throws IOException {
        if (log != null) {
            log.close(); // untraced: close syncs, and that is not what these tests measure
        }
    }

    @Nested
    class SyncOnClose {

        @BeforeEach
        void open() throws IOException {
            openWarm(SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.ON_CLOSE));
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @NoSync
        @MaxBytesWritten("108B") // FRAME_BYTES: the header and the payload, nothing else
        void appendOfOneRecordIsASingleWriteAndNoSync() throws IOException {
            log.append(new byte[PAYLOAD_BYTES]);
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write") // batching is the feature: not one write per record
        @NoSync
        void aBatchOf100AppendsIsOneWrite(KernelTraceSession trace) throws IOException {
            log.appendAll(HUNDRED_RECORDS);

            assertThat(trace.metrics()).bytesWritten().isEqualTo(100L * FRAME_BYTES);
        }
    }

    @Nested
    class SyncEveryWrite {

        @BeforeEach
        void open() throws IOException {
            openWarm(SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.EVERY_WRITE));
        }

        @Test
        void eachAppendIsOneWriteAndOneFdatasync(KernelTraceSession trace) throws IOException {
            for (int i = 0; i < 10; i++) {
                log.append(new byte[PAYLOAD_BYTES]);
            }

            // fdatasync, not fsync: the data and the file size must be durable, the mtime need not.
            assertThat(trace.metrics())
                    .hasSyscallCount("write", 10)
                    .hasSyscallCount("fdatasync", 10)
                    .doesNotCall("fsync");
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxSyscalls(value = 1, syscall = "fdatasync") // group commit: the batch is durable as a whole
        void aBatchIsOneWriteAndOneSync() throws IOException {
            log.appendAll(HUNDRED_RECORDS);
        }

        /**
         * A coarse gate on how long the disk takes to sync. Latency is not deterministic like a
         * count: it depends on the disk, the filesystem and the neighbours. Measured on the CI
         * machine type: per call p50 0.1-0.3 ms; the slowest of 20 calls 0.1-4 ms in 60 runs,
         * 17 ms once. The limit is deliberately generous (several times the worst seen): it is
         * there to catch a pathological regression, such as each sync flushing far more data,
         * and not the noise of a busy CI runner. Budgets on counts are the tight ones.
         */
        @Test
        @MaxSyscallLatency(syscall = "fdatasync", percentile = 99, value = "100ms")
        @MaxSyscalls(value = 20, syscall = "fdatasync")
        void fdatasyncStaysFast() throws IOException {
            for (int i = 0; i < 20; i++) {
                log.append(new byte[PAYLOAD_BYTES]);
            }
        }
    }

    @Nested
    class SyncEveryTenRecords {

        @BeforeEach
        void open() throws IOException {
            openWarm(SegmentLog.Options.defaults().withSyncEveryN(10));
        }

        @Test
        void hundredAppendsAreHundredWritesAndTenSyncs(KernelTraceSession trace) throws IOException {
            for (int i = 0; i < 100; i++) {
                log.append(new byte[PAYLOAD_BYTES]);
            }

            assertThat(trace.metrics())
                    .hasSyscallCount("write", 100)
                    .hasSyscallCount("fdatasync", 10);
        }
    }

    @Nested
    class Rolling {

        static final int SEGMENT_BYTES = 4096;

        @BeforeEach
        void fillTheFirstSegment() throws IOException {
            openWarm(SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.ON_CLOSE).withMaxSegmentBytes(SEGMENT_BYTES));
            // openWarm rolled already (101 frames of 108 bytes), which also warms the roll path.
            // Fill the active segment up to the last frame that fits.
            long used = log.append(new byte[PAYLOAD_BYTES]).offset() + FRAME_BYTES;
            while (used + FRAME_BYTES <= SEGMENT_BYTES) {
                used = log.append(new byte[PAYLOAD_BYTES]).offset() + FRAME_BYTES;
            }
            // The test's last check, once untraced: the first list assertion of the JVM loads
            // AssertJ's list classes from its jar (2 pread64 and 13 KiB of heap, in the test when
            // no earlier test class had used one: CI's class order differed from the recording's).
            Assertions.assertThat(log.segmentFiles()).hasSize(log.segmentFiles().size());
        }

        @Test
        void rollingSealsTheOldSegmentAndSyncsTheDirectory(KernelTraceSession trace) throws IOException {
            int segmentsBefore = log.segmentFiles().size();

            log.append(new byte[PAYLOAD_BYTES]); // does not fit: starts a new segment

            assertThat(trace.metrics())
                    .hasSyscallCount("write", 1)     // the record, into the new segment
                    .hasSyscallCount("fdatasync", 1) // the old segment, sealed durable (even under ON_CLOSE)
                    .hasSyscallCount("fsync", 1)     // the directory, so the new file's entry survives a crash
                    .hasSyscallCount("openat", 2);   // the new segment and the directory
            Assertions.assertThat(log.segmentFiles()).hasSize(segmentsBefore + 1);
        }
    }
}
