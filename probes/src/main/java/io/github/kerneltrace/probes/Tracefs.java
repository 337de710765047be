package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Classic tracepoints are found through tracefs (libbpf reads a tracepoint's id there). Mounted on
 * most systems; where it is not, it is mounted if this process may (root), else a clear error.
 */
final class Tracefs {

    static final Path EVENTS = Path.of("/sys/kernel/tracing/events");

    private Tracefs() {
    }

    /** @throws IllegalArgumentException when tracefs is not mounted and cannot be, saying how to mount it */
    static synchronized void ensureMounted() {
        if (Files.isDirectory(EVENTS)) {
            return;
        }
        if (mounted()) {
            // root-only by default (mode 700): a JVM without root's file access cannot read the ids
            throw new IllegalArgumentException("tracepoint probes read their ids from tracefs, which is mounted at"
                    + " /sys/kernel/tracing but not readable by this JVM: EACCES: Permission denied");
        }
        String failure;
        try {
            Process mount = new ProcessBuilder("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing")
                    .redirectErrorStream(true).start();
            String output = new String(mount.getInputStream().readAllBytes()).trim();
            failure = mount.waitFor() == 0 && Files.isDirectory(EVENTS) ? null : output;
        } catch (IOException e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (failure != null) {
            throw new IllegalArgumentException("tracepoint probes need tracefs, which is not mounted at /sys/kernel/tracing"
                    + " and could not be mounted here (" + failure + "); mount it as root:"
                    + " `mount -t tracefs nodev /sys/kernel/tracing`");
        }
    }

    /** Whether tracefs is mounted at /sys/kernel/tracing (from this process's mount table, which any user may read). */
    private static boolean mounted() {
        try {
            return Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo")).stream()
                    .anyMatch(line -> line.contains(" /sys/kernel/tracing ") && line.contains(" - tracefs "));
        } catch (IOException e) {
            return false;
        }
    }
}
