package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What a traced test's threads did with the C library's allocator: calls by function, blocks
 * and bytes allocated, blocks released (by any thread of the process), and what was still
 * outstanding when counting stopped, largest first. Sizes are the sizes asked for, not what the
 * allocator rounded them up to.
 */
public final class NativeAllocationMetrics {

    /** A test that did not ask for native allocations to be counted. */
    public static final NativeAllocationMetrics NOT_COUNTED = new NativeAllocationMetrics(false, new long[NativeFunction.values().length],
            0, 0, 0, 0, 0, 0, LatencyHistograms.create(), List.of());

    private final boolean counted;
    private final long[] calls;
    private final long allocations;
    private final long allocatedBytes;
    private final long frees;
    private final long freedBytes;
    private final long failedAllocations;
    private final long lostAllocations;
    private final Histogram sizes;
    private final List<OutstandingAllocation> largestOutstanding;

    public NativeAllocationMetrics(boolean counted, long[] calls, long allocations, long allocatedBytes, long frees,
                                   long freedBytes, long failedAllocations, long lostAllocations, Histogram sizes,
                                   List<OutstandingAllocation> largestOutstanding) {
        this.counted = counted;
        this.calls = calls.clone();
        this.allocations = allocations;
        this.allocatedBytes = allocatedBytes;
        this.frees = frees;
        this.freedBytes = freedBytes;
        this.failedAllocations = failedAllocations;
        this.lostAllocations = lostAllocations;
        this.sizes = sizes;
        this.largestOutstanding = List.copyOf(largestOutstanding);
    }

    /** Whether the test asked for native allocations to be counted (else every figure is 0). */
    public boolean counted() {
        return counted;
    }

    /** Calls made by the test's threads to one function (calls nested inside another allocator call are not counted). */
    public long calls(NativeFunction function) {
        return calls[function.ordinal()];
    }

    /** Calls by function, in {@link NativeFunction} order. */
    public Map<NativeFunction, Long> callsByFunction() {
        Map<NativeFunction, Long> byFunction = new EnumMap<>(NativeFunction.class);
        for (NativeFunction function : NativeFunction.values()) {
            byFunction.put(function, calls[function.ordinal()]);
        }
        return byFunction;
    }

    /** Successful allocations: malloc, calloc, realloc, posix_memalign and aligned_alloc calls that returned memory. */
    public long allocations() {
        return allocations;
    }

    /** Bytes asked for by those allocations. */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Of those blocks, how many were released while counting (by free or realloc, from any thread). */
    public long frees() {
        return frees;
    }

    public long freedBytes() {
        return freedBytes;
    }

    /** Blocks allocated and not released when counting stopped. */
    public long outstandingAllocations() {
        return allocations - frees;
    }

    /** Bytes allocated and not released when counting stopped: the leak signal. */
    public long outstandingBytes() {
        return allocatedBytes - freedBytes;
    }

    /** Allocation calls that returned NULL (or an error, for posix_memalign). */
    public long failedAllocations() {
        return failedAllocations;
    }

    /**
     * Blocks the kernel could not remember (its table of live blocks was full): their release
     * was not seen, so the outstanding figures count them as outstanding.
     */
    public long lostAllocations() {
        return lostAllocations;
    }

    /** Each allocation's requested size, in bytes. */
    public Histogram sizeBytes() {
        return sizes;
    }

    /** The largest outstanding blocks, largest first (at most ten). */
    public List<OutstandingAllocation> largestOutstanding() {
        return largestOutstanding;
    }

    /**
     * These metrics keyed {@code memory.native.}: {@code calls.<function>} per C function, the
     * counts and bytes by their accessor names, and the {@code sizeBytes} histogram's summary.
     * Meaningful only when {@link #counted()}.
     */
    public List<Metric> list() {
        String prefix = "memory.native.";
        List<Metric> metrics = new ArrayList<>();
        for (NativeFunction function : NativeFunction.values()) {
            metrics.add(new Metric(prefix + "calls." + function.symbol(), Metric.Unit.CALLS, calls(function)));
        }
        metrics.add(new Metric(prefix + "allocations", Metric.Unit.COUNT, allocations));
        metrics.add(new Metric(prefix + "allocatedBytes", Metric.Unit.BYTES, allocatedBytes));
        metrics.add(new Metric(prefix + "frees", Metric.Unit.COUNT, frees));
        metrics.add(new Metric(prefix + "freedBytes", Metric.Unit.BYTES, freedBytes));
        metrics.add(new Metric(prefix + "outstandingAllocations", Metric.Unit.COUNT, outstandingAllocations()));
        metrics.add(new Metric(prefix + "outstandingBytes", Metric.Unit.BYTES, outstandingBytes()));
        metrics.add(new Metric(prefix + "failedAllocations", Metric.Unit.COUNT, failedAllocations));
        metrics.add(new Metric(prefix + "lostAllocations", Metric.Unit.COUNT, lostAllocations));
        Metric.addHistogram(metrics, prefix + "sizeBytes", Metric.Unit.BYTES, sizes);
        return metrics;
    }

    @Override
    public String toString() {
        if (!counted) {
            return "NativeAllocationMetrics{not counted}";
        }
        return "NativeAllocationMetrics{calls=" + callsByFunction() + ", allocations=" + allocations + ", allocatedBytes="
                + allocatedBytes + ", frees=" + frees + ", outstandingBytes=" + outstandingBytes() + "}";
    }
}
