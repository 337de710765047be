package io.github.kerneltrace.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory read again (once per test class under Surefire's forkCount > 1) shows what changed since. */
class RunReportReadTest {

    @Test
    void aReportRewrittenSinceTheLastReadIsReadAgain(@TempDir Path reports) throws Exception {
        Path file = Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(reports);
        assertThat(RunReport.read(List.of(reports)).tests().get(0).metric("totals.syscalls")).isEqualTo(3);

        FileTime before = Files.getLastModifiedTime(file);
        Reports.test("com.example.ATest", "writes").calls("write", 4).writeTo(reports); // same size, other content
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));
        Reports.test("com.example.BTest", "reads").calls("read", 1).writeTo(reports);

        RunReport again = RunReport.read(List.of(reports));
        assertThat(again.tests()).extracting(test -> test.shortName() + " " + test.metric("totals.syscalls"))
                .containsExactly("ATest.writes 4", "BTest.reads 1");
    }
}
