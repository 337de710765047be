package io.github.kerneltrace.sample;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.util.zip.Deflater;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.KernelTraceSession;
import io.github.kerneltrace.junit.MaxProbeHits;
import io.github.kerneltrace.junit.UserProbe;

/**
 * A declared probe on a library the JDK calls: zlib's {@code deflate}, under java.util.zip's
 * {@link Deflater}. Compressing the log's hundred records one by one, each in one call, is one
 * {@code deflate} call per record; a change that feeds a record in pieces, or flushes between
 * them, calls zlib more often and fails here.
 *
 * <p>Where zlib is: Debian's JDK 17 loads the system's libz.so.1; Temurin 25 builds zlib into its
 * own libzip.so (where {@code deflate} is a local symbol). The probe names both, and the first
 * mapped one that has the function is probed: libzip first, since the system's libz.so.1 is mapped
 * under Temurin too (libbpf links it) but the JDK's Deflater does not call it there. Measured:
 * 100 hits for the 100 records on both JDKs.
 */
@KernelTrace
class SegmentCompressionProbeTest {

    static final int RECORDS = 100; // SegmentLogKernelBudgetTest.HUNDRED_RECORDS

    final Deflater deflater = new Deflater();
    final byte[] compressed = new byte[64 * 1024];

    @BeforeEach
    void warm() {
        compressEach(); // the JNI binding and the JIT, outside the window
    }

    /** Compresses each record's payload on its own: setInput, finish, one deflate call. */
    int compressEach() {
        int total = 0;
        for (byte[] payload : SegmentLogKernelBudgetTest.HUNDRED_RECORDS) {
            deflater.reset();
            deflater.setInput(payload);
            deflater.finish();
            total += deflater.deflate(compressed);
        }
        return total;
    }

    @Test
    @UserProbe(name = "deflate", library = {"libzip", "libz"}, function = "deflate")
    @MaxProbeHits(probe = "deflate", value = RECORDS)
    void oneDeflateCallPerRecord(KernelTraceSession session) {
        compressEach();
        assertThat(session.metrics()).probe("deflate").hits().isEqualTo(RECORDS);
    }
}
