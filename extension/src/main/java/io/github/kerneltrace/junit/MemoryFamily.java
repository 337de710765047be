package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.MetricFamily.counted;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;

/**
 * Memory: {@link MaxHeapAllocation}, {@link MaxNativeAllocations}, {@link MaxNativeAllocatedBytes},
 * {@link MaxNativeOutstanding}, {@link NoNativeLeaks}, {@link MaxPageFaults} and
 * {@link MaxAddressSpaceGrowth} (when they can be checked: {@link MemoryLimitContext}); the
 * test's memory figures in one line and its outstanding native blocks, for failures and
 * summaries; the {@code memory} block of the report. Assertions: {@link MemoryAssert}.
 */
final class MemoryFamily implements MetricFamily {

    static final MemoryFamily FAMILY = new MemoryFamily();

    /** Says what to do when an assertion or limit needs native allocations that were not counted. */
    static final String NATIVE_NOT_COUNTED = "native allocations were not counted for this test;"
            + " turn counting on with @KernelTrace(nativeAllocations = true) or a native-allocation limit";
    static final String HEAP_UNSUPPORTED = "this JVM cannot count heap allocation per thread"
            + " (com.sun.management.ThreadMXBean#isThreadAllocatedMemorySupported() is false);"
            + " remove the heap limit or run the tests on a JVM that counts it, such as HotSpot";

    private static final String NATIVE = "memory.native.";

    private MemoryFamily() {
    }

    @Override
    public void readLimits(AnnotatedElement element, DeclaredLimits limits) {
        AnnotationSupport.findAnnotation(element, MaxHeapAllocation.class).ifPresent(max -> limits.addBytes(this,
                "MaxHeapAllocation", max.value(), "memory.heap.allocatedBytes", "heap allocated",
                metrics -> metrics.memory().heapAllocatedBytes(), MemoryLimitContext.HEAP));
        AnnotationSupport.findAnnotation(element, MaxNativeAllocations.class).ifPresent(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxNativeAllocatedBytes.class).ifPresent(max -> limits.addBytes(this,
                "MaxNativeAllocatedBytes", max.value(), NATIVE + "allocatedBytes", "native bytes allocated",
                metrics -> metrics.memory().nativeAllocations().allocatedBytes(), MemoryLimitContext.NATIVE));
        AnnotationSupport.findAnnotation(element, MaxNativeOutstanding.class).ifPresent(max -> limits.addBytes(this,
                "MaxNativeOutstanding", max.value(), NATIVE + "outstandingBytes", "native bytes outstanding",
                metrics -> metrics.memory().nativeAllocations().outstandingBytes(), MemoryLimitContext.NATIVE_OUTSTANDING));
        AnnotationSupport.findAnnotation(element, NoNativeLeaks.class).ifPresent(noLeaks -> limits.add(new Limit(this,
                NATIVE + "outstandingBytes", "native bytes outstanding", 0, Limit.Unit.BYTES, "@NoNativeLeaks",
                metrics -> metrics.memory().nativeAllocations().outstandingBytes(), MemoryLimitContext.NATIVE_OUTSTANDING)));
        AnnotationSupport.findRepeatableAnnotations(element, MaxPageFaults.class).forEach(max -> add(max, limits));
        AnnotationSupport.findAnnotation(element, MaxAddressSpaceGrowth.class).ifPresent(max -> limits.addBytes(this,
                "MaxAddressSpaceGrowth", max.value(), "memory.addressSpace.growthBytes", "address-space growth",
                metrics -> metrics.memory().addressSpaceGrowthBytes(), LimitContext.NONE));
    }

    private void add(MaxNativeAllocations max, DeclaredLimits limits) {
        if (limits.negative("MaxNativeAllocations", max.value())) {
            return;
        }
        limits.add(new Limit(this, NATIVE + "allocations", "native allocations", max.value(), Limit.Unit.COUNT,
                "@MaxNativeAllocations(" + max.value() + ")", metrics -> metrics.memory().nativeAllocations().allocations(),
                MemoryLimitContext.NATIVE));
    }

    private void add(MaxPageFaults max, DeclaredLimits limits) {
        if (limits.negative("MaxPageFaults", max.value())) {
            return;
        }
        FaultKind kind = max.kind();
        String declaration = kind == FaultKind.ALL
                ? "@MaxPageFaults(" + max.value() + ")"
                : "@MaxPageFaults(value = " + max.value() + ", kind = " + kind + ")";
        switch (kind) {
            case ALL -> limits.add(new Limit(this, "memory.pageFaults.total", "page faults", max.value(), Limit.Unit.COUNT,
                    declaration, metrics -> metrics.memory().pageFaults(), LimitContext.SCHEDULER));
            case MINOR -> limits.add(new Limit(this, "memory.pageFaults.minor", "minor page faults", max.value(),
                    Limit.Unit.COUNT, declaration, metrics -> metrics.memory().minorFaults(), LimitContext.SCHEDULER));
            case MAJOR -> limits.add(new Limit(this, "memory.pageFaults.major", "major page faults", max.value(),
                    Limit.Unit.COUNT, declaration, metrics -> metrics.memory().majorFaults(), LimitContext.SCHEDULER));
        }
    }

    @Override
    public String heading() {
        return "Memory";
    }

    @Override
    public String describe(KernelMetrics metrics) {
        return describe(metrics.memory());
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

    @Override
    public String summary(KernelMetrics metrics) {
        return observed(metrics.memory()) ? brief(metrics.memory()) : "";
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

    /** Heap only where the JVM counts it, native figures only where counted: no entry claims a 0 nobody measured. */
    @Override
    public void putReportEntries(KernelMetrics metrics, Map<String, String> entries) {
        MemoryMetrics memory = metrics.memory();
        HeapAllocation heap = memory.heap();
        if (heap.supported()) {
            entries.put("kerneltrace.memory.heapAllocatedBytes", Long.toString(heap.bytes()));
            if (heap.threadsNotCounted() > 0) {
                entries.put("kerneltrace.memory.heapThreadsNotCounted", Integer.toString(heap.threadsNotCounted()));
            }
        }
        NativeAllocationMetrics allocations = memory.nativeAllocations();
        if (allocations.counted()) {
            entries.put("kerneltrace.memory.nativeAllocations", Long.toString(allocations.allocations()));
            entries.put("kerneltrace.memory.nativeOutstandingBytes", Long.toString(allocations.outstandingBytes()));
        }
        entries.put("kerneltrace.memory.minorFaults", Long.toString(memory.minorFaults()));
        entries.put("kerneltrace.memory.majorFaults", Long.toString(memory.majorFaults()));
        entries.put("kerneltrace.memory.mappedBytes", Long.toString(memory.mappedBytes()));
        entries.put("kerneltrace.memory.unmappedBytes", Long.toString(memory.unmappedBytes()));
    }

    @Override
    public void writeJson(KernelMetrics metrics, JsonWriter json) {
        MemoryMetrics memory = metrics.memory();
        HeapAllocation heap = memory.heap();
        json.name("memory").beginObject();
        json.name("heap").beginObject()
                .member("allocatedBytes", heap.bytes())
                .member("threadsCounted", heap.threadsCounted())
                .member("threadsNotCounted", heap.threadsNotCounted())
                .member("supported", heap.supported())
                .endObject();
        NativeAllocationMetrics allocations = memory.nativeAllocations();
        if (allocations.counted()) {
            writeNative(json.name("native"), allocations);
        } else {
            json.name("native").nullValue(); // not zeros: nobody counted them
        }
        json.name("pageFaults").beginObject()
                .member("minor", memory.minorFaults())
                .member("major", memory.majorFaults())
                .member("total", memory.pageFaults())
                .endObject();
        json.name("addressSpace").beginObject()
                .member("mappedBytes", memory.mappedBytes())
                .member("unmappedBytes", memory.unmappedBytes())
                .member("growthBytes", memory.addressSpaceGrowthBytes())
                .endObject();
        json.endObject();
    }

    private static void writeNative(JsonWriter json, NativeAllocationMetrics allocations) {
        json.beginObject();
        json.name("calls").beginObject();
        for (Map.Entry<NativeFunction, Long> calls : allocations.callsByFunction().entrySet()) {
            json.member(calls.getKey().symbol(), calls.getValue());
        }
        json.endObject();
        json.member("allocations", allocations.allocations())
                .member("allocatedBytes", allocations.allocatedBytes())
                .member("frees", allocations.frees())
                .member("freedBytes", allocations.freedBytes())
                .member("outstandingAllocations", allocations.outstandingAllocations())
                .member("outstandingBytes", allocations.outstandingBytes())
                .member("failedAllocations", allocations.failedAllocations())
                .member("lostAllocations", allocations.lostAllocations());
        JsonReport.writeHistogram(json.name("sizeBytes"), allocations.sizeBytes());
        json.name("largestOutstanding").beginArray();
        for (OutstandingAllocation block : allocations.largestOutstanding()) {
            json.beginObject()
                    .member("address", "0x" + Long.toHexString(block.address()))
                    .member("bytes", block.bytes())
                    .member("function", block.function().symbol())
                    .member("tid", block.tid())
                    .member("thread", block.threadName())
                    .endObject();
        }
        json.endArray();
        json.endObject();
    }
}
