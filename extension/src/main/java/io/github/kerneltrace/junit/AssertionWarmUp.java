package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;
import org.assertj.core.api.Assertions;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.JvmEventMetrics;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.LatencyHistograms;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * Loads KernelTrace's assertion classes, and the AssertJ classes that they and the usual
 * assertions of a test use, the first time a test needs them: when a test reads its metrics
 * midway ({@link KernelTraceSession#metrics()}), while its counting is paused, and before a
 * PROCESS-scope test starts counting (it would count the loading). Other tests never pay for it:
 * loading ahead in every JVM, on a daemon thread, took 0.5 to 1 s of a CPU, which a cold run of
 * 500 tests on 2 CPUs paid as 2.5 ms per test (benchmarks/cold-suite.sh).
 *
 * <p>Why: a class is loaded the first time it is used, and loading it reads its jar ({@code lseek},
 * {@code read}) after looking for it in the class directories ({@code newfstatat}). A test that
 * reads its metrics midway and asserts on them would otherwise be charged that reading (28 lseek,
 * 28 read and 14 newfstatat calls for a map assertion in a THREAD-scope test), on whichever test
 * happened to assert first. Loading is JVM-wide, so once this thread has loaded a class, no
 * test thread reads it again. Switched off with the system property
 * {@code kerneltrace.preloadAssertions=false}.
 */
final class AssertionWarmUp {

    private static final System.Logger LOGGER = System.getLogger(AssertionWarmUp.class.getName());
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CountDownLatch LOADED = new CountDownLatch(1);
    private static final long WAIT_SECONDS = 30;

    private AssertionWarmUp() {
    }

    static boolean enabled() {
        return !"false".equals(System.getProperty("kerneltrace.preloadAssertions"));
    }

    /**
     * Loads the classes on the calling thread, the first time; a concurrent caller waits for that
     * load, and later ones return at once. On the caller's thread, not a new one: a thread that a
     * traced thread starts would be followed, and its exit counted, once counting resumes.
     */
    static void awaitLoaded() {
        if (!enabled()) {
            return;
        }
        if (STARTED.compareAndSet(false, true)) {
            load();
            return;
        }
        try {
            // Bounded: loading ahead is an optimisation, and a test must never hang on it.
            if (!LOADED.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOGGER.log(System.Logger.Level.WARNING, "KernelTrace's assertion classes were not loaded within "
                        + WAIT_SECONDS + " s; a test that asserts midway may count their loading");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void load() {
        try {
            useAssertions();
        } catch (Throwable e) { // loading ahead is an optimisation: it must never fail a test
            LOGGER.log(System.Logger.Level.DEBUG, "KernelTrace could not load the assertion classes ahead", e);
        } finally {
            LOADED.countDown();
        }
    }

    /** Metrics with a figure in every place an assertion or its message formats one. */
    private static KernelMetrics metrics() {
        Histogram latency = LatencyHistograms.create();
        latency.recordValue(1_000);
        List<SyscallMetrics> calls = List.of(
                new SyscallMetrics("write", 1, 0, Map.of(), 4096, latency),
                new SyscallMetrics("read", 2, 1, Map.of("EAGAIN", 1L), 4096, latency));
        SchedulerMetrics scheduler = new SchedulerMetrics(1, 1, 1, 1, 1_000, 1_000, 1_000, latency, latency);
        long[] byFunction = new long[NativeFunction.values().length];
        byFunction[NativeFunction.MALLOC.ordinal()] = 1;
        NativeAllocationMetrics allocations = new NativeAllocationMetrics(true, byFunction, 1, 64, 0, 0, 0, 0, latency,
                List.of(new OutstandingAllocation(0x1000, 64, NativeFunction.MALLOC, 1, "main")));
        MemoryMetrics memory = new MemoryMetrics(new HeapAllocation(1024, 1, 0, true), allocations, 1, 0, 4096, 0);
        JvmEventMetrics jvm = new JvmEventMetrics(null, "not counted", 1, 0, latency, 1, latency, 1, latency, 0, latency, 0, 0, 0);
        return KernelMetrics.builder().syscalls(calls, 4096, 4096).scheduler(scheduler).memory(memory).jvm(jvm)
                .probes(new io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics(List.of(
                        new io.github.kerneltrace.probes.metrics.ProbeMetrics("probe", "uprobe f in /lib/x.so", false, 1, latency))))
                .build();
    }

    /**
     * Each family's assertions, passing and failing, through the navigation and directly; then AssertJ's usual
     * ones. Throws if one that should pass fails (AssertionWarmUpTest runs it), which would
     * leave the rest unloaded.
     */
    static void useAssertions() {
        KernelMetrics metrics = metrics();
        KernelMetricsAssert all = KernelTraceAssertions.assertThat(metrics).as("warm-up");
        all.syscall("write").hasCount(1).hasAtMostCalls(1).hasLatencyAtMost(99, "1s").count().isEqualTo(1);
        all.syscall("fsync").isNotCalled().latency(99).isZero(); // a call not made: the system call table
        all.syscalls().hasBytesWrittenAtMost("1MiB").hasBytesReadAtMost("1MiB").total().isPositive();
        all.scheduler().hasAtMostVoluntarySwitches(1).hasRunQueueLatencyAtMost(99, "1s").migrations().isLessThan(2);
        all.memory().hasHeapAllocationAtMost("1MiB").hasAtMostPageFaults(1).hasAtMostNativeAllocations(1)
                .nativeBytesOutstanding().isLessThanOrEqualTo(64);
        all.hasSyscallCount("write", 1).doesNotCall("fsync").syscallErrors("read").isEqualTo(1);
        failing(() -> all.syscall("write").hasCount(0));
        failing(() -> all.syscalls().hasNoErrors());
        failing(() -> all.scheduler().doesNotBlock());
        failing(() -> all.memory().hasNoNativeLeaks());
        all.probe("probe").hasLatencyAtMost(99, "1s").hits().isEqualTo(1);
        failing(() -> all.probe("probe").hits().isZero());
        all.jvm().hasAtMostGcPauses(1).hasGcPauseTimeAtMost(99, "1s").hasAtMostParks(1).sleeps().isZero();
        failing(() -> all.jvm().contendedMonitorEnters());
        failing(() -> all.syscall("read").count().isZero());
        // Soft assertions build proxy classes (ByteBuddy) on first use: 6,830 calls and 1.5 MiB read
        // in the first test that used them, when they were not loaded ahead.
        KernelTraceSoftAssertions softly = new KernelTraceSoftAssertions();
        softly.assertThat(metrics).syscall("write").hasCount(0);
        softly.assertThat(metrics).scheduler().hasAtMostVoluntarySwitches(0);
        softly.assertThat(metrics).memory().hasHeapAllocationAtMost("1B");
        softly.assertThat(metrics).probe("probe").hits().isZero();
        softly.assertThat(metrics).syscalls().hasNoErrors();
        softly.assertThat(metrics.syscalls()).containsKey("fsync").doesNotContainKey("write");
        softly.assertThat(List.of(1)).isEmpty();
        softly.assertThat(1L).isZero();
        softly.assertThat("write").isEmpty();
        failing(softly::assertAll);
        Assertions.assertThat(metrics.syscalls()).containsKey("write").doesNotContainKey("fsync").hasSize(2);
        Assertions.assertThat(List.of(1)).hasSize(1).contains(1).isNotEmpty();
        Assertions.assertThat(Optional.of(new byte[1])).isPresent()
                .hasValueSatisfying(value -> Assertions.assertThat(value[0]).isEqualTo((byte) 0));
        Assertions.assertThat(Optional.empty()).isEmpty();
        Assertions.assertThat("write").isEqualTo("write").startsWith("w").contains("rit");
        Assertions.assertThat(1L).isEqualTo(1L).isPositive().isLessThanOrEqualTo(2L).isBetween(0L, 2L);
        Assertions.assertThat(1).isEqualTo(1).isPositive().isNotNegative();
        Assertions.assertThat(0L).isZero();
        Assertions.assertThat(true).isTrue();
        Assertions.assertThat((Object) metrics).isNotNull().isSameAs(metrics);
    }

    private static void failing(Runnable assertion) {
        try {
            assertion.run();
        } catch (AssertionError expected) {
            // The point was to format the message once.
        }
    }
}
