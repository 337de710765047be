package io.github.kerneltrace.junit;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Entry point for AssertJ-style assertions on a test's kernel metrics, and AssertJ's own: it
 * extends {@link org.assertj.core.api.Assertions}, so one import serves both (importing AssertJ's
 * {@code assertThat} by name beside it hid this one: "KernelMetrics cannot be converted to long").
 * <pre>
 * import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
 *
 * assertThat(session.metrics()).hasSyscallCount("write", 1).doesNotCall("fsync");
 * assertThat(session.metrics()).syscallCount("openat").isLessThanOrEqualTo(2);
 * assertThat(records).hasSize(100);   // AssertJ's, through the same import
 * </pre>
 */
public class KernelTraceAssertions extends org.assertj.core.api.Assertions {

    /** Static methods only; subclassable, like AssertJ's {@code Assertions}, for a project's own entry point. */
    protected KernelTraceAssertions() {
    }

    public static KernelMetricsAssert assertThat(KernelMetrics actual) {
        return new KernelMetricsAssert(actual);
    }
}
