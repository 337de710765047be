package io.github.kerneltrace.junit;

import java.util.Arrays;

/**
 * The one-sided Mann-Whitney U test (Wilcoxon rank-sum) with its exact distribution: whether the
 * values of one sample tend to be larger than another's, without assuming how they are
 * distributed. Used by the statistical baseline rule for times over repetitions.
 *
 * <p>U counts the pairs (x, y) with x &gt; y, a tie counting one half. Under the null hypothesis
 * that all n + m values are exchangeable (the code did not change and nothing else did), every way
 * of choosing which n of the pooled values are the x's is equally likely; the p-value is the
 * share of those choices whose U is at least the observed one. It is computed exactly, by
 * dynamic programming over the pooled values' distinct groups, conditional on the ties (timings
 * taken from histogram buckets tie often). No normal approximation: it is poor for the 5 to 20
 * repetitions a test runs.
 */
final class RankTest {

    private RankTest() {
    }

    /**
     * P(U ≥ observed U) under the null hypothesis: small when {@code x} tends to be larger than
     * {@code y}. Equals SciPy's {@code mannwhitneyu(x, y, alternative="greater", method="exact")}
     * where there are no ties; with ties it is the exact permutation p-value.
     */
    static double pGreater(long[] x, long[] y) {
        if (x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("a rank test needs values on both sides");
        }
        int n = x.length;
        int total = n + y.length;
        long[] pooled = new long[total];
        System.arraycopy(x, 0, pooled, 0, n);
        System.arraycopy(y, 0, pooled, n, y.length);
        Arrays.sort(pooled);
        long observed = doubledU(x, y);
        int maxU = 2 * n * y.length;
        // ways[k][u]: the number of ways to pick k x's among the values seen so far with doubled U = u.
        double[][] ways = new double[n + 1][maxU + 1];
        double[][] next = new double[n + 1][maxU + 1];
        ways[0][0] = 1;
        int seen = 0;
        for (int start = 0; start < total; ) {
            int end = start;
            while (end < total && pooled[end] == pooled[start]) {
                end++;
            }
            int group = end - start;
            for (double[] row : next) {
                Arrays.fill(row, 0);
            }
            // no doubled U seen so far exceeds 2 × (x's so far) × (y's so far)
            int reachable = Math.min(maxU, 2 * Math.min(n, seen) * Math.min(y.length, seen));
            for (int k = 0; k <= Math.min(n, seen); k++) {
                int ysBefore = seen - k;
                for (int u = 0; u <= reachable; u++) {
                    if (ways[k][u] == 0) {
                        continue;
                    }
                    // j of this group's tied values are x's: each beats every y before (2 each) and ties with the group's y's (1 each).
                    for (int j = 0; j <= group && k + j <= n; j++) {
                        int added = j * 2 * ysBefore + j * (group - j);
                        next[k + j][u + added] += ways[k][u] * binomial(group, j);
                    }
                }
            }
            double[][] swap = ways;
            ways = next;
            next = swap;
            seen += group;
            start = end;
        }
        double atLeast = 0;
        double all = 0;
        for (int u = 0; u <= maxU; u++) {
            all += ways[n][u];
            if (u >= observed) {
                atLeast += ways[n][u];
            }
        }
        return atLeast / all;
    }

    /** Twice U (so that ties, worth one half, stay whole numbers). */
    static long doubledU(long[] x, long[] y) {
        long u = 0;
        for (long a : x) {
            for (long b : y) {
                u += a > b ? 2 : a == b ? 1 : 0;
            }
        }
        return u;
    }

    private static double binomial(int n, int k) {
        double result = 1;
        for (int i = 1; i <= k; i++) {
            result = result * (n - k + i) / i;
        }
        return result;
    }
}
