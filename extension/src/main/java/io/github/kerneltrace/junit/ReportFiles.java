package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Writes the JSON reports on one background thread, in order: creating and writing a file costs
 * about 0.2 ms on a VM's disk, which the traced test should not wait for. Everything submitted is
 * written before the JUnit session closes ({@link EarlyLoad}) and before the JVM exits.
 */
final class ReportFiles {

    private static final System.Logger LOGGER = System.getLogger(ReportFiles.class.getName());

    private static final ExecutorService WRITER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kerneltrace-reports");
        thread.setDaemon(true); // the shutdown hook below flushes; the thread must not keep the JVM alive
        return thread;
    });

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
        WRITER.execute(() -> {
            Path target = unclaimed(file, uniqueId);
            try {
                Files.createDirectories(target.getParent());
                Files.writeString(target, json);
            } catch (IOException | RuntimeException e) {
                // A report that cannot be written must not change any test's verdict.
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not write the report " + target, e);
            }
        });
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
            WRITER.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not finish writing its reports", e);
        }
    }
}
