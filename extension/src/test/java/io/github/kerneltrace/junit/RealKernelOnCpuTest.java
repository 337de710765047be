package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A traced test's on-CPU time as users get it, through the extension: short spins of 0.1 to 5 ms
 * against the JVM's own CPU clock of the test thread, read inside the test method. The window is
 * JUnit's call of the method, which on this machine costs the test thread 20 to 250 µs of CPU of
 * its own around the body (measured: about 25 µs before it, 30 to 230 µs after it, in a cold
 * JVM); the kernel's figure for the window itself is exact to 5% + 20 µs (probes' OnCpuTimeTest).
 * So the figure is never below the body's CPU time and at most 5% + 300 µs above it.
 */
class RealKernelOnCpuTest {

    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void shortSpinsAreTheBodysCpuTimePlusJunitsCallOfItEveryRepetition() {
        // per invocation: the reported on-CPU time and the oracle, in nanoseconds
        Map<String, long[]> measured = RealKernel.runSuccessfully(Spins.class, 4 * Spins.REPETITIONS).oracles().entrySet()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, entry -> (long[]) entry.getValue()));

        List<String> report = new ArrayList<>();
        measured.forEach((test, figures) -> report.add(test + ": " + figures[0] / 1_000 + " µs for " + figures[1] / 1_000 + " µs"));
        report.sort(null);
        System.out.println("[on-cpu] " + report);
        measured.forEach((test, figures) ->
                assertThat(figures[0]).as(test).isBetween(figures[1], figures[1] + figures[1] / 20 + 300_000));
        assertThat(measured).hasSize(4 * Spins.REPETITIONS);
    }

    @Tag("fixture")
    @KernelTrace(scope = Scope.THREAD)
    static class Spins {

        static final int REPETITIONS = 5;
        static long oracle;

        @BeforeAll
        static void warmUp() {
            spin(20_000_000);
        }

        @RepeatedTest(REPETITIONS)
        void spin100us() {
            oracle = spin(100_000);
        }

        @RepeatedTest(REPETITIONS)
        void spin300us() {
            oracle = spin(300_000);
        }

        @RepeatedTest(REPETITIONS)
        void spin1ms() {
            oracle = spin(1_000_000);
        }

        @RepeatedTest(REPETITIONS)
        void spin5ms() {
            oracle = spin(5_000_000);
        }

        @AfterEach
        void record(KernelTraceSession session, TestInfo test) {
            RealKernel.ORACLE.put(test.getDisplayName() + " " + test.getTestMethod().orElseThrow().getName(),
                    new long[] {session.metrics().scheduler().onCpuNanos(), oracle});
        }

        /** Runs until the thread's CPU clock has advanced by {@code nanos}; returns how far it did. */
        static long spin(long nanos) {
            long start = THREADS.getCurrentThreadCpuTime();
            long now = start;
            while (now - start < nanos) {
                Thread.onSpinWait();
                now = THREADS.getCurrentThreadCpuTime();
            }
            return now - start;
        }
    }
}
