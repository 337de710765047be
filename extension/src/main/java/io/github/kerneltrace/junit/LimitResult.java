package io.github.kerneltrace.junit;

/** A limit and what the test measured against it. */
record LimitResult(Limit limit, long measured) {

    boolean breached() {
        return measured > limit.limit();
    }

    /** E.g. {@code write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = "write"))}. */
    String describe() {
        Limit.Unit unit = limit.unit();
        return limit.label() + ": limit " + unit.format(limit.limit()) + ", measured " + unit.format(measured)
                + "  (" + limit.declaration() + ")";
    }
}
