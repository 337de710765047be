package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders and writes the JSON reports on one background thread, in order: rendering a report is
 * cold code in a test run that runs each test once, and creating and writing a file costs about
 * 0.2 ms on a VM's disk; the traced test waits for neither. Everything submitted is written
 * before the JUnit session closes ({@link EarlyLoad}) and before the JVM exits.
 */
final class ReportFiles {

    private static final System.Logger LOGGER = System.getLogger(ReportFiles.class.getName());

    private static final BackgroundTasks WRITER = new BackgroundTasks("kerneltrace-reports");

    /**
     * A report as made on the writer thread: the file it is meant for, its JSON, the test's
     * histogram log (written beside it as {@code .hlog}; null for none), and its flame graph pages
     * by file name (written beside it; named after the JSON file, {@code <name>.flame-<profile>.html}).
     */
    record Report(Path file, String json, String histogramLog, Map<String, String> flameGraphs) {

        Report(Path file, String json) {
            this(file, json, null, Map.of());
        }
    }

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ReportFiles::flush, "kerneltrace-reports-flush"));
    }

    private ReportFiles() {
    }

    /**
     * The file each report of this JVM went to, by the invocation's unique id, and back: confined
     * to the writer thread. A report whose name another invocation took gets the next free
     * {@code ~2}, {@code ~3} … name instead of overwriting it; the same invocation run again
     * (a test kit re-running a class) rewrites its own file.
     */
    private static final Map<Path, String> WRITTEN_BY = new HashMap<>();

    static void write(Path file, String uniqueId, String json) {
        write(uniqueId, () -> new Report(file, json));
    }

    /**
     * Makes the report of the invocation {@code uniqueId} and writes it, both on the writer thread.
     * {@code report} must only read what it is given (a finished test's outcome: immutable).
     */
    static void write(String uniqueId, Supplier<Report> report) {
        WRITER.execute(() -> {
            Report made;
            try {
                made = report.get();
            } catch (RuntimeException e) {
                // A report that cannot be made or written must not change any test's verdict.
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not make the report of " + uniqueId, e);
                return;
            }
            Path target = unclaimed(made.file(), uniqueId);
            String json = made.json();
            try {
                Files.createDirectories(target.getParent());
                String intended = stem(made.file());
                for (Map.Entry<String, String> page : made.flameGraphs().entrySet()) {
                    // A report moved to a ~2 name takes its pages along, and its JSON names them so.
                    String name = stem(target) + page.getKey().substring(intended.length());
                    json = json.replace("\"" + page.getKey() + "\"", "\"" + name + "\"");
                    replace(target.resolveSibling(name), page.getValue());
                }
                if (made.histogramLog() != null) {
                    String name = target.getFileName().toString();
                    replace(target.resolveSibling(name.substring(0, name.length() - ".json".length()) + ".hlog"),
                            made.histogramLog());
                }
                replace(target, json);
            } catch (IOException | RuntimeException e) {
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not write the report " + target, e);
            }
        });
    }

    /**
     * Written beside and moved over the file, so that a reader (another Surefire fork making the
     * run report of a shared directory) never reads half a report.
     */
    private static void replace(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(temporary, text);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A report file's name without {@code .json}. */
    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }

    private static Path unclaimed(Path file, String uniqueId) {
        Path candidate = file;
        String name = file.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        for (int suffix = 2; ; suffix++) {
            String owner = WRITTEN_BY.putIfAbsent(candidate, uniqueId);
            if (owner == null || owner.equals(uniqueId)) {
                return candidate;
            }
            candidate = file.resolveSibling(stem + "~" + suffix + ".json");
        }
    }

    /** Waits until every report submitted so far is on disk (the writer runs tasks in order). */
    static void flush() {
        try {
            if (!WRITER.awaitQueued(30_000)) {
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not finish writing its reports in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace was interrupted writing its reports", e);
        }
    }
}
