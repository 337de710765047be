package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;

/**
 * Skips a real-kernel test where tracing cannot run, unless {@code kerneltrace.require=true}
 * (CI sets it), in which case the test fails with the reason: nothing is skipped silently in CI.
 */
final class TracingAssumptions {

    private TracingAssumptions() {
    }

    static void requireTracing() {
        KernelSupport support = KernelSupport.detect();
        if (Boolean.getBoolean("kerneltrace.require")) {
            assertThat(support.available()).as(support.toString()).isTrue();
        }
        Assumptions.assumeTrue(support.available(), support::toString);
    }
}
