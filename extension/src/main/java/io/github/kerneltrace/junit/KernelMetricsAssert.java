package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractLongAssert;
import org.assertj.core.api.Assertions;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;

/**
 * Assertions on a test's {@link KernelMetrics}. Every failure message ends with the test's most
 * frequent system calls, which usually show what changed; a failed assertion on the scheduler's
 * metrics also shows what the scheduler did (switches, migrations, on-CPU, run-queue, off-CPU),
 * one on memory the test's memory figures (heap, native allocations, page faults, address space).
 * Memory assertions on a figure that was not measured (heap allocation on a JVM that cannot count
 * it, native allocations of a test that did not ask for them) fail rather than compare a 0.
 */
public class KernelMetricsAssert extends AbstractAssert<KernelMetricsAssert, KernelMetrics> {

    protected KernelMetricsAssert(KernelMetrics actual) {
        super(actual, KernelMetricsAssert.class);
    }

    /** Calls of one system call, e.g. {@code syscallCount("write")}, described as "write calls". */
    public AbstractLongAssert<?> syscallCount(String syscall) {
        isNotNull();
        return measured(syscall + " calls", actual.syscall(syscall).count());
    }

    /** All system calls together. */
    public AbstractLongAssert<?> totalSyscalls() {
        isNotNull();
        return measured("system calls", actual.totalSyscalls());
    }

    /** Failed calls of one system call. */
    public AbstractLongAssert<?> syscallErrors(String syscall) {
        isNotNull();
        return measured(syscall + " errors", actual.syscall(syscall).errors());
    }

    /** Bytes written by the write and send families. */
    public AbstractLongAssert<?> bytesWritten() {
        isNotNull();
        return measured("bytes written", actual.bytesWritten());
    }

    /** Bytes read by the read and recv families. */
    public AbstractLongAssert<?> bytesRead() {
        isNotNull();
        return measured("bytes read", actual.bytesRead());
    }

    /** A latency percentile of one system call in nanoseconds, e.g. {@code syscallLatency("fsync", 99)}; 0 if never called. */
    public AbstractLongAssert<?> syscallLatency(String syscall, double percentile) {
        isNotNull();
        requirePercentile(percentile);
        return measured(syscall + " " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                actual.syscall(syscall).latencyNanos().getValueAtPercentile(percentile));
    }

    public KernelMetricsAssert hasSyscallCount(String syscall, long expected) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured != expected) {
            failWithContext("Expected %d %s calls but the test made %d", expected, syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert hasAtMostSyscalls(String syscall, long limit) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured > limit) {
            failWithContext("Expected at most %d %s calls but the test made %d", limit, syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert doesNotCall(String syscall) {
        isNotNull();
        long measured = actual.syscall(syscall).count();
        if (measured != 0) {
            failWithContext("Expected no %s calls but the test made %d", syscall, measured);
        }
        return this;
    }

    public KernelMetricsAssert hasNoSyscallErrors() {
        isNotNull();
        if (actual.totalErrors() != 0) {
            failWithContext("Expected no failed system calls but %d failed", actual.totalErrors());
        }
        return this;
    }

    /** E.g. {@code hasSyscallLatencyAtMost("fsync", 99, "2ms")}. */
    public KernelMetricsAssert hasSyscallLatencyAtMost(String syscall, double percentile, String duration) {
        isNotNull();
        requirePercentile(percentile);
        long limit = Durations.parseNanos(duration);
        long measured = actual.syscall(syscall).latencyNanos().getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithContext("Expected %s %s latency at most %s but it was %s", syscall,
                    DeclaredLimits.percentileLabel(percentile), Durations.format(limit), Durations.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasBytesWrittenAtMost("64KiB")}. */
    public KernelMetricsAssert hasBytesWrittenAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesWritten() > limit) {
            failWithContext("Expected at most %s written but the test wrote %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesWritten()));
        }
        return this;
    }

    /** E.g. {@code hasBytesReadAtMost("1MiB")}. */
    public KernelMetricsAssert hasBytesReadAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesRead() > limit) {
            failWithContext("Expected at most %s read but the test read %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesRead()));
        }
        return this;
    }

    /** Times the test's threads were switched out while blocking (sleep, lock, I/O). */
    public AbstractLongAssert<?> voluntarySwitches() {
        isNotNull();
        return measuredByScheduler("voluntary context switches", actual.scheduler().voluntarySwitches());
    }

    /** Times the test's threads were switched out while still runnable (preempted, or yielded). */
    public AbstractLongAssert<?> involuntarySwitches() {
        isNotNull();
        return measuredByScheduler("involuntary context switches", actual.scheduler().involuntarySwitches());
    }

    /** Voluntary and involuntary switches together. */
    public AbstractLongAssert<?> contextSwitches() {
        isNotNull();
        return measuredByScheduler("context switches", actual.scheduler().contextSwitches());
    }

    /** Moves of the test's threads to another CPU. */
    public AbstractLongAssert<?> migrations() {
        isNotNull();
        return measuredByScheduler("CPU migrations", actual.scheduler().migrations());
    }

    /** Time the test's threads ran on a CPU, in nanoseconds. */
    public AbstractLongAssert<?> onCpuNanos() {
        isNotNull();
        return measuredByScheduler("on-CPU time in nanoseconds", actual.scheduler().onCpuNanos());
    }

    /** Time the test's threads were blocked, in nanoseconds (the run-queue wait after each wake-up not included). */
    public AbstractLongAssert<?> offCpuNanos() {
        isNotNull();
        return measuredByScheduler("off-CPU time in nanoseconds", actual.scheduler().offCpuNanos());
    }

    /**
     * A percentile of the test's run-queue waits (woken or preempted, to back on a CPU) in
     * nanoseconds, e.g. {@code runQueueLatency(99)}; 100 is the longest wait; 0 if it never waited.
     */
    public AbstractLongAssert<?> runQueueLatency(double percentile) {
        isNotNull();
        requirePercentile(percentile);
        return measuredByScheduler("run-queue " + DeclaredLimits.percentileLabel(percentile) + " latency in nanoseconds",
                actual.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile));
    }

    /** E.g. {@code hasAtMostVoluntarySwitches(3)}: the test blocked at most 3 times. */
    public KernelMetricsAssert hasAtMostVoluntarySwitches(long limit) {
        isNotNull();
        long measured = actual.scheduler().voluntarySwitches();
        if (measured > limit) {
            failWithSchedulerContext("Expected at most %d voluntary context switches but the test blocked %d times",
                    limit, measured);
        }
        return this;
    }

    /** The test never blocked: no voluntary context switch. */
    public KernelMetricsAssert doesNotBlock() {
        isNotNull();
        long measured = actual.scheduler().voluntarySwitches();
        if (measured != 0) {
            failWithSchedulerContext("Expected the test not to block but it blocked %d %s (off-CPU %s)", measured,
                    measured == 1 ? "time" : "times", Durations.format(actual.scheduler().offCpuNanos()));
        }
        return this;
    }

    /** E.g. {@code hasRunQueueLatencyAtMost(99, "5ms")}. */
    public KernelMetricsAssert hasRunQueueLatencyAtMost(double percentile, String duration) {
        isNotNull();
        requirePercentile(percentile);
        long limit = Durations.parseNanos(duration);
        long measured = actual.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithSchedulerContext("Expected run-queue %s latency at most %s but it was %s",
                    DeclaredLimits.percentileLabel(percentile), Durations.format(limit), Durations.format(measured));
        }
        return this;
    }

    /**
     * Java heap bytes allocated by the test's threads. Fails at once on a JVM that cannot count
     * them, rather than compare a 0 nobody measured.
     */
    public AbstractLongAssert<?> heapAllocatedBytes() {
        requireHeap();
        return measuredInMemory("heap bytes allocated", actual.memory().heapAllocatedBytes());
    }

    /** Successful native allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc); fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocations() {
        return measuredInMemory("native allocations", requireNative().allocations());
    }

    /** Native bytes asked for by those allocations; fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocatedBytes() {
        return measuredInMemory("native bytes allocated", requireNative().allocatedBytes());
    }

    /** Native bytes allocated by the test and not released by the end of the measurement; fails at once if not counted. */
    public AbstractLongAssert<?> nativeBytesOutstanding() {
        return measuredInMemory("native bytes outstanding", requireNative().outstandingBytes());
    }

    /** Minor and major page faults together. */
    public AbstractLongAssert<?> pageFaults() {
        isNotNull();
        return measuredInMemory("page faults", actual.memory().pageFaults());
    }

    /** Page faults served without I/O, e.g. a first touch of fresh anonymous memory. */
    public AbstractLongAssert<?> minorFaults() {
        isNotNull();
        return measuredInMemory("minor page faults", actual.memory().minorFaults());
    }

    /** Page faults that waited for the disk. */
    public AbstractLongAssert<?> majorFaults() {
        isNotNull();
        return measuredInMemory("major page faults", actual.memory().majorFaults());
    }

    /** Bytes mapped minus bytes unmapped by the test's threads; negative when the address space shrank. */
    public AbstractLongAssert<?> addressSpaceGrowthBytes() {
        isNotNull();
        return measuredInMemory("address-space growth in bytes", actual.memory().addressSpaceGrowthBytes());
    }

    /** E.g. {@code hasHeapAllocationAtMost("10MiB")}; fails on a JVM that cannot count heap allocation. */
    public KernelMetricsAssert hasHeapAllocationAtMost(String size) {
        requireHeap();
        long limit = ByteSizes.parseBytes(size);
        long measured = actual.memory().heapAllocatedBytes();
        if (measured > limit) {
            failWithMemoryContext("Expected at most %s of heap allocation but the test allocated %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasAtMostNativeAllocations(10)}; fails if native allocations were not counted. */
    public KernelMetricsAssert hasAtMostNativeAllocations(long limit) {
        long measured = requireNative().allocations();
        if (measured > limit) {
            failWithMemoryContext("Expected at most %d native allocations but the test made %d", limit, measured);
        }
        return this;
    }

    /** E.g. {@code hasNativeAllocatedBytesAtMost("1MiB")}; fails if native allocations were not counted. */
    public KernelMetricsAssert hasNativeAllocatedBytesAtMost(String size) {
        long limit = ByteSizes.parseBytes(size);
        long measured = requireNative().allocatedBytes();
        if (measured > limit) {
            failWithMemoryContext("Expected at most %s of native allocation but the test allocated %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    /** E.g. {@code hasNativeBytesOutstandingAtMost("64KiB")}; the failure lists the largest outstanding blocks. */
    public KernelMetricsAssert hasNativeBytesOutstandingAtMost(String size) {
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
    public KernelMetricsAssert hasNoNativeLeaks() {
        NativeAllocationMetrics allocations = requireNative();
        if (allocations.outstandingBytes() > 0) {
            failWithOutstandingBlocks(String.format("Expected no native memory outstanding but the test left %s allocated",
                    Limit.Unit.BYTES.format(allocations.outstandingBytes())), allocations);
        }
        return this;
    }

    /** E.g. {@code hasAtMostPageFaults(100)}: minor and major together. */
    public KernelMetricsAssert hasAtMostPageFaults(long limit) {
        isNotNull();
        long measured = actual.memory().pageFaults();
        if (measured > limit) {
            failWithMemoryContext("Expected at most %d page faults but the test took %d (%d major)", limit, measured,
                    actual.memory().majorFaults());
        }
        return this;
    }

    /** E.g. {@code hasAddressSpaceGrowthAtMost("64MiB")}: bytes mapped minus bytes unmapped. */
    public KernelMetricsAssert hasAddressSpaceGrowthAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        long measured = actual.memory().addressSpaceGrowthBytes();
        if (measured > limit) {
            failWithMemoryContext("Expected the address space to grow by at most %s but it grew by %s",
                    Limit.Unit.BYTES.format(limit), Limit.Unit.BYTES.format(measured));
        }
        return this;
    }

    private void requireHeap() {
        isNotNull();
        if (!actual.memory().heap().supported()) {
            failWithMessage("Heap allocation was not measured: %s", MemorySummary.HEAP_UNSUPPORTED);
        }
    }

    private NativeAllocationMetrics requireNative() {
        isNotNull();
        NativeAllocationMetrics allocations = actual.memory().nativeAllocations();
        if (!allocations.counted()) {
            failWithMessage("Native allocations cannot be checked: %s", MemorySummary.NATIVE_NOT_COUNTED);
        }
        return allocations;
    }

    private AbstractLongAssert<?> measuredInMemory(String what, long value) {
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        // Lazy for the same reason as measured().
        return Assertions.assertThat(value)
                .as(() -> prefix + what + " (memory: " + MemorySummary.describe(actual.memory())
                        + "; top system calls: " + TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES) + ")");
    }

    private void failWithOutstandingBlocks(String message, NativeAllocationMetrics allocations) {
        StringBuilder text = new StringBuilder(message);
        for (String line : MemorySummary.outstandingBlocks(allocations)) {
            text.append(System.lineSeparator()).append("  ").append(line);
        }
        failWithMemoryContext("%s", text);
    }

    private void failWithMemoryContext(String message, Object... arguments) {
        failWithMessage("%s%nTop system calls: %s%nMemory: %s", String.format(message, arguments),
                TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES), MemorySummary.describe(actual.memory()));
    }

    private AbstractLongAssert<?> measured(String what, long value) {
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        // Built only when the assertion fails: a passing assertion inside a traced test must not
        // load classes or format text that the kernel would count as the test's work.
        return Assertions.assertThat(value)
                .as(() -> prefix + what + " (top system calls: " + TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES) + ")");
    }

    private AbstractLongAssert<?> measuredByScheduler(String what, long value) {
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        // Lazy for the same reason as measured().
        return Assertions.assertThat(value)
                .as(() -> prefix + what + " (scheduler: " + SchedulerSummary.describe(actual.scheduler())
                        + "; top system calls: " + TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES) + ")");
    }

    private void failWithSchedulerContext(String message, Object... arguments) {
        failWithMessage("%s%nTop system calls: %s%nScheduler: %s", String.format(message, arguments),
                TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES), SchedulerSummary.describe(actual.scheduler()));
    }

    private void failWithContext(String message, Object... arguments) {
        // failWithMessage formats with String.format: keep the system call list out of the format string.
        failWithMessage("%s%nTop system calls: %s", String.format(message, arguments),
                TopSyscalls.describe(actual, TopSyscalls.IN_MESSAGES));
    }

    private static void requirePercentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside (0, 100]; use e.g. 99 or 99.9");
        }
    }
}
