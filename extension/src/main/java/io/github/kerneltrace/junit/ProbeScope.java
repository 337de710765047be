package io.github.kerneltrace.junit;

/** Whose events a {@link TracepointProbe} counts. */
public enum ProbeScope {
    /** The test's threads (as {@link KernelTrace#scope()} selects them). */
    TEST_THREADS,
    /**
     * Every thread on the host, while the test's window is open: for events raised where the current
     * task means nothing (softirq, e.g. {@code tcp:tcp_retransmit_skb}). Other processes' events count too.
     */
    HOST
}
