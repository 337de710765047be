package io.github.kerneltrace.junit;

import java.util.Set;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** One traced test's counting: switched on and off around the test method, read while off. */
interface TraceRun extends AutoCloseable {

    void start();

    void stop();

    /** What was counted so far; call while stopped, so that reading is not counted. */
    KernelMetrics metrics();

    /**
     * The OS ids, in this JVM's PID namespace, of the run's counted threads of this JVM: whose
     * Flight Recorder events are the test's. Call before {@link #close()}. Stand-ins count no
     * thread of their own: none.
     */
    default Set<Long> javaThreadIds() {
        return Set.of();
    }

    /** Stops tracking and frees the kernel resources. */
    @Override
    void close();
}
