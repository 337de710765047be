package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.List;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;

/** A test's memory figures in one line, and its outstanding native blocks, for failure messages and summaries. */
final class MemorySummary {

    /** Says what to do when an assertion or limit needs native allocations that were not counted. */
    static final String NATIVE_NOT_COUNTED = "native allocations were not counted for this test;"
            + " turn counting on with @KernelTrace(nativeAllocations = true) or a native-allocation limit";
    static final String HEAP_UNSUPPORTED = "this JVM cannot count heap allocation per thread"
            + " (com.sun.management.ThreadMXBean#isThreadAllocatedMemorySupported() is false);"
            + " remove the heap limit or run the tests on a JVM that counts it, such as HotSpot";

    private MemorySummary() {
    }

    /**
     * E.g. {@code heap 19.1 MiB (1 thread), native 3 allocations of 12.1 KiB, 1 outstanding (4.0 KiB),
     * 2011 minor + 0 major page faults, mapped 8.0 MiB, unmapped 0 B}: every figure a memory limit
     * is set on, so that a breach of one shows the others.
     */
    static String describe(MemoryMetrics memory) {
        StringBuilder text = new StringBuilder(heap(memory.heap(), true)).append(", ");
        NativeAllocationMetrics allocations = memory.nativeAllocations();
        if (allocations.counted()) {
            text.append("native ").append(counted(allocations.allocations(), "allocation", "allocations"))
                    .append(" of ").append(ByteSizes.format(allocations.allocatedBytes()))
                    .append(", ").append(allocations.outstandingAllocations()).append(" outstanding (")
                    .append(ByteSizes.format(allocations.outstandingBytes())).append(')');
            if (allocations.failedAllocations() > 0) {
                text.append(", ").append(allocations.failedAllocations()).append(" failed");
            }
            if (allocations.lostAllocations() > 0) {
                text.append(", ").append(allocations.lostAllocations()).append(" not tracked");
            }
        } else {
            text.append("native allocations not counted");
        }
        return text.append(", ").append(memory.minorFaults()).append(" minor + ").append(memory.majorFaults())
                .append(" major page faults, mapped ").append(ByteSizes.format(memory.mappedBytes()))
                .append(", unmapped ").append(ByteSizes.format(memory.unmappedBytes()))
                .toString();
    }

    /**
     * E.g. {@code heap 19.1 MiB, native 3 allocations (4.0 KiB outstanding), 2011 page faults (0 major),
     * mapped 8.0 MiB, unmapped 0 B}: the short form for the summary line; native figures only when counted.
     */
    static String brief(MemoryMetrics memory) {
        StringBuilder text = new StringBuilder(heap(memory.heap(), false));
        NativeAllocationMetrics allocations = memory.nativeAllocations();
        if (allocations.counted()) {
            text.append(", native ").append(counted(allocations.allocations(), "allocation", "allocations"))
                    .append(" (").append(ByteSizes.format(allocations.outstandingBytes())).append(" outstanding)");
        }
        return text.append(", ").append(counted(memory.pageFaults(), "page fault", "page faults"))
                .append(" (").append(memory.majorFaults()).append(" major), mapped ")
                .append(ByteSizes.format(memory.mappedBytes())).append(", unmapped ")
                .append(ByteSizes.format(memory.unmappedBytes()))
                .toString();
    }

    /** Whether anything was measured; a backend without memory data reports nothing. */
    static boolean observed(MemoryMetrics memory) {
        HeapAllocation heap = memory.heap();
        return heap.bytes() > 0 || heap.threadsNotCounted() > 0 || !heap.supported() || memory.pageFaults() > 0
                || memory.mappedBytes() > 0 || memory.unmappedBytes() > 0 || memory.nativeAllocations().counted();
    }

    /**
     * E.g. {@code 1 thread the test started ended before the test did and was not counted}; empty
     * when every thread was counted.
     */
    static String uncountedThreads(HeapAllocation heap) {
        int ended = heap.threadsNotCounted();
        if (ended == 0) {
            return "";
        }
        return ended == 1
                ? "1 thread the test started ended before the test did and was not counted"
                : ended + " threads the test started ended before the test did and were not counted";
    }

    /**
     * The outstanding blocks, largest first, one per line after a heading, e.g.
     * <pre>
     * 2 blocks outstanding, largest first:
     *   4.0 KiB (4096 B) from malloc at 0x7f3b0c000b70 on thread 5123 (main)
     *   48 B from calloc at 0x7f3b0c001c00 on thread 5130 (ended)
     * </pre>
     * The kernel keeps the ten largest; blocks it could not remember are said to count as outstanding.
     */
    static List<String> outstandingBlocks(NativeAllocationMetrics allocations) {
        List<String> lines = new ArrayList<>();
        long outstanding = allocations.outstandingAllocations();
        List<OutstandingAllocation> largest = allocations.largestOutstanding();
        if (outstanding > 0 || !largest.isEmpty()) {
            lines.add(counted(outstanding, "block", "blocks") + " outstanding, largest first:");
        }
        for (OutstandingAllocation block : largest) {
            lines.add("  " + block(block));
        }
        if (outstanding > largest.size() && !largest.isEmpty()) {
            lines.add("  and " + (outstanding - largest.size()) + " more");
        }
        if (allocations.lostAllocations() > 0) {
            lines.add(allocations.lostAllocations() + " blocks were not tracked (the kernel's table of live blocks was full):"
                    + " their release was not seen, so they count as outstanding");
        }
        return lines;
    }

    /** E.g. {@code 4.0 KiB (4096 B) from malloc at 0x7f3b0c000b70 on thread 5123 (main)}. */
    static String block(OutstandingAllocation block) {
        String thread = block.threadName().isEmpty() ? "ended" : block.threadName();
        return Limit.Unit.BYTES.format(block.bytes()) + " from " + block.function().symbol()
                + " at 0x" + Long.toHexString(block.address()) + " on thread " + block.tid() + " (" + thread + ")";
    }

    private static String heap(HeapAllocation heap, boolean threads) {
        if (!heap.supported()) {
            return "heap not counted (unsupported by this JVM)";
        }
        String text = "heap " + ByteSizes.format(heap.bytes());
        String uncounted = uncountedThreads(heap);
        if (threads) {
            return text + " (" + counted(heap.threadsCounted(), "thread", "threads")
                    + (uncounted.isEmpty() ? "" : "; " + uncounted) + ")";
        }
        return uncounted.isEmpty() ? text : text + " (" + uncounted + ")";
    }

    private static String counted(long count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }
}
