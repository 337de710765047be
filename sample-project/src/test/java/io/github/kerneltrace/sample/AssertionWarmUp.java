package io.github.kerneltrace.sample;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.HdrHistogram.Histogram;
import org.assertj.core.api.Assertions;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.LatencyHistograms;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * Loads the assertion classes that the traced tests use, before any of them is traced.
 *
 * <p>Why: a class is loaded the first time it is used, and loading it reads its jar ({@code lseek}
 * and {@code read}) after looking for it in the class directories ({@code newfstatat}). An
 * assertion at the end of a traced test still runs inside the measurement, so the first test to
 * use, say, AssertJ's Optional assertions would be charged a few KiB of reads that have nothing
 * to do with the store, and a budget such as "a miss makes no read" would fail on whichever test
 * happened to run first. Loading them up front makes every test's counts its own.
 */
final class AssertionWarmUp {

    private AssertionWarmUp() {
    }

    static void loadAssertionClasses() {
        // Metrics shaped like a real test's (calls with bytes, errors and latencies), so that the
        // assertions' messages format all of it once here: they describe the top calls eagerly.
        Histogram latency = LatencyHistograms.create();
        latency.recordValue(1_000);
        KernelMetrics metrics = new KernelMetrics(List.of(
                new SyscallMetrics("write", 1, 0, Map.of(), 4096, latency),
                new SyscallMetrics("read", 2, 1, Map.of("EAGAIN", 1L), 4096, latency),
                new SyscallMetrics("fdatasync", 1, 0, Map.of(), 0, latency)),
                4096, 4096, KernelMetrics.Diagnostics.NONE);
        assertThat(metrics).hasSyscallCount("write", 1).doesNotCall("fsync").syscallCount("read").isEqualTo(2);
        assertThat(metrics).bytesRead().isEqualTo(4096);
        assertThat(metrics).bytesWritten().isEqualTo(4096);
        Assertions.assertThat(Optional.of(new byte[1]))
                .hasValueSatisfying(value -> Assertions.assertThat(value[0]).isEqualTo((byte) 0));
        Assertions.assertThat(Optional.empty()).isEmpty();
        Assertions.assertThat(List.of(1)).hasSize(1);
        Assertions.assertThat(1).isEqualTo(1);
    }
}
