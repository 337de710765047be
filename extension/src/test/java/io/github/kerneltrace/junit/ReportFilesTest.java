package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No report is ever lost: a name two invocations would share goes to the second as {@code ~2}. */
class ReportFilesTest {

    @Test
    void aNameTakenByAnotherInvocationIsNeverOverwritten(@TempDir Path reports) throws Exception {
        Path file = reports.resolve("com.example.A.overloaded.json");

        ReportFiles.write(file, "[method:overloaded(int)]", "{\"first\": 1}");
        ReportFiles.write(file, "[method:overloaded(java.lang.String)]", "{\"second\": 2}");
        ReportFiles.write(file, "[method:overloaded(int)]", "{\"first\": 3}"); // the same test again: its own file
        ReportFiles.flush();

        assertThat(Files.readString(file)).isEqualTo("{\"first\": 3}");
        assertThat(Files.readString(reports.resolve("com.example.A.overloaded~2.json"))).isEqualTo("{\"second\": 2}");
        try (var files = Files.list(reports)) {
            assertThat(files).hasSize(2);
        }
    }

    /** A report moved to a {@code ~2} name takes its flame graph pages along, and its JSON names them so. */
    @Test
    void flameGraphPagesFollowTheirReportToItsName(@TempDir Path reports) throws Exception {
        Path file = reports.resolve("com.example.A.overloaded.json");
        String page = "com.example.A.overloaded.flame-cpu.html";

        ReportFiles.write(file, "[method:overloaded(int)]", "{\"first\": 1}");
        ReportFiles.write("[method:overloaded(java.lang.String)]", () -> new ReportFiles.Report(file,
                "{\"flameGraphs\": [{\"file\": \"" + page + "\"}]}", null, java.util.Map.of(page, "<html>second</html>")));
        ReportFiles.flush();

        assertThat(Files.readString(reports.resolve("com.example.A.overloaded~2.json")))
                .isEqualTo("{\"flameGraphs\": [{\"file\": \"com.example.A.overloaded~2.flame-cpu.html\"}]}");
        assertThat(Files.readString(reports.resolve("com.example.A.overloaded~2.flame-cpu.html"))).isEqualTo("<html>second</html>");
        assertThat(reports.resolve(page)).doesNotExist();
    }

    @Test
    void reportsMadeOnTheWriterThreadAreWrittenEvenAfterOneThatCannotBeMade(@TempDir Path reports) throws Exception {
        Thread[] madeOn = new Thread[1];
        ReportFiles.write("[method:broken()]", () -> {
            throw new IllegalStateException("rendering failed");
        });
        ReportFiles.write("[method:fine()]", () -> {
            madeOn[0] = Thread.currentThread();
            return new ReportFiles.Report(reports.resolve("com.example.A.fine.json"), "{\"fine\": true}");
        });
        ReportFiles.flush();

        assertThat(madeOn[0]).isNotNull().isNotSameAs(Thread.currentThread());
        assertThat(Files.readString(reports.resolve("com.example.A.fine.json"))).isEqualTo("{\"fine\": true}");
        try (var files = Files.list(reports)) {
            assertThat(files).hasSize(1);
        }
    }
}
