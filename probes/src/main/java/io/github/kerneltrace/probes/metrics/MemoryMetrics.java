package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Memory use of a traced test's threads: Java heap allocation, native (C library) allocations,
 * page faults, and address space mapped and unmapped by mmap, munmap, mremap and brk.
 * See docs/metrics.md for which of these are stable enough to gate on.
 */
public final class MemoryMetrics {

    /** A test that allocated, faulted and mapped nothing (and did not count native allocations). */
    public static final MemoryMetrics NONE = new MemoryMetrics(HeapAllocation.NONE, NativeAllocationMetrics.NOT_COUNTED,
            0, 0, 0, 0);

    private final HeapAllocation heap;
    private final NativeAllocationMetrics nativeAllocations;
    private final long minorFaults;
    private final long majorFaults;
    private final long mappedBytes;
    private final long unmappedBytes;

    public MemoryMetrics(HeapAllocation heap, NativeAllocationMetrics nativeAllocations, long minorFaults,
                         long majorFaults, long mappedBytes, long unmappedBytes) {
        this.heap = heap;
        this.nativeAllocations = nativeAllocations;
        this.minorFaults = minorFaults;
        this.majorFaults = majorFaults;
        this.mappedBytes = mappedBytes;
        this.unmappedBytes = unmappedBytes;
    }

    /** Java heap allocation by the test's threads. */
    public HeapAllocation heap() {
        return heap;
    }

    /** Shorthand for {@code heap().bytes()}. */
    public long heapAllocatedBytes() {
        return heap.bytes();
    }

    /** malloc and the like; {@link NativeAllocationMetrics#counted()} is false unless the test asked for them. */
    public NativeAllocationMetrics nativeAllocations() {
        return nativeAllocations;
    }

    /** Page faults served without I/O (a first touch of anonymous memory, a page in the page cache): /proc's minflt. */
    public long minorFaults() {
        return minorFaults;
    }

    /** Page faults that waited for a read from disk: /proc's majflt. */
    public long majorFaults() {
        return majorFaults;
    }

    public long pageFaults() {
        return minorFaults + majorFaults;
    }

    /** Address space added by the test's mmap, mremap and brk calls (the kernel's own page count, before and after). */
    public long mappedBytes() {
        return mappedBytes;
    }

    /** Address space removed by the test's munmap, mremap and brk calls. */
    public long unmappedBytes() {
        return unmappedBytes;
    }

    /** Net growth of the address space by the test's calls: mapped minus unmapped (negative when it shrank). */
    public long addressSpaceGrowthBytes() {
        return mappedBytes - unmappedBytes;
    }

    /**
     * These metrics keyed {@code memory.}: {@code heap.allocatedBytes}, {@code heap.threadsCounted}
     * and {@code heap.threadsNotCounted} where the JVM counts heap allocation; the
     * {@code native.} figures where native allocations were counted; {@code pageFaults.minor},
     * {@code pageFaults.major}, {@code addressSpace.mappedBytes}, {@code .unmappedBytes} and
     * {@code .growthBytes}. A figure nobody measured is left out rather than listed as 0.
     */
    public List<Metric> list() {
        List<Metric> metrics = new ArrayList<>();
        if (heap.supported()) {
            metrics.add(new Metric("memory.heap.allocatedBytes", Metric.Unit.BYTES, heap.bytes()));
            metrics.add(new Metric("memory.heap.threadsCounted", Metric.Unit.COUNT, heap.threadsCounted()));
            metrics.add(new Metric("memory.heap.threadsNotCounted", Metric.Unit.COUNT, heap.threadsNotCounted()));
        }
        if (nativeAllocations.counted()) {
            metrics.addAll(nativeAllocations.list());
        }
        metrics.add(new Metric("memory.pageFaults.minor", Metric.Unit.COUNT, minorFaults));
        metrics.add(new Metric("memory.pageFaults.major", Metric.Unit.COUNT, majorFaults));
        metrics.add(new Metric("memory.pageFaults.total", Metric.Unit.COUNT, pageFaults()));
        metrics.add(new Metric("memory.addressSpace.mappedBytes", Metric.Unit.BYTES, mappedBytes));
        metrics.add(new Metric("memory.addressSpace.unmappedBytes", Metric.Unit.BYTES, unmappedBytes));
        metrics.add(new Metric("memory.addressSpace.growthBytes", Metric.Unit.BYTES, addressSpaceGrowthBytes()));
        return metrics;
    }

    @Override
    public String toString() {
        return "MemoryMetrics{heapBytes=" + heap.bytes() + ", minorFaults=" + minorFaults + ", majorFaults=" + majorFaults
                + ", mappedBytes=" + mappedBytes + ", unmappedBytes=" + unmappedBytes + ", native=" + nativeAllocations + "}";
    }
}
