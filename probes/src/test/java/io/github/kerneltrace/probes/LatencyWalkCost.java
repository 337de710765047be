package io.github.kerneltrace.probes;

/**
 * The kernel's share of a slot read: one batch read of {@code latency_buckets}, in which the
 * kernel walks every bucket of the hash (65,536) whatever the slot's share of it. Run as
 * {@link MetricsReadCost} is: {@code java -cp ... io.github.kerneltrace.probes.LatencyWalkCost 500}.
 */
public final class LatencyWalkCost {

    private LatencyWalkCost() {
    }

    public static void main(String[] args) {
        int reads = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        System.out.printf("warm: one batch read of latency_buckets (the kernel walks all its buckets) median %.1f µs%n",
                MetricsReadCost.median(latencyWalks(KernelTracer.shared(), reads)) / 1e3);
    }

    /** Times the read of latency_buckets alone: the kernel's share of metrics(). */
    private static long[] latencyWalks(KernelTracer tracer, int reads) {
        SlotMemory memory;
        try {
            java.lang.reflect.Field field = KernelTracer.class.getDeclaredField("memory");
            field.setAccessible(true);
            memory = (SlotMemory) field.get(tracer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        long[] nanos = new long[reads];
        for (int i = 0; i < reads * 4; i++) {
            long before = System.nanoTime();
            memory.readHistogramBuckets(0, (nr, bucket, count) -> { });
            nanos[i % reads] = System.nanoTime() - before;
        }
        return nanos;
    }

}
