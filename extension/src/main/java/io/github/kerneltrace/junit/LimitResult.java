package io.github.kerneltrace.junit;

import java.util.List;

/**
 * A limit and what the test measured against it.
 *
 * @param measured    the measured value; 0 when not measured
 * @param notMeasured why the metrics could not measure the limit (it then fails), or {@code null}
 * @param details     lines explaining a breach, e.g. the largest native blocks still outstanding
 */
record LimitResult(Limit limit, long measured, String notMeasured, List<String> details) {

    LimitResult(Limit limit, long measured) {
        this(limit, measured, null, List.of());
    }

    LimitResult {
        details = List.copyOf(details);
    }

    /** A limit the test's metrics cannot check: it fails, rather than pass on a 0 nobody measured. */
    static LimitResult notMeasured(Limit limit, String reason) {
        return new LimitResult(limit, 0, reason, List.of());
    }

    boolean breached() {
        return notMeasured != null || measured > limit.limit();
    }

    boolean measuredAtAll() {
        return notMeasured == null;
    }

    /**
     * E.g. {@code write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = "write"))}, then
     * one indented line per detail; or, for a limit the metrics could not check,
     * {@code heap allocated: limit 1.0 MiB (1048576 B), not measured: <why>  (@MaxHeapAllocation("1MiB"))}.
     */
    String describe() {
        Limit.Unit unit = limit.unit();
        String value = notMeasured != null ? "not measured: " + notMeasured : "measured " + unit.format(measured);
        StringBuilder text = new StringBuilder(limit.label()).append(": limit ").append(unit.format(limit.limit()))
                .append(", ").append(value).append("  (").append(limit.declaration()).append(')');
        for (String detail : details) {
            text.append("\n      ").append(detail);
        }
        return text.toString();
    }
}
