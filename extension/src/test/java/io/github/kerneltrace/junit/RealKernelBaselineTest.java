package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A baseline on the real kernel, as a user meets it: recorded in update mode, compared unchanged
 * (passes), then compared after the code makes one more {@code write} (fails, saying so).
 */
class RealKernelBaselineTest {

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void aRecordedBaselinePassesUnchangedAndCatchesOneMoreWrite(@TempDir Path directory) throws IOException {
        Path file = directory.resolve(Writer.class.getName() + ".baseline");

        Writer.writes = 5;
        assertThat(status(run(directory, "update"))).isEqualTo(Status.SUCCESSFUL);
        assertThat(Files.readString(file))
                .contains("environment.attach = ")
                .contains("\nwritesToDevNull() :: syscalls.write.count = 5 exact\n")
                .contains("\nwritesToDevNull() :: syscalls.write.bytes = 5 exact\n");
        // the call sites of its exact counts, from a re-run of the test (sites mode)
        assertThat(status(run(directory, "sites"))).isEqualTo(Status.SUCCESSFUL);
        assertThat(Files.readString(file)).contains("\nwritesToDevNull() :: site syscalls.write.count = 5 at ");

        assertThat(status(run(directory, "compare"))).as("unchanged").isEqualTo(Status.SUCCESSFUL);

        Writer.writes = 6;
        Throwable regression = Fixtures.throwableOf(run(directory, "compare").testEvents(), "writesToDevNull");
        // each regression, then its Java call sites, and for the count how they changed against the baseline
        String site = "RealKernelBaselineTest$Writer.writesToDevNull(RealKernelBaselineTest.java:" + Writer.WRITE_LINE + ")";
        assertThat(regression).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageStartingWith("""
                        KernelTrace baseline regressions in Writer.writesToDevNull() [scope TEST]:
                          - syscalls.write.bytes: 5 → 6 (+1, exact)
                              call sites: 6 B of 6 B written by write explained (in a re-run with the Flight Recorder on)
                                6 B × %s
                          - syscalls.write.count: 5 → 6 (+1, exact)
                              call sites: 6 of 6 write calls explained (in a re-run with the Flight Recorder on)
                                6 × %s
                              call sites against the baseline:
                                grown 5 → 6: %s
                        Baseline %s: if the increase is intended, record the baseline again with -Dkerneltrace.baseline=update
                        Top system calls: write 6 (6 B)""".formatted(site, site, site, file));
    }

    private static EngineExecutionResults run(Path directory, String mode) {
        return Fixtures.run(Writer.class, Map.of(KernelTraceConfiguration.REQUIRE, "true",
                ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, mode));
    }

    /** The number of this file's line that ends with {@code marker} (Surefire runs in the module's directory). */
    static int lineEndingWith(String marker) {
        try {
            List<String> lines = Files.readAllLines(Path.of("src/test/java/io/github/kerneltrace/junit/RealKernelBaselineTest.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).endsWith(marker)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no line ends with " + marker);
    }

    private static Status status(EngineExecutionResults results) {
        return Fixtures.statusOf(results.testEvents(), "writesToDevNull");
    }

    @Tag("fixture")
    @KernelTrace
    static class Writer {

        static volatile int writes;
        /** The line of the write above, as its call site names it. */
        static final int WRITE_LINE = lineEndingWith(": WRITE_LINE");
        OutputStream devNull;

        @BeforeEach
        void openDevNull() throws IOException {
            devNull = new FileOutputStream("/dev/null");
            devNull.write('x'); // warm up, outside the traced method
        }

        @Test
        void writesToDevNull() throws IOException {
            for (int i = 0; i < writes; i++) {
                devNull.write('x'); // one write(2) of one byte: WRITE_LINE
            }
        }

        @AfterEach
        void closeDevNull() throws IOException {
            devNull.close();
        }
    }
}
