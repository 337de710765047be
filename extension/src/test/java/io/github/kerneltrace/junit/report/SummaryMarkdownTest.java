package io.github.kerneltrace.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryMarkdownTest {

    @TempDir
    Path reports;

    @Test
    void regressionsComeFirstThenBreachedLimitsThenImprovements() throws Exception {
        Reports.test("com.example.ATest", "improves").calls("write", 1).improved("syscalls.write.count", 2, 1).writeTo(reports);
        Reports.test("com.example.BTest", "breaches").calls("write", 4).limit("@MaxSyscalls(3)", 3, 4).writeTo(reports);
        Reports.test("com.example.CTest", "regresses").calls("write", 4).regressed("syscalls.write.count", 3, 4).writeTo(reports);
        Reports.test("com.example.DTest", "passes").calls("write", 1).writeTo(reports);

        String markdown = SummaryMarkdown.render(RunReport.read(List.of(reports)));

        assertThat(markdown).isEqualTo("""
                ## KernelTrace

                | traced | passed | failed (limit) | failed (test) | regressed | improved | incomparable | new | not traced |
                |---:|---:|---:|---:|---:|---:|---:|---:|---:|
                | 4 | 2 | 1 | 0 | 1 | 1 | 0 | 0 | 0 |

                ### Regressions

                - `CTest.regresses` `syscalls.write.count: 3 → 4 (+1, exact)`

                ### Limits breached

                - `BTest.breaches` `@MaxSyscalls(3)`: measured 4 calls, limit 3

                ### Improvements (baseline can be tightened)

                - `ATest.improves` `syscalls.write.count: 2 → 1 (-1, exact)`

                """);
    }

    @Test
    void aLongListIsCutAtTheCapAndSaysHowManyMoreAreInTheHtmlReport() throws Exception {
        for (int i = 0; i < SummaryMarkdown.CAP + 7; i++) {
            Reports.test("com.example.ManyTest", "regresses" + i).calls("write", 4)
                    .regressed("syscalls.write.count", 3, 4).writeTo(reports);
        }

        String markdown = SummaryMarkdown.render(RunReport.read(List.of(reports)));

        assertThat(markdown.lines().filter(line -> line.startsWith("- `ManyTest.regresses"))).hasSize(SummaryMarkdown.CAP);
        assertThat(markdown).contains("- … 7 more in index.html\n");
        assertThat(markdown.lines().count()).as("short enough for a pull-request comment").isLessThan(40);
    }
}
