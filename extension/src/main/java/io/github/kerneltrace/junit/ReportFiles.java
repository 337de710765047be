package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static void write(Path file, String json) {
        WRITER.execute(() -> {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, json);
            } catch (IOException | RuntimeException e) {
                // A report that cannot be written must not change any test's verdict.
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not write the report " + file, e);
            }
        });
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
