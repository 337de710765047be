package io.github.kerneltrace.junit;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * The policy for tests that cannot be traced: never pass untraced. Skip with the reason by
 * default (a developer's laptop), fail with it when {@code kerneltrace.require=true} (CI).
 *
 * <p>Never quietly either: the first such test of a JVM prints the reason and the fix on the
 * console (also under {@code mvn -q}, where skipped tests are otherwise invisible), each test's own
 * message stays one short line, and the end of the run repeats how many were not traced and why.
 * The tally is guarded by its own monitor.
 */
final class TracingUnavailable {

    private static final String FIX = "Tracing needs Linux with BTF (/sys/kernel/btf/vmlinux), libbpf.so.1 (package libbpf1)"
            + " and root, or CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN too for native allocations); in a container, see"
            + " docs/troubleshooting.md.";

    /** How every not-traced test's message begins: the run report recognises them by it. */
    static final String PREFIX = "KernelTrace cannot trace here: ";

    /** Tests not traced in this JVM, by reason, in the order the reasons came up. */
    private static final Map<String, Integer> NOT_TRACED = new LinkedHashMap<>();
    private static boolean required;

    private TracingUnavailable() {
    }

    /**
     * Skips the test ({@code TestAbortedException}) or fails it, as configured; never returns
     * normally. With {@code announce} (the summary is on), the first test of a JVM with this
     * reason prints it and the fix, and the end-of-run tally counts the test.
     */
    static RuntimeException handle(String reason, boolean required, boolean announce) {
        String message = message(reason, required);
        if (announce && firstWith(reason, required)) {
            System.out.println("[kerneltrace] " + message + " " + FIX);
        }
        if (required) {
            throw new TracingUnavailableException(message);
        }
        return Assumptions.abort(message);
    }

    /** One line: the reason, and what happens to the test. */
    static String message(String reason, boolean required) {
        return PREFIX + sentence(reason) + "."
                + (required
                        ? " The test fails because kerneltrace.require=true."
                        : " The test is skipped; set kerneltrace.require=true to fail instead.");
    }

    private static String sentence(String reason) {
        String sentence = reason.strip();
        return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
    }

    private static boolean firstWith(String reason, boolean require) {
        synchronized (NOT_TRACED) {
            required |= require;
            return NOT_TRACED.merge(sentence(reason), 1, Integer::sum) == 1;
        }
    }

    /**
     * At the end of a run: one line per reason with the number of traced tests it skipped or
     * failed; nothing when every traced test was traced. Clears the tally.
     */
    static void summarize(PrintStream out) {
        synchronized (NOT_TRACED) {
            for (Map.Entry<String, Integer> reason : NOT_TRACED.entrySet()) {
                int tests = reason.getValue();
                out.println("[kerneltrace] " + tests + (tests == 1 ? " traced test " : " traced tests ")
                        + (required ? "failed" : (tests == 1 ? "was skipped" : "were skipped"))
                        + " because KernelTrace could not trace here: " + reason.getKey() + ".");
            }
            NOT_TRACED.clear();
            required = false;
        }
    }
}
