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
 * and ticks (up to 4 ms behind). The oracle is the JVM's own CPU clock of the thread, read inside
 * the window.
 */
class OnCpuTimeTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int REPETITIONS = 10;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
        spin(20_000_000); // JIT the spin loop outside the measurements
    }

    @ParameterizedTest(name = "{0} µs")
    @ValueSource(longs = {100, 300, 1_000, 5_000})
    void aSpinIsWithinFivePercentAndTwentyMicrosecondsOfTheJvmsCpuClockEveryTime(long micros) {
        List<String> measured = new ArrayList<>();
        for (int i = 0; i < REPETITIONS; i++) {
            try (TraceSlot slot = KernelTracer.shared().openSlot()) {
                slot.trackThread(Threads.currentTid(), false);
                slot.start();
                long before = THREADS.getCurrentThreadCpuTime();
                spin(micros * 1_000);
                long oracle = THREADS.getCurrentThreadCpuTime() - before;
                slot.stop();
                long onCpu = slot.metrics().scheduler().onCpuNanos();

                measured.add(onCpu / 1_000 + " µs for " + oracle / 1_000 + " µs");
                assertThat(onCpu).as("repetition %d of %d µs: %s", i + 1, micros, measured)
                        .isBetween(oracle, oracle + oracle / 20 + 20_000);
            }
        }
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
