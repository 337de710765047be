package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How often {@code slower 50% p 0.01} fires, by simulation with a fixed seed (so the figures are
 * the same on every run): repetitions drawn from a log-normal distribution whose spread (σ = 0.2
 * of the logarithm, about 20%) is that of the 20 ms sleeps measured under load in
 * {@link RealKernelTimeBaselineTest}, with the median moved by a factor between the baseline's
 * samples and the run's repetitions. docs/baselines.md quotes these figures.
 */
class SlowerRuleSimulationTest {

    private static final int TRIALS = 10_000;

    @ParameterizedTest(name = "{0} and {0} values, median ×{1}: rule fires in {2}..{3} of the trials")
    @CsvSource({
            // unchanged code, exchangeable repetitions: the rank test alone fires at most alpha
            // (2/252 = 0.79% with 5 + 5), the rule with its effect size far less
            "5, 1.0, 0.0, 0.002",
            "10, 1.0, 0.0, 0.001",
            // drift between CI runs below the effect size: fewer alarms than the rank test alone, not none
            "5, 1.3, 0.05, 0.12",
            "10, 1.3, 0.05, 0.12",
            // an injected 2× regression: caught
            "5, 2.0, 0.90, 1.0",
            "10, 2.0, 0.99, 1.0",
    })
    void firesAsStated(int n, double factor, double least, double most) {
        Random random = new Random(20261130L);
        int ruleFired = 0;
        int rankFired = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            List<Long> baseline = sample(random, n, 1.0);
            List<Long> measured = sample(random, n, factor);
            if (BaselineRule.SLOWER_DEFAULT.slower(baseline, measured)) {
                ruleFired++;
            }
            if (BaselineRule.pSlower(baseline, measured) <= BaselineRule.SLOWER_DEFAULT.alpha()) {
                rankFired++;
            }
        }
        double ruleRate = ruleFired / (double) TRIALS;
        double rankRate = rankFired / (double) TRIALS;
        System.out.printf("n=%d factor=%.1f: rule %.4f, rank test alone %.4f%n", n, factor, ruleRate, rankRate);
        assertThat(ruleRate).isBetween(least, most);
        if (factor == 1.0) {
            // at most alpha, give or take three standard errors of the simulation (0.1% at 10,000 trials)
            assertThat(rankRate).as("the rank test alone under exchangeable repetitions").isLessThanOrEqualTo(0.013);
        }
    }

    /** {@code n} values of about 1 ms times {@code factor}, log-normal with σ = 0.2. */
    private static List<Long> sample(Random random, int n, double factor) {
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(Math.round(1_000_000 * factor * Math.exp(0.2 * random.nextGaussian())));
        }
        return values;
    }
}
