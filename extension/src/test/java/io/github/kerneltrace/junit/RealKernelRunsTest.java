package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The guard of {@link RealKernel#run}: a fixture run that executes fewer tests than expected
 * fails, however it came to run nothing, and what its tests recorded is never another run's.
 * No tracing needed: the fixtures here are plain tests.
 */
class RealKernelRunsTest {

    @Test
    void aRunThatExecutesNothingFails() {
        assertThatThrownBy(() -> RealKernel.run(NothingRuns.class, 1))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("NothingRuns: expected 1 fixture tests to run; the run was 0 started, 1 skipped");
        // and so does every later caller: the failure is remembered, never a second run
        assertThatThrownBy(() -> RealKernel.run(NothingRuns.class, 1)).isInstanceOf(AssertionError.class);
    }

    @Test
    void aFixtureRunsOnceAndKeepsWhatItRecorded() {
        RealKernel.Run first = RealKernel.run(CountsItsRuns.class, Map.of("kerneltrace.summary", "false"), 1);
        RealKernel.Run again = RealKernel.run(CountsItsRuns.class, Map.of("kerneltrace.summary", "false"), 1);

        assertThat(again).isSameAs(first);
        assertThat(first.<Integer>oracle("runs")).isEqualTo(1);
        assertThat(CountsItsRuns.runs).isEqualTo(1);
        assertThat(RealKernel.run(Records.class, 1).oracles()).as("another run's oracles are gone").doesNotContainKey("runs");
    }

    @Test
    void runSuccessfullyFailsOnAFailedFixtureTest() {
        assertThatThrownBy(() -> RealKernel.runSuccessfully(Fails.class, 1))
                .isInstanceOf(AssertionError.class)
                .hasMessage("fixture test failed: fails()");
    }

    @Tag("fixture")
    static class NothingRuns {

        @Test
        @Disabled("the run must notice that nothing ran")
        void disabled() {
        }
    }

    @Tag("fixture")
    static class CountsItsRuns {

        static int runs;

        @Test
        void counts() {
            RealKernel.ORACLE.put("runs", ++runs);
        }
    }

    @Tag("fixture")
    static class Records {

        @Test
        void records() {
            RealKernel.ORACLE.put("records", 1);
        }
    }

    @Tag("fixture")
    static class Fails {

        @Test
        void fails() {
            throw new AssertionError("on purpose");
        }
    }
}
