package io.github.kerneltrace.probes.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The kernel stores latencies as counts per HdrHistogram counts-array index (bpf/hdr_index.h),
 * and Java rebuilds the histogram by recording {@code valueAtIndex(index)} with each count. That
 * is lossless only if countsIndex/valueAtIndex agree with HdrHistogram's own layout for every
 * value, which these tests check against the library itself.
 */
class LatencyHistogramsTest {

    private static final long SEED = 20240601L;

    @Test
    void indexRoundTripIsHdrHistogramsLowestEquivalentValue() {
        Histogram histogram = LatencyHistograms.create();
        int[] checked = {0};
        LongConsumer check = v -> {
            long restored = LatencyHistograms.valueAtIndex(LatencyHistograms.countsIndex(v));
            if (restored != histogram.lowestEquivalentValue(v)) {
                // assertThat only on failure: a million passing assertions would dominate the run time.
                assertThat(restored).as("valueAtIndex(countsIndex(%d))", v)
                        .isEqualTo(histogram.lowestEquivalentValue(v));
            }
            checked[0]++;
        };

        everyTestValue(check);

        assertThat(checked[0]).isGreaterThan(1_000_000);
    }

    @Test
    void indexFitsTheKernelsU16Key() {
        // struct latency_key.index is a __u16; the largest long lands in the last index used.
        assertThat(LatencyHistograms.countsIndex(Long.MAX_VALUE)).isBetween(0, 0xFFFF);
        assertThat(LatencyHistograms.countsIndex(0)).isZero();
        // Indexes grow with the value, one per sub-bucket: 0..255 map to themselves.
        assertThat(LatencyHistograms.countsIndex(255)).isEqualTo(255);
        assertThat(LatencyHistograms.countsIndex(256)).isEqualTo(256);
        assertThat(LatencyHistograms.countsIndex(257)).isEqualTo(256);
        assertThat(LatencyHistograms.countsIndex(258)).isEqualTo(257);
    }

    @Test
    void histogramRebuiltFromIndexesHasTheSamePercentiles() {
        Histogram exact = LatencyHistograms.create();
        // What the BPF map holds: a count per index.
        TreeMap<Integer, Long> countsByIndex = new TreeMap<>();
        everyTestValue(v -> {
            exact.recordValue(v);
            countsByIndex.merge(LatencyHistograms.countsIndex(v), 1L, Long::sum);
        });

        Histogram rebuilt = LatencyHistograms.create();
        countsByIndex.forEach((index, count) -> rebuilt.recordValueWithCount(LatencyHistograms.valueAtIndex(index), count));

        assertThat(rebuilt.getTotalCount()).isEqualTo(exact.getTotalCount());
        for (double percentile = 0; percentile <= 100; percentile += 0.25) {
            assertThat(rebuilt.getValueAtPercentile(percentile)).as("p%s", percentile)
                    .isEqualTo(exact.getValueAtPercentile(percentile));
        }
        for (double percentile : new double[] {99.9, 99.99, 99.999, 99.9999}) {
            assertThat(rebuilt.getValueAtPercentile(percentile)).as("p%s", percentile)
                    .isEqualTo(exact.getValueAtPercentile(percentile));
        }
        assertThat(rebuilt.getMinValue()).isEqualTo(exact.getMinValue());
        assertThat(rebuilt.getMinNonZeroValue()).isEqualTo(exact.getMinNonZeroValue());
        assertThat(rebuilt.getMaxValue()).isEqualTo(exact.getMaxValue());
        assertThat(rebuilt.getMean()).isEqualTo(exact.getMean());
        assertThat(rebuilt).isEqualTo(exact);
    }

    @Test
    void histogramOfRealisticLatenciesRebuildsExactly() {
        // Latencies from 100 ns to 10 s on a log scale: the shape the percentiles are read from.
        SplittableRandom random = new SplittableRandom(SEED);
        Histogram exact = LatencyHistograms.create();
        Histogram rebuilt = LatencyHistograms.create();
        for (int i = 0; i < 200_000; i++) {
            long nanos = (long) Math.pow(10, 2 + 6 * random.nextDouble());
            exact.recordValue(nanos);
            rebuilt.recordValue(LatencyHistograms.valueAtIndex(LatencyHistograms.countsIndex(nanos)));
        }

        for (double percentile : new double[] {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100}) {
            assertThat(rebuilt.getValueAtPercentile(percentile)).as("p%s", percentile)
                    .isEqualTo(exact.getValueAtPercentile(percentile));
        }
    }

    /**
     * 0..100000 exhaustively (the first buckets, where off-by-ones would show), every power of two
     * up to 2^62 and its neighbours (bucket edges), and a million random values whose bit length
     * is itself random so that every bucket up to 2^62 gets hits.
     */
    private static void everyTestValue(LongConsumer consumer) {
        for (long v = 0; v <= 100_000; v++) {
            consumer.accept(v);
        }
        for (int shift = 0; shift <= 62; shift++) {
            long power = 1L << shift;
            consumer.accept(power - 1);
            consumer.accept(power);
            consumer.accept(power + 1);
        }
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 1_000_000; i++) {
            int bits = 1 + random.nextInt(62);
            consumer.accept(random.nextLong(1L << bits));
        }
    }
}
