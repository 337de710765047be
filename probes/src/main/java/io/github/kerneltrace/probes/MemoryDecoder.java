package io.github.kerneltrace.probes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;

/**
 * The memory family of a slot's metrics: the heap figure (from the JVM, measured by the slot),
 * page faults and address space from memory_stats, and native allocations when counted.
 */
final class MemoryDecoder {

    /** How many of the largest outstanding blocks a report lists. */
    private static final int LARGEST_OUTSTANDING = 10;

    private MemoryDecoder() {
    }

    static MemoryMetrics decode(SlotMemory memory, int slot, HeapAllocation heap, boolean nativeCounted,
                                SlotHistograms histograms) {
        SlotMemory.MemoryCounters counters = memory.memoryCounters(slot);
        NativeAllocationMetrics nativeMetrics = NativeAllocationMetrics.NOT_COUNTED;
        if (nativeCounted) {
            nativeMetrics = new NativeAllocationMetrics(true, counters.callsByFunction(), counters.allocations(),
                    counters.allocatedBytes(), counters.frees(), counters.freedBytes(), counters.failedAllocations(),
                    counters.lostAllocations(), histograms.orEmpty(SlotMemory.ALLOCATION_SIZE_HISTOGRAM),
                    largestOutstanding(memory, slot));
        }
        return new MemoryMetrics(heap, nativeMetrics, counters.minorFaults(), counters.majorFaults(),
                counters.mappedBytes(), counters.unmappedBytes());
    }

    /** The slot's largest blocks in live_allocations, largest first. */
    private static List<OutstandingAllocation> largestOutstanding(SlotMemory memory, int slot) {
        PriorityQueue<SlotMemory.LiveBlock> largest = new PriorityQueue<>(Comparator.comparingLong(SlotMemory.LiveBlock::bytes));
        memory.readLiveBlocks(slot, block -> {
            largest.add(block);
            if (largest.size() > LARGEST_OUTSTANDING) {
                largest.poll();
            }
        });
        NativeFunction[] functions = NativeFunction.values();
        List<OutstandingAllocation> sorted = new ArrayList<>();
        for (SlotMemory.LiveBlock block : largest) {
            sorted.add(new OutstandingAllocation(block.address(), block.bytes(),
                    functions[Math.min(block.function(), functions.length - 1)], block.tid(), ThreadNames.of(block.tid())));
        }
        sorted.sort(Comparator.comparingLong(OutstandingAllocation::bytes).reversed()
                .thenComparingLong(OutstandingAllocation::address));
        return sorted;
    }
}
