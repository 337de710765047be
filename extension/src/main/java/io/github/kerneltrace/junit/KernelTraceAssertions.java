package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Entry point for AssertJ-style assertions on a test's kernel metrics:
 * <pre>
 * import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
 *
 * assertThat(session.metrics()).hasSyscallCount("write", 1).doesNotCall("fsync");
 * assertThat(session.metrics()).syscallCount("openat").isLessThanOrEqualTo(2);
 * </pre>
 */
public final class KernelTraceAssertions {

    private KernelTraceAssertions() {
    }

    public static KernelMetricsAssert assertThat(KernelMetrics actual) {
        return new KernelMetricsAssert(actual);
    }
}
