package io.github.kerneltrace.probes;

import java.util.HashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.LatencyHistograms;

/**
 * A slot's histograms, rebuilt without loss from the kernel's bucket counts in
 * {@code histogram_counts}: each system call's latency, and under reserved numbers the
 * scheduler's and the allocator's histograms. One read of the slot's memory serves every family's decoder.
 */
final class SlotHistograms {

    private final Map<Integer, Histogram> byNumber;
    private final long[] keys;

    private SlotHistograms(Map<Integer, Histogram> byNumber, long[] keys) {
        this.byNumber = byNumber;
        this.keys = keys;
    }

    static SlotHistograms read(SlotMemory memory, int slot) {
        // First the buckets, then each histogram sized for its largest value: recording past a
        // histogram's range makes HdrHistogram resize from inside a caught exception, costly in a cold JVM.
        Map<Integer, long[]> largest = new HashMap<>();
        java.util.List<long[]> buckets = new java.util.ArrayList<>();
        long[] keys = memory.readHistogramBuckets(slot, (nr, bucket, count) -> {
            long value = LatencyHistograms.valueAtIndex(bucket);
            buckets.add(new long[] {nr, value, count});
            long[] max = largest.computeIfAbsent(nr, n -> new long[1]);
            max[0] = Math.max(max[0], value);
        });
        Map<Integer, Histogram> histograms = new HashMap<>();
        largest.forEach((nr, max) -> histograms.put(nr, LatencyHistograms.create(max[0])));
        for (long[] bucket : buckets) {
            histograms.get((int) bucket[0]).recordValueWithCount(bucket[1], bucket[2]);
        }
        return new SlotHistograms(histograms, keys);
    }

    /** Marks in {@code present} the system-call numbers that have a latency histogram (not the other families' numbers). */
    void markSyscallNumbers(boolean[] present) {
        for (int number : byNumber.keySet()) {
            if (SlotMemory.isSyscallNumber(number)) {
                present[number] = true;
            }
        }
    }

    /** As {@link #recorded}, but an empty histogram where nothing was recorded. */
    Histogram orEmpty(int number) {
        Histogram histogram = byNumber.get(number);
        return histogram != null ? histogram : LatencyHistograms.create();
    }

    /** The hash keys read, so that the slot can delete exactly these once counting is off. */
    long[] keys() {
        return keys;
    }
}
