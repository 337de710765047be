package io.github.kerneltrace.junit;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * The policy for tests that cannot be traced: never pass untraced. Skip with the reason by
 * default (a developer's laptop), fail with it when {@code kerneltrace.require=true} (CI).
 *
 * <p>Never quietly either: the first such test of a JVM prints the reason and the fix on the
 * console (also under {@code mvn -q}, where skipped tests are otherwise invisible), each test's own
 * message stays one short line, and the end of the run repeats how many were not traced and why.
 * The tally is guarded by its own monitor.
 *
 * <p>Tests that did not ask to be traced, traced only because of {@code kerneltrace.traceAll}
 * ({@link KernelTraceAutodetected}), are not skipped but run untraced, unless tracing is required:
 * they are neither announced nor counted here; the first of them prints one line of its own.
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
    /** Whether the line for tests that did not ask to be traced was printed; guarded by NOT_TRACED. */
    private static boolean unaskedAnnounced;

    /**
     * Set on a test's thread while KernelTrace prepares to trace a test that did not ask to be
     * traced (kerneltrace.traceAll); cleared while the test's body runs.
     */
    private static final ThreadLocal<Boolean> UNASKED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private TracingUnavailable() {
    }

    /**
     * Skips the test ({@code TestAbortedException}) or fails it, as configured; never returns
     * normally. With {@code announce} (the summary is on), the first test of a JVM with this
     * reason prints it and the fix, and the end-of-run tally counts the test.
     */
    static RuntimeException handle(String reason, boolean required, boolean announce) {
        if (UNASKED.get() && !required) {
            String message = "KernelTrace cannot trace here: " + sentence(reason) + "."
                    + " Tests without KernelTrace annotations run untraced (kerneltrace.traceAll=true);"
                    + " set kerneltrace.require=true to fail them instead.";
            if (announce && firstUnasked()) {
                System.out.println("[kerneltrace] " + message + " " + FIX);
            }
            return Assumptions.abort(message); // the caller runs the test untraced
        }
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

    /**
     * Runs {@code traced}, the tracing of a test that did not ask to be traced: where tracing
     * cannot run and is not required, {@link #handle} then aborts without a word, for the caller
     * to run the test untraced.
     */
    static void unasked(Executable traced) throws Throwable {
        UNASKED.set(Boolean.TRUE);
        try {
            traced.execute();
        } finally {
            UNASKED.remove();
        }
    }

    /**
     * Runs the body of a test inside {@link #unasked}: with the flag cleared, so that a test that
     * runs tests of its own (a test kit) has them skipped or failed as usual.
     */
    static <T> T bodyOfUnasked(ThrowingSupplier<T> body) throws Throwable {
        UNASKED.set(Boolean.FALSE);
        try {
            return body.get();
        } finally {
            UNASKED.set(Boolean.TRUE);
        }
    }

    private static boolean firstUnasked() {
        synchronized (NOT_TRACED) {
            boolean first = !unaskedAnnounced;
            unaskedAnnounced = true;
            return first;
        }
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
            unaskedAnnounced = false;
        }
    }
}
