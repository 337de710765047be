package io.github.kerneltrace.junit;

import java.util.List;
import java.util.stream.Collectors;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** The most frequent system calls of a test, as context for failure messages. */
final class TopSyscalls {

    static final int IN_MESSAGES = 5;

    private TopSyscalls() {
    }

    /** E.g. {@code write 3 (12 B), openat 2 (1 error: ENOENT 1), close 1}; {@code none} when nothing was called. */
    static String describe(KernelMetrics metrics, int limit) {
        List<SyscallMetrics> top = metrics.topSyscalls(limit);
        if (top.isEmpty()) {
            return "none";
        }
        String listed = top.stream().map(TopSyscalls::describe).collect(Collectors.joining(", "));
        int more = metrics.syscalls().size() - top.size();
        return more > 0 ? listed + " and " + more + " more" : listed;
    }

    private static String describe(SyscallMetrics syscall) {
        StringBuilder text = new StringBuilder(syscall.name()).append(' ').append(syscall.count());
        StringBuilder details = new StringBuilder();
        if (syscall.bytes() > 0) {
            details.append(ByteSizes.format(syscall.bytes()));
        }
        if (syscall.errors() > 0) {
            if (details.length() > 0) {
                details.append(", ");
            }
            details.append(syscall.errors()).append(syscall.errors() == 1 ? " error" : " errors");
            if (!syscall.errorsByErrno().isEmpty()) {
                details.append(": ").append(syscall.errorsByErrno().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(" ")));
            }
        }
        if (details.length() > 0) {
            text.append(" (").append(details).append(')');
        }
        return text.toString();
    }
}
