package io.github.kerneltrace.junit;

/** Which page faults {@link MaxPageFaults} counts. */
public enum FaultKind {

    /** Served without I/O: a first touch of anonymous memory, a page already in the page cache. The kernel's {@code minflt}. */
    MINOR,

    /** Waited for a read from disk. The kernel's {@code majflt}. */
    MAJOR,

    /** Both kinds together. */
    ALL
}
