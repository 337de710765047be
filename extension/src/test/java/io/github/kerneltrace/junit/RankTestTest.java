package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The exact one-sided Mann-Whitney p-value against values computed elsewhere: without ties, SciPy
 * 1.17's {@code mannwhitneyu(x, y, alternative="greater", method="exact")}; with ties, a
 * brute-force enumeration of all 252 ways to split ten values into two groups of five.
 */
class RankTestTest {

    @Test
    void completeSeparationOfFiveAndFiveIsOneIn252() {
        assertThat(RankTest.pGreater(new long[] {6, 7, 8, 9, 10}, new long[] {1, 2, 3, 4, 5}))
                .isCloseTo(1.0 / 252, within(1e-12)); // SciPy: 0.003968253968253968
        assertThat(RankTest.pGreater(new long[] {1, 2, 3, 4, 5}, new long[] {6, 7, 8, 9, 10})).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void agreesWithScipyWithoutTies() {
        assertThat(RankTest.pGreater(new long[] {3, 5, 7, 9, 11}, new long[] {1, 4, 6, 8, 10}))
                .isCloseTo(0.34523809523809523, within(1e-12));
        assertThat(RankTest.pGreater(new long[] {2, 4, 6}, new long[] {1, 3, 5, 7}))
                .isCloseTo(0.5714285714285714, within(1e-12));
        assertThat(RankTest.pGreater(new long[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 20}))
                .isCloseTo(0.0007523436316005976, within(1e-12));
        assertThat(RankTest.pGreater(new long[] {5, 9, 14, 20, 21, 22, 30}, new long[] {1, 3, 4, 6, 8, 10}))
                .isCloseTo(0.006993006993006993, within(1e-12));
    }

    @Test
    void withTiesIsTheExactPermutationPValue() {
        long[] x = {1, 2, 2, 3, 3};
        long[] y = {1, 1, 2, 2, 3};
        assertThat(RankTest.doubledU(x, y)).isEqualTo(32); // U = 16
        assertThat(RankTest.pGreater(x, y)).isCloseTo(90.0 / 252, within(1e-12));
        // all equal: nothing says one side is larger
        assertThat(RankTest.pGreater(new long[] {7, 7, 7, 7, 7}, new long[] {7, 7, 7, 7, 7})).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void twentyAgainstTwentyIsStillExact() {
        long[] x = new long[20];
        long[] y = new long[20];
        for (int i = 0; i < 20; i++) {
            x[i] = 100 + i;
            y[i] = i;
        }
        // complete separation: 1 / C(40, 20)
        assertThat(RankTest.pGreater(x, y)).isCloseTo(1.0 / 137_846_528_820L, within(1e-20));
    }
}
