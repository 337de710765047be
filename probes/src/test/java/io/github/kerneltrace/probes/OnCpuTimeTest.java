package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On-CPU time of a short window is exact: the window's edges are the thread's CPU clock, read
 * when counting starts and stops, not the kernel's per-task counter, which moves only at switches
 * and ticks (up to 4 ms behind: 0.3 ms spins were reported at 0.65 to 3.28 ms). The kernel's sum is
 * the window to the nanosecond; the oracle, the JVM's own CPU clock of the thread read inside the
 * window, is short of it by the CPU the thread spends between the edges and the oracle's reads
 * (two ThreadMXBean calls, two traced system calls and the slot's bookkeeping: 10 to 30 µs on this
 * machine, and once in a few hundred windows 60 to 130 µs, when the JVM's own work lands on the
 * thread there). So: the window exactly; the median within 5% + 20 µs of the oracle; every
 * repetition above it and far below the old error (one tick, 4 ms).
 */
class OnCpuTimeTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int REPETITIONS = 10;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
        // The error is the Java code at the window's edges: a few µs once it runs compiled, tens
        // of µs in the first windows of a JVM (so JUnit's call of a test method dominates there).
        for (int i = 0; i < 50; i++) {
            try (TraceSlot slot = KernelTracer.shared().openSlot()) {
                slot.trackThread(Threads.currentTid(), false);
                slot.start();
                spin(200_000);
                slot.stop();
                slot.metrics();
            }
        }
    }

    @ParameterizedTest(name = "{0} µs")
    @ValueSource(longs = {100, 300, 1_000, 5_000})
    void aSpinIsTheWindowExactlyAndWithinFivePercentAndTwentyMicrosecondsOfTheJvmsCpuClock(long micros) {
        List<String> measured = new ArrayList<>();
        List<Long> excess = new ArrayList<>();
        for (int i = 0; i < REPETITIONS; i++) {
            try (TraceSlot slot = KernelTracer.shared().openSlot()) {
                slot.trackThread(Threads.currentTid(), false);
                slot.start();
                long before = THREADS.getCurrentThreadCpuTime();
                spin(micros * 1_000);
                long oracle = THREADS.getCurrentThreadCpuTime() - before;
                slot.stop();
                long onCpu = slot.metrics().scheduler().onCpuNanos();
                long window = slot.windowRunTimeNanos();

                measured.add(onCpu / 1_000 + " µs for " + oracle / 1_000 + " µs");
                excess.add(onCpu - oracle - oracle / 20);
                assertThat(onCpu).as("the kernel's sum is the window's CPU clock delta").isBetween(window - 1_000, window + 1_000);
                assertThat(onCpu).as("repetition %d of %d µs: %s", i + 1, micros, measured)
                        .isBetween(oracle, oracle + oracle / 20 + 500_000);
            }
        }
        excess.sort(null);
        assertThat(excess.get(REPETITIONS / 2)).as("median excess over 5%%: %s", measured).isLessThanOrEqualTo(20_000);
        System.out.println("[on-cpu] " + micros + " µs spins: " + measured);
    }

    /** Runs until the thread's own CPU clock has advanced by {@code nanos}. */
    private static void spin(long nanos) {
        long end = THREADS.getCurrentThreadCpuTime() + nanos;
        while (THREADS.getCurrentThreadCpuTime() < end) {
            Thread.onSpinWait();
        }
    }
}
