package io.github.kerneltrace.probes.metrics;

/** The C library allocator functions KernelTrace counts, in the order of {@code NATIVE_*} in kerneltrace.h. */
public enum NativeFunction {
    MALLOC("malloc"),
    CALLOC("calloc"),
    REALLOC("realloc"),
    FREE("free"),
    POSIX_MEMALIGN("posix_memalign"),
    /** In glibc 2.36 also {@code memalign}: one function with two names. */
    ALIGNED_ALLOC("aligned_alloc");

    private final String symbol;

    NativeFunction(String symbol) {
        this.symbol = symbol;
    }

    /** The C name, e.g. {@code posix_memalign}. */
    public String symbol() {
        return symbol;
    }

    /** Whether the function returns memory (every one but {@code free}). */
    public boolean allocates() {
        return this != FREE;
    }
}
