package io.github.kerneltrace.junit;

import org.assertj.core.api.SoftAssertions;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * AssertJ's soft assertions, plus KernelTrace's: every failure is collected, also those of the
 * families' assertions reached by navigation, and reported together by {@link #assertAll()}.
 * <pre>
 * KernelTraceSoftAssertions softly = new KernelTraceSoftAssertions();
 * softly.assertThat(metrics).syscall("write").hasCount(1);
 * softly.assertThat(metrics).scheduler().doesNotBlock();
 * softly.assertThat(records).hasSize(100);   // AssertJ's, collected too
 * softly.assertAll();
 * </pre>
 */
public class KernelTraceSoftAssertions extends SoftAssertions {

    public KernelMetricsAssert assertThat(KernelMetrics actual) {
        KernelMetricsAssert metrics = proxy(KernelMetricsAssert.class, KernelMetrics.class, actual);
        metrics.softly = this;
        return metrics;
    }
}
