package io.github.kerneltrace.junit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import io.github.kerneltrace.probes.KernelSupport;

/** Guards tests that need the real kernel: skipped where tracing cannot run, failed if it is required. */
final class RealKernel {

    private RealKernel() {
    }

    static void requireTracing() {
        KernelSupport support = KernelSupport.detect();
        if (support.available()) {
            return;
        }
        String message = "this test needs real tracing: " + support.reason();
        if (Boolean.parseBoolean(System.getProperty("kerneltrace.require"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
    }
}
