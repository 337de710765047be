package io.github.kerneltrace.probes.libbpf;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    /** Of a verifier log, the first and the last lines kept. */
    private static final int KEPT_LOG_LINES = 12;
    /** How libbpf starts a line about one program: {@code libbpf: prog 'tp_btf_sys_enter': failed to load: -13}. */
    private static final Pattern PROGRAM_LINE = Pattern.compile("(?:libbpf: )?prog '([^']+)': ");

    /** Guarded by its own monitor: libbpf calls back on whichever thread loads or attaches. */
    private final Deque<String> recent = new ArrayDeque<>();
    /**
     * Where a line is formatted, guarded by {@code recent}'s monitor. Large enough for a whole
     * verifier log (libbpf prints it at once), whose last lines say what was refused.
     */
    private final byte[] buffer = new byte[256 * 1024];

    @Override
    public int invoke(int level, String format, Pointer vaList) {
        String line;
        int length;
        synchronized (recent) {
            length = LibC.INSTANCE.vsnprintf(buffer, buffer.length, format, vaList);
            line = abbreviated(new String(buffer, 0, Math.max(0, Math.min(length, buffer.length - 1)),
                    StandardCharsets.UTF_8).stripTrailing());
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

    /**
     * A verifier log (one print of many lines) cut to its first and last lines: the last ones
     * say what the verifier refused, and a message should not carry thousands of lines.
     */
    private static String abbreviated(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length <= 2 * KEPT_LOG_LINES) {
            return text;
        }
        return String.join("\n", java.util.Arrays.asList(lines).subList(0, KEPT_LOG_LINES)) + "\n... ("
                + (lines.length - 2 * KEPT_LOG_LINES) + " lines of the verifier's log left out) ...\n"
                + String.join("\n", java.util.Arrays.asList(lines).subList(lines.length - KEPT_LOG_LINES, lines.length));
    }

    /** Forgets earlier lines, so that {@link #recentLines()} reports only what follows. */
    public void clear() {
        synchronized (recent) {
            recent.clear();
        }
    }

    /** libbpf's most recent line about a program ({@code prog 'NAME': ...}), or null. */
    public String lastProgramLine() {
        synchronized (recent) {
            Iterator<String> newestFirst = recent.descendingIterator();
            while (newestFirst.hasNext()) {
                String line = newestFirst.next();
                if (PROGRAM_LINE.matcher(line).lookingAt() && !line.contains("-- BEGIN") && !line.contains("-- END")) {
                    return line;
                }
            }
            return null;
        }
    }

    /**
     * The verifier's own complaint from the most recent program load log (its last line before
     * the statistics, e.g. {@code invalid bpf_context access off=0 size=8}), or null if there is none.
     */
    public String lastVerifierComplaint() {
        synchronized (recent) {
            Iterator<String> newestFirst = recent.descendingIterator();
            while (newestFirst.hasNext()) {
                String entry = newestFirst.next();
                int end = entry.indexOf("-- END PROG LOAD LOG --");
                if (end < 0) {
                    continue;
                }
                String[] lines = entry.substring(0, end).split("\n");
                for (int i = lines.length - 1; i >= 0; i--) {
                    String line = lines[i].strip();
                    if (!line.isEmpty() && !line.startsWith("processed ") && !line.startsWith("verification time")
                            && !line.startsWith("stack depth") && !line.contains("-- BEGIN PROG LOAD LOG --")) {
                        return line;
                    }
                }
                return null;
            }
            return null;
        }
    }

    /** The program a line of {@link #lastProgramLine()} is about. */
    public static String programOf(String line) {
        Matcher matcher = PROGRAM_LINE.matcher(line == null ? "" : line);
        return matcher.lookingAt() ? matcher.group(1) : null;
    }

    public String recentLines() {
        synchronized (recent) {
            return String.join("\n", recent);
        }
    }
}
