package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** One traced test's counting: switched on and off around the test method, read while off. */
interface TraceRun extends AutoCloseable {

    void start();

    void stop();

    /** What was counted so far; call while stopped, so that reading is not counted. */
    KernelMetrics metrics();

    /** Stops tracking and frees the kernel resources. */
    @Override
    void close();
}
