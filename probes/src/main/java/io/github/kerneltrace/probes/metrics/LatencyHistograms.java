package io.github.kerneltrace.probes.metrics;

import org.HdrHistogram.Histogram;

/**
 * The one histogram configuration used for latencies, in the kernel and in Java alike:
 * 2 significant digits (256 sub-buckets, at most 1/128 relative error), lowest value 1 ns,
 * auto-resizing. {@code bpf/hdr_index.h} computes this layout's counts-array index.
 */
public final class LatencyHistograms {

    public static final int SIGNIFICANT_DIGITS = 2;
    /** log2 of half the sub-bucket count: 2 digits means 256 sub-buckets. */
    public static final int SUB_BUCKET_HALF_MAGNITUDE = 7;

    private LatencyHistograms() {
    }

    public static Histogram create() {
        Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);
        histogram.setAutoResize(true);
        return histogram;
    }

    /** As {@link #create()}, with room for values up to {@code largest} from the start (still auto-resizing). */
    public static Histogram create(long largest) {
        Histogram histogram = new Histogram(1, Math.max(2, largest), SIGNIFICANT_DIGITS);
        histogram.setAutoResize(true);
        return histogram;
    }

    /** HdrHistogram's counts-array index of {@code value}; the Java twin of {@code hdr_index()}. */
    public static int countsIndex(long value) {
        int half = 1 << SUB_BUCKET_HALF_MAGNITUDE;
        int bucket = 63 - Long.numberOfLeadingZeros(value | (2L * half - 1)) - SUB_BUCKET_HALF_MAGNITUDE;
        int subBucket = (int) (value >>> bucket);
        return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + subBucket - half;
    }

    /** The lowest value that lands at {@code countsIndex}: recording it restores the kernel's count exactly. */
    public static long valueAtIndex(int countsIndex) {
        int half = 1 << SUB_BUCKET_HALF_MAGNITUDE;
        int bucket = (countsIndex >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
        int subBucket = (countsIndex & (half - 1)) + half;
        if (bucket < 0) {
            subBucket -= half;
            bucket = 0;
        }
        return (long) subBucket << bucket;
    }
}
