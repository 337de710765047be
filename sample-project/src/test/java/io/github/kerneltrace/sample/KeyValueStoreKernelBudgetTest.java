package io.github.kerneltrace.sample;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.KernelTraceSession;
import io.github.kerneltrace.junit.MaxBytesRead;
import io.github.kerneltrace.junit.MaxSyscalls;

/**
 * The store's contract in system calls: a get is one positional read of exactly its record, a miss
 * touches no file, recovery streams the log in 64 KiB reads, and a batch of puts is one write.
 */
@KernelTrace
class KeyValueStoreKernelBudgetTest {

    /** 1024 entries whose records are exactly 1 KiB on disk: a log of exactly 1 MiB. */
    static final int ENTRIES = 1024;
    static final int FRAME_BYTES = 1024;
    static final long LOG_BYTES = (long) ENTRIES * FRAME_BYTES;
    static final SegmentLog.Options SYNC_ON_CLOSE = SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.ON_CLOSE);

    /** The 1 MiB log, written once for the class: Recovery and Reads only read it. */
    @TempDir
    static Path log;

    /** Each writing test's own directory: its store starts empty. */
    @TempDir
    Path dir;

    KeyValueStore store;

    /** Key "key-000042" (10 bytes), value padding the record to exactly FRAME_BYTES on disk. */
    static String key(int i) {
        return String.format("key-%06d", i);
    }

    static byte[] value(int i) {
        byte[] value = new byte[FRAME_BYTES - Frames.HEADER_BYTES - 3 - key(i).length()]; // 3: kind, key length
        value[0] = (byte) i;
        return value;
    }

    /** Writes the 1 MiB log, then closes the store: untraced setup. */
    @BeforeAll // once: Recovery and Reads only read the log
    static void writeLogOnce() throws IOException {
        JitSignatureClasses.loadAhead();
        writeLog(log);
    }

    /** Writes the {@link #ENTRIES} entries, 1 MiB of log, into a store in {@code dir} and closes it. */
    static void writeLog(Path dir) throws IOException {
        try (KeyValueStore writer = KeyValueStore.open(dir, SYNC_ON_CLOSE)) {
            for (int i = 0; i < ENTRIES; i++) {
                writer.put(key(i), value(i));
            }
        }
    }

    @AfterEach
    void close() throws IOException {
        if (store != null) {
            store.close(); // untraced: closing syncs, which these tests do not measure
        }
    }

    @Nested
    class Recovery {

        @BeforeEach
        void warmUp() throws IOException {
            // The first recovery in a JVM loads classes (directory streams, the reader, the
            // index), which reads jars: a one-off cost that would inflate "bytes read". Recover
            // once, untraced, so that the test measures only what every recovery costs.
            KeyValueStore.open(log, SegmentLog.Options.defaults()).close();
        }

        @Test
        @MaxBytesRead("1MiB")                       // the log once, nothing twice
        @MaxSyscalls(value = 0, syscall = "write")  // opening a store writes nothing
        void recoveryOfA1MiBLogReadsItIn64KiBChunks(KernelTraceSession trace) throws IOException {
            store = KeyValueStore.open(log, SegmentLog.Options.defaults());

            var metrics = trace.metrics();
            assertThat(metrics).bytesRead().isEqualTo(LOG_BYTES);
            // 16 reads of 64 KiB, and one more that finds the end of the file. Reading frame by
            // frame would be 2048 reads; a smaller buffer, more reads. (A literal on purpose: a
            // change of LogReader.CHUNK_BYTES must show up here as a change of the contract.)
            assertThat(metrics).syscallCount("read").isEqualTo(17);
            Assertions.assertThat(store.size()).isEqualTo(ENTRIES);
        }
    }

    @Nested
    class Reads {

        @BeforeEach
        void openAndWarmUp() throws IOException {
            store = KeyValueStore.open(log, SegmentLog.Options.defaults()); // reads only: the shared log stays as written
            // The first get loads the read path's classes; the tests' Optional assertions, once
            // untraced, load AssertJ's (a test that ran first in its JVM read them from the jar).
            Assertions.assertThat(store.get(key(0))).hasValueSatisfying(v -> Assertions.assertThat(v).isNotEmpty());
            Assertions.assertThat(store.get("no-such-key")).isEmpty();
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "pread64") // one positional read...
        @MaxSyscalls(value = 0, syscall = "read")    // ...and no seek-and-read
        @MaxSyscalls(value = 0, syscall = "lseek")
        void getIsServedFromTheIndexWithOnePread(KernelTraceSession trace) throws IOException {
            Optional<byte[]> value = store.get(key(500));

            assertThat(trace.metrics()).bytesRead().isEqualTo(FRAME_BYTES); // exactly the record
            Assertions.assertThat(value).hasValueSatisfying(v -> Assertions.assertThat(v[0]).isEqualTo((byte) 500));
        }

        @Test
        @MaxSyscalls(value = 0, syscall = "pread64")
        @MaxSyscalls(value = 0, syscall = "read")
        void aMissIsAnsweredFromMemory() throws IOException {
            Assertions.assertThat(store.get("no-such-key")).isEmpty();
        }
    }

    @Nested
    class Writes {

        @BeforeEach
        void openAndWarmUp() throws IOException {
            store = KeyValueStore.open(dir, SegmentLog.Options.defaults()); // EVERY_WRITE: each put durable
            store.putAll(Map.of("warm-up", new byte[1])); // the first batch loads the write path's classes
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxSyscalls(value = 1, syscall = "fdatasync")
        void putAllOf100EntriesIsOneWriteAndOneSync() throws IOException {
            Map<String, byte[]> batch = new LinkedHashMap<>();
            for (int i = 0; i < 100; i++) {
                batch.put("batch-" + i, value(i));
            }
            store.putAll(batch);
        }

        @Test
        @MaxSyscalls(value = 0, syscall = "write")
        @NoSync
        void deletingAMissingKeyWritesNothing() throws IOException {
            store.delete("no-such-key");
        }
    }
}
