package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the report directories of several JVMs (Surefire forks, modules, CI shards) into one run
 * report:
 * <pre>
 * java -cp kerneltrace-junit.jar:HdrHistogram.jar io.github.kerneltrace.junit.report.MergeReports \
 *      [--out DIR] [--fail-on-regression] DIR...
 * </pre>
 * Writes {@code summary.json}, {@code summary.md} and {@code index.html} into {@code --out}
 * (default {@code target/kerneltrace-merged}) and prints the console summary. Needs no jar but
 * the extension's (HdrHistogram is not used here). Exit status: 0;
 * 1 with {@code --fail-on-regression} when a test regressed or breached a limit; 2 for bad usage
 * or a report file that cannot be read (the message names it).
 */
public final class MergeReports {

    static final String USAGE = "usage: MergeReports [--out DIR] [--fail-on-regression] DIR...";

    private MergeReports() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path target = Path.of("target/kerneltrace-merged");
        boolean failOnRegression = false;
        List<Path> directories = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> {
                    if (i + 1 == args.length) {
                        err.println("--out needs a directory; " + USAGE);
                        return 2;
                    }
                    target = Path.of(args[++i]);
                }
                case "--fail-on-regression" -> failOnRegression = true;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        err.println("unknown option " + args[i] + "; " + USAGE);
                        return 2;
                    }
                    directories.add(Path.of(args[i]));
                }
            }
        }
        if (directories.isEmpty()) {
            err.println("no report directory given (e.g. module/target/kerneltrace); " + USAGE);
            return 2;
        }
        RunReport run = RunReport.read(directories);
        if (!run.problems().isEmpty()) {
            run.problems().forEach(problem -> err.println("cannot merge: " + problem));
            err.println("Fix or remove these files (a report still being written? a directory mistyped?) and merge again.");
            return 2;
        }
        try {
            RunReports.write(run, directories, target, System.getenv(RunReports.GITHUB_STEP_SUMMARY));
        } catch (IOException e) {
            err.println("cannot write the merged report into " + target + ": " + e);
            return 2;
        }
        out.print(ConsoleSummary.render(run, target, uniqueId -> true));
        RunReport.Totals totals = run.totals();
        return failOnRegression && (totals.regressed() > 0 || totals.failed() > 0) ? 1 : 0;
    }
}
