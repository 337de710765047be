package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * A traced test's view of its own tracing; declare it as a test method parameter:
 * <pre>
 * &#64;Test &#64;KernelTrace
 * void appendIsOneWrite(KernelTraceSession session) {
 *     log.append(record);
 *     assertThat(session.metrics()).hasSyscallCount("write", 1);
 * }
 * </pre>
 */
public final class KernelTraceSession {

    private final Scope scope;
    private TraceRun run;
    private TestEvents events; // the run's flight recording when flame graphs are drawn, else null
    private KernelMetrics finalMetrics;

    KernelTraceSession(Scope scope) {
        this.scope = scope;
    }

    /**
     * What was counted so far. During the test method, counting pauses while the metrics are
     * read, so reading them is not counted, and, the first time, until KernelTrace's and AssertJ's
     * assertion classes are loaded, so asserting on them does not count class loading either;
     * after the method, the final metrics.
     *
     * @throws IllegalStateException before the test method started, e.g. in {@code @BeforeEach}
     */
    public synchronized KernelMetrics metrics() {
        if (run != null) {
            run.stop();
            if (events != null) {
                events.pause(); // the flame graphs leave out what the kernel does not count
            }
            try {
                // While counting is paused: what the test asserts on these metrics next must not
                // load classes inside the measurement (see AssertionWarmUp).
                AssertionWarmUp.awaitLoaded();
                return run.metrics();
            } finally {
                if (events != null) {
                    events.resume();
                }
                run.start();
            }
        }
        if (finalMetrics != null) {
            return finalMetrics;
        }
        throw new IllegalStateException("KernelTrace counts during the test method only (not in @BeforeEach"
                + " or @BeforeAll): call KernelTraceSession.metrics() from the test method or later");
    }

    /** Which threads are counted. */
    public Scope scope() {
        return scope;
    }

    /** @param events the run's flight recording, paused with the counting; null when none is made */
    synchronized void running(TraceRun run, TestEvents events) {
        this.run = run;
        this.events = events;
    }

    /** Called before counting stops, so that no later {@link #metrics()} call switches it on again. */
    synchronized void stopping() {
        this.run = null;
        this.events = null;
    }

    synchronized void finished(KernelMetrics metrics) {
        this.finalMetrics = metrics;
    }
}
