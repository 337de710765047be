package io.github.kerneltrace.sample;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.junit.BaselineTolerance;
import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.KernelTraceSession;
import io.github.kerneltrace.junit.MaxSyscalls;

/**
 * The commit delay in time: each sync pauses for the delay (a {@code futex} wait with a timeout,
 * the log's lock held), then makes the record durable. Built for the baseline's statistical
 * rule for times: the pause is the one call whose latency the delay sets. A pause is one long
 * {@code futex} wait and about one short futex call (the condition variable's bookkeeping), and the
 * JVM adds a few short ones, so the pauses are the slowest 40-45% of the futex calls:
 * {@code syscalls.futex.latencyNanos.p90} is the delay plus the kernel's timer slack (2.08-2.10 ms
 * for 2 ms), run after run, where the median is a short call. {@code -Dsample.regression=slowSync} doubles the pause (docs/gate-quality.md).
 *
 * <p>Ten repetitions after one warm-up: the baseline keeps the ten p90s, and a later run fails
 * when its ten are slower by more than 50% in the median and by a rank test at 1% (the rule set
 * below; futex is the JVM's own call, so it has no time rule by default). Ten, not five: with
 * five, one slow outlier in the baseline lets a 2x slower run pass about one time in twenty
 * (docs/baselines.md).
 */
@KernelTrace(warmups = 1, repetitions = 10)
@BaselineTolerance(metric = "syscalls.futex.latencyNanos.p90", rule = "slower 50% p 0.01")
class SegmentLogCommitDelayTest {

    static final Duration COMMIT_DELAY = Duration.ofMillis(2);
    static final int SYNCS = 20;

    @TempDir
    Path dir;

    SegmentLog log;

    /** Opens the log and syncs twice, untraced: the pause and the sync path are loaded and run once. */
    @BeforeEach
    void openWarm() throws IOException {
        JitSignatureClasses.loadAhead();
        log = SegmentLog.open(dir, SegmentLog.Options.defaults().withCommitDelay(COMMIT_DELAY));
        log.append(new byte[SegmentLogKernelBudgetTest.PAYLOAD_BYTES]);
        log.append(new byte[SegmentLogKernelBudgetTest.PAYLOAD_BYTES]);
    }

    @AfterEach
    void close() throws IOException {
        log.close();
    }

    @Test
    @MaxSyscalls(value = SYNCS, syscall = "fdatasync")
    void eachSyncWaitsForTheCommitDelayFirst(KernelTraceSession trace) throws IOException {
        for (int i = 0; i < SYNCS; i++) {
            log.append(new byte[SegmentLogKernelBudgetTest.PAYLOAD_BYTES]); // EVERY_WRITE: a pause and an fdatasync each
        }

        var metrics = trace.metrics();
        assertThat(metrics).hasSyscallCount("fdatasync", SYNCS);
        // At least one futex wait per pause; a pause never ends early, and they are more than 10%
        // of the futex calls: the coarse check here, the tight one is the baseline's.
        Assertions.assertThat(metrics.syscall("futex").count()).isGreaterThanOrEqualTo(SYNCS);
        Assertions.assertThat(metrics.syscall("futex").latencyNanos().getValueAtPercentile(90))
                .isGreaterThanOrEqualTo(COMMIT_DELAY.toNanos() * 99 / 100); // the histogram's 1% precision
    }
}
