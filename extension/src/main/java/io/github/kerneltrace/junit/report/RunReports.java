package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * Writes a run's reports ({@code summary.json}, {@code summary.md}, {@code index.html}) made from the
 * per-test reports in one or more directories, and prints the console summary. The end of a test
 * run and {@link MergeReports} both come here. Public only for the extension's end-of-run listener
 * ({@code io.github.kerneltrace.junit.RunReportListener}); not an API.
 */
public final class RunReports {

    /** The variable GitHub Actions sets to a Markdown file shown on the job's summary page. */
    static final String GITHUB_STEP_SUMMARY = "GITHUB_STEP_SUMMARY";

    private RunReports() {
    }

    /**
     * At the end of a test plan: the reports of {@code reportDirectory} written into it; printed to
     * {@code console} unless it is null: the table of the traced tests among {@code ranInThisPlan}
     * (unique ids), and the summary line of the whole directory. Never throws: a report must not
     * fail a build that passed; what went wrong is printed instead.
     */
    public static void endOfRun(Path reportDirectory, PrintStream console, Set<String> ranInThisPlan) {
        if (!Files.isDirectory(reportDirectory)) {
            return; // nothing traced in this run
        }
        try {
            RunReport run = RunReport.read(List.of(reportDirectory));
            write(run, List.of(reportDirectory), reportDirectory, System.getenv(GITHUB_STEP_SUMMARY));
            boolean tracedHere = run.tests().stream().anyMatch(test -> ranInThisPlan.contains(test.uniqueId()))
                    || run.notTraced().stream().anyMatch(test -> ranInThisPlan.contains(test.uniqueId()));
            if (console != null && tracedHere) {
                console.print(ConsoleSummary.render(run, reportDirectory, ranInThisPlan::contains));
                console.flush();
            }
        } catch (IOException | RuntimeException e) {
            (console != null ? console : System.err).println("[kerneltrace] could not write the run report in "
                    + reportDirectory + ": " + e);
        }
    }

    /** Writes the three files into {@code out}; appends the Markdown to the file {@code stepSummary} if not null. */
    static void write(RunReport run, List<Path> directories, Path out, String stepSummary) throws IOException {
        Files.createDirectories(out);
        String markdown = SummaryMarkdown.render(run);
        replace(out.resolve(RunReport.SUMMARY_JSON), SummaryJson.render(run));
        replace(out.resolve(RunReport.SUMMARY_MD), markdown);
        replace(out.resolve(RunReport.INDEX_HTML), HtmlReport.render(run, directories.stream().map(Path::toString).toList(), out));
        if (stepSummary != null && !stepSummary.isBlank()) {
            Files.writeString(Path.of(stepSummary), markdown, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /**
     * Written beside and moved over the old file, so that a reader (another Surefire fork
     * finishing at the same time, a browser) never sees half a file.
     */
    static void replace(Path file, String text) throws IOException {
        // Named by process: two JVMs writing the same report at once each move a whole file.
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
