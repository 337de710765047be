package io.github.kerneltrace.junit;

/** Which context switches {@link MaxContextSwitches} counts. */
public enum SwitchKind {

    /** Both kinds together. */
    ALL,

    /**
     * Switched out while blocking: sleeping, waiting for a lock, a condition or I/O. The kernel's
     * {@code voluntary_ctxt_switches}; "how often did this path block".
     */
    VOLUNTARY,

    /**
     * Switched out while still runnable: preempted by another thread, or {@code sched_yield}. The
     * kernel's {@code nonvoluntary_ctxt_switches}; depends on what else the machine runs.
     */
    INVOLUNTARY
}
