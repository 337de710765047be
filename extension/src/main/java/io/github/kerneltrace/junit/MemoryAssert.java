package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;

/**
 * Assertions on a test's memory, reached by {@code assertThat(metrics).memory()}. Failures and
 * descriptions show the test's memory figures (heap, native allocations, page faults, address
 * space) and the top system calls. An assertion on a figure that was not measured (heap
 * allocation on a JVM that cannot count it, native allocations of a test that did not ask for
 * them) fails rather than compare a 0.
 * <pre>
 * assertThat(metrics).memory().hasNoNativeLeaks().hasHeapAllocationAtMost("10MiB");
 * assertThat(metrics).memory().majorFaults().isZero();
 * </pre>
 */
public class MemoryAssert extends FamilyAssert<MemoryAssert> {

    protected MemoryAssert(KernelMetrics actual) {
        super(actual, MemoryAssert.class, MemoryFamily.FAMILY);
    }

    private MemoryMetrics memory() {
        isNotNull();
        return actual.memory();
    }

    /**
     * Java heap bytes allocated by the test's threads. Fails at once on a JVM that cannot count
     * them, rather than compare a 0 nobody measured.
     */
    public AbstractLongAssert<?> heapAllocatedBytes() {
        requireHeap();
        return measured("heap bytes allocated", memory().heapAllocatedBytes());
    }

    /** Successful native allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc); fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocations() {
        return measured("native allocations", requireNative().allocations());
    }

    /** Native bytes asked for by those allocations; fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocatedBytes() {
        return measured("native bytes allocated", requireNative().allocatedBytes());
    }

    /** Native bytes allocated by the test and not released by the end of the measurement; fails at once if not counted. */
    public AbstractLongAssert<?> nativeBytesOutstanding() {
        return measured("native bytes outstanding", requireNative().outstandingBytes());
    }

    /** Minor and major page faults together. */
    public AbstractLongAssert<?> pageFaults() {
        return measured("page faults", memory().pageFaults());
    }

    /** Page faults served without I/O, e.g. a first touch of fresh anonymous memory. */
    public AbstractLongAssert<?> minorFaults() {
        return measured("minor page faults", memory().minorFaults());
    }

    /** Page faults that waited for the disk. */
    public AbstractLongAssert<?> majorFaults() {
        return measured("major page faults", memory().majorFaults());
    }

    /** Bytes mapped minus bytes unmapped by the test's threads; negative when the address space shrank. */
    public AbstractLongAssert<?> addressSpaceGrowthBytes() {
        return measured("address-space growth in bytes", memory().addressSpaceGrowthBytes());
    }

    /** E.g. {@code hasHeapAllocationAtMost("10MiB")}; fails on a JVM that cannot count heap allocation. */
    public MemoryAssert hasHeapAllocationAtMost(String size) {
        requireHeap();
        long limit = ByteSizes.parseBytes(size);
        long measured = memory().heapAllocatedBytes();
        if (measured > limit) {
            failWithContext("Expected at most %s of heap allocation but the test allocated %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasAtMostNativeAllocations(10)}; fails if native allocations were not counted. */
    public MemoryAssert hasAtMostNativeAllocations(long limit) {
        long measured = requireNative().allocations();
        if (measured > limit) {
            failWithContext("Expected at most %d native allocations but the test made %d", limit, measured);
        }
        return this;
    }

    /** E.g. {@code hasNativeAllocatedBytesAtMost("1MiB")}; fails if native allocations were not counted. */
    public MemoryAssert hasNativeAllocatedBytesAtMost(String size) {
        long limit = ByteSizes.parseBytes(size);
        long measured = requireNative().allocatedBytes();
        if (measured > limit) {
            failWithContext("Expected at most %s of native allocation but the test allocated %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasNativeBytesOutstandingAtMost("64KiB")}; the failure lists the largest outstanding blocks. */
    public MemoryAssert hasNativeBytesOutstandingAtMost(String size) {
        long limit = ByteSizes.parseBytes(size);
        NativeAllocationMetrics allocations = requireNative();
        if (allocations.outstandingBytes() > limit) {
            failWithOutstandingBlocks(String.format("Expected at most %s of native memory outstanding but the test left %s allocated",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(allocations.outstandingBytes())), allocations);
        }
        return this;
    }

    /**
     * Every native block the test allocated was released by the end of the measurement; the
     * failure lists the largest outstanding blocks with size, function and thread.
     */
    public MemoryAssert hasNoNativeLeaks() {
        NativeAllocationMetrics allocations = requireNative();
        if (allocations.outstandingBytes() > 0) {
            failWithOutstandingBlocks(String.format("Expected no native memory outstanding but the test left %s allocated",
                    Limit.Unit.BYTES.format(allocations.outstandingBytes())), allocations);
        }
        return this;
    }

    /** E.g. {@code hasAtMostPageFaults(100)}: minor and major together. */
    public MemoryAssert hasAtMostPageFaults(long limit) {
        long measured = memory().pageFaults();
        if (measured > limit) {
            failWithContext("Expected at most %d page faults but the test took %d (%d major)", limit, measured,
                    actual.memory().majorFaults());
        }
        return this;
    }

    /** E.g. {@code hasAddressSpaceGrowthAtMost("64MiB")}: bytes mapped minus bytes unmapped. */
    public MemoryAssert hasAddressSpaceGrowthAtMost(String size) {
        long limit = ByteSizes.parseBytes(size);
        long measured = memory().addressSpaceGrowthBytes();
        if (measured > limit) {
            failWithContext("Expected the address space to grow by at most %s but it grew by %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    private void requireHeap() {
        if (!memory().heap().supported()) {
            failWithMessage("Heap allocation was not measured: %s", MemoryFamily.HEAP_UNSUPPORTED);
        }
    }

    private NativeAllocationMetrics requireNative() {
        NativeAllocationMetrics allocations = memory().nativeAllocations();
        if (!allocations.counted()) {
            failWithMessage("Native allocations cannot be checked: %s", MemoryFamily.NATIVE_NOT_COUNTED);
        }
        return allocations;
    }

    private void failWithOutstandingBlocks(String message, NativeAllocationMetrics allocations) {
        StringBuilder text = new StringBuilder(message);
        for (String line : MemoryFamily.outstandingBlocks(allocations)) {
            text.append(System.lineSeparator()).append("  ").append(line);
        }
        failWithContext("%s", text);
    }
}
