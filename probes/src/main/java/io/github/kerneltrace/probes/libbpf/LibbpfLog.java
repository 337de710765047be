package io.github.kerneltrace.probes.libbpf;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import com.sun.jna.Pointer;

/**
 * Receives libbpf's log lines (including the verifier's log when a program is rejected) and
 * keeps the last ones, so that a load failure can say what the kernel objected to.
 * Warnings go to {@link System.Logger} under the name {@code io.github.kerneltrace}.
 */
public final class LibbpfLog implements LibbpfApi.PrintCallback {

    private static final Logger LOGGER = System.getLogger("io.github.kerneltrace");
    private static final int LIBBPF_WARN = 0;
    private static final int KEPT_LINES = 40;

    private final Deque<String> recent = new ArrayDeque<>();

    @Override
    public int invoke(int level, String format, Pointer vaList) {
        byte[] buffer = new byte[4096];
        int length = LibC.INSTANCE.vsnprintf(buffer, buffer.length, format, vaList);
        String line = new String(buffer, 0, Math.max(0, Math.min(length, buffer.length - 1)),
                StandardCharsets.UTF_8).stripTrailing();
        synchronized (recent) {
            if (recent.size() == KEPT_LINES) {
                recent.removeFirst();
            }
            recent.addLast(line);
        }
        if (level == LIBBPF_WARN) {
            LOGGER.log(Level.DEBUG, "libbpf: {0}", line);
        }
        return length;
    }

    /** Forgets earlier lines, so that {@link #recentLines()} reports only what follows. */
    public void clear() {
        synchronized (recent) {
            recent.clear();
        }
    }

    public String recentLines() {
        synchronized (recent) {
            return String.join("\n", recent);
        }
    }
}
