package io.github.kerneltrace.junit;

import org.junit.jupiter.api.Assumptions;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * The policy for tests that cannot be traced: never pass untraced. Skip with the reason by
 * default (a developer's laptop), fail with it when {@code kerneltrace.require=true} (CI).
 */
final class TracingUnavailable {

    private static final String FIX = "Run the tests as root or give the JVM CAP_BPF and CAP_PERFMON;"
            + " tracing also needs a kernel with BTF (/sys/kernel/btf/vmlinux) and libbpf.so.1 (package libbpf1).";

    private TracingUnavailable() {
    }

    /** Skips the test ({@code TestAbortedException}) or fails it, as configured; never returns normally. */
    static RuntimeException handle(String reason, boolean required) {
        String message = message(reason, required);
        if (required) {
            throw new TracingUnavailableException(message);
        }
        return Assumptions.abort(message);
    }

    static String message(String reason, boolean required) {
        String sentence = reason.strip();
        sentence = sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
        return "KernelTrace cannot trace here: " + sentence + ". " + FIX
                + (required
                        ? " The test fails because kerneltrace.require=true."
                        : " The test is skipped; set kerneltrace.require=true to fail instead.");
    }
}
