package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Assertions on a test's {@link KernelMetrics}, and the way to each family's:
 * <pre>
 * assertThat(metrics).syscall("write").hasCount(1);
 * assertThat(metrics).syscalls().hasNoErrors();
 * assertThat(metrics).scheduler().hasAtMostVoluntarySwitches(3);
 * assertThat(metrics).memory().hasNoNativeLeaks();
 * </pre>
 * A description given with {@code as(...)} carries over to the family's assertions, and so do
 * soft assertions ({@link KernelTraceSoftAssertions}). Every failure message ends with the test's
 * most frequent system calls, which usually show what changed; a failed assertion on the
 * scheduler's metrics also shows what the scheduler did, one on memory the test's memory figures.
 * The methods on this class itself (e.g. {@link #hasSyscallCount}) are the same assertions,
 * without the navigation.
 */
public class KernelMetricsAssert extends FamilyAssert<KernelMetricsAssert> {

    protected KernelMetricsAssert(KernelMetrics actual) {
        super(actual, KernelMetricsAssert.class, SyscallFamily.FAMILY);
    }

    /**
     * Assertions on one system call, e.g. {@code syscall("write")}.
     *
     * @throws IllegalArgumentException if this machine's kernel has no system call of that name
     */
    public SyscallAssert syscall(String name) {
        isNotNull();
        actual.syscall(name); // an unknown name fails here, not at the first check
        SyscallAssert call = navigate(SyscallAssert.class, SyscallAssert::new);
        call.name = name;
        return call;
    }

    /** Assertions on all system calls together: totals, errors, bytes. */
    public SyscallsAssert syscalls() {
        return navigate(SyscallsAssert.class, SyscallsAssert::new);
    }

    /** Assertions on the scheduler: switches, migrations, on-CPU, run-queue and off-CPU time. */
    public SchedulerAssert scheduler() {
        return navigate(SchedulerAssert.class, SchedulerAssert::new);
    }

    /** Assertions on memory: heap and native allocation, page faults, address space. */
    public MemoryAssert memory() {
        return navigate(MemoryAssert.class, MemoryAssert::new);
    }

    /** Assertions on JVM events: GC pauses, safepoints, parks, sleeps, JIT compilations, loaded classes. */
    public JvmAssert jvm() {
        return navigate(JvmAssert.class, JvmAssert::new);
    }

    /**
     * Assertions on one probe the test declared, by its name, e.g. {@code probe("deflate")}.
     *
     * @throws IllegalArgumentException at the first check, if no probe of that name was declared
     */
    public ProbeAssert probe(String name) {
        ProbeAssert probe = navigate(ProbeAssert.class, ProbeAssert::new);
        probe.name = name;
        return probe;
    }

    // System calls.

    /** Calls of one system call, e.g. {@code syscallCount("write")}, described as "write calls"; {@code syscall(name).count()}. */
    public AbstractLongAssert<?> syscallCount(String syscall) {
        return syscall(syscall).count();
    }

    /** All system calls together; {@code syscalls().total()}. */
    public AbstractLongAssert<?> totalSyscalls() {
        return syscalls().total();
    }

    /** Failed calls of one system call; {@code syscall(name).errors()}. */
    public AbstractLongAssert<?> syscallErrors(String syscall) {
        return syscall(syscall).errors();
    }

    /** Bytes written by the write and send families; {@code syscalls().bytesWritten()}. */
    public AbstractLongAssert<?> bytesWritten() {
        return syscalls().bytesWritten();
    }

    /** Bytes read by the read and recv families; {@code syscalls().bytesRead()}. */
    public AbstractLongAssert<?> bytesRead() {
        return syscalls().bytesRead();
    }

    /** A latency percentile of one system call in nanoseconds, e.g. {@code syscallLatency("fsync", 99)}; 0 if never called. */
    public AbstractLongAssert<?> syscallLatency(String syscall, double percentile) {
        return syscall(syscall).latency(percentile);
    }

    public KernelMetricsAssert hasSyscallCount(String syscall, long expected) {
        syscall(syscall).hasCount(expected);
        return this;
    }

    public KernelMetricsAssert hasAtMostSyscalls(String syscall, long limit) {
        syscall(syscall).hasAtMostCalls(limit);
        return this;
    }

    public KernelMetricsAssert doesNotCall(String syscall) {
        syscall(syscall).isNotCalled();
        return this;
    }

    public KernelMetricsAssert hasNoSyscallErrors() {
        syscalls().hasNoErrors();
        return this;
    }

    /** E.g. {@code hasSyscallLatencyAtMost("fsync", 99, "2ms")}. */
    public KernelMetricsAssert hasSyscallLatencyAtMost(String syscall, double percentile, String duration) {
        syscall(syscall).hasLatencyAtMost(percentile, duration);
        return this;
    }

    /** E.g. {@code hasBytesWrittenAtMost("64KiB")}. */
    public KernelMetricsAssert hasBytesWrittenAtMost(String size) {
        syscalls().hasBytesWrittenAtMost(size);
        return this;
    }

    /** E.g. {@code hasBytesReadAtMost("1MiB")}. */
    public KernelMetricsAssert hasBytesReadAtMost(String size) {
        syscalls().hasBytesReadAtMost(size);
        return this;
    }

    // The scheduler: the same as scheduler().<method>.

    /** Times the test's threads were switched out while blocking (sleep, lock, I/O). */
    public AbstractLongAssert<?> voluntarySwitches() {
        return scheduler().voluntarySwitches();
    }

    /** Times the test's threads were switched out while still runnable (preempted, or yielded). */
    public AbstractLongAssert<?> involuntarySwitches() {
        return scheduler().involuntarySwitches();
    }

    /** Voluntary and involuntary switches together. */
    public AbstractLongAssert<?> contextSwitches() {
        return scheduler().contextSwitches();
    }

    /** Moves of the test's threads to another CPU. */
    public AbstractLongAssert<?> migrations() {
        return scheduler().migrations();
    }

    /** Time the test's threads ran on a CPU, in nanoseconds. */
    public AbstractLongAssert<?> onCpuNanos() {
        return scheduler().onCpuNanos();
    }

    /** Time the test's threads were blocked, in nanoseconds (the run-queue wait after each wake-up not included). */
    public AbstractLongAssert<?> offCpuNanos() {
        return scheduler().offCpuNanos();
    }

    /** A percentile of the test's run-queue waits in nanoseconds, e.g. {@code runQueueLatency(99)}. */
    public AbstractLongAssert<?> runQueueLatency(double percentile) {
        return scheduler().runQueueLatency(percentile);
    }

    /** E.g. {@code hasAtMostVoluntarySwitches(3)}: the test blocked at most 3 times. */
    public KernelMetricsAssert hasAtMostVoluntarySwitches(long limit) {
        scheduler().hasAtMostVoluntarySwitches(limit);
        return this;
    }

    /** The test never blocked: no voluntary context switch. */
    public KernelMetricsAssert doesNotBlock() {
        scheduler().doesNotBlock();
        return this;
    }

    /** E.g. {@code hasRunQueueLatencyAtMost(99, "5ms")}. */
    public KernelMetricsAssert hasRunQueueLatencyAtMost(double percentile, String duration) {
        scheduler().hasRunQueueLatencyAtMost(percentile, duration);
        return this;
    }

    // Memory: the same as memory().<method>.

    /** Java heap bytes allocated by the test's threads; fails at once on a JVM that cannot count them. */
    public AbstractLongAssert<?> heapAllocatedBytes() {
        return memory().heapAllocatedBytes();
    }

    /** Successful native allocations; fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocations() {
        return memory().nativeAllocations();
    }

    /** Native bytes asked for by those allocations; fails at once if not counted. */
    public AbstractLongAssert<?> nativeAllocatedBytes() {
        return memory().nativeAllocatedBytes();
    }

    /** Native bytes allocated by the test and not released by the end of the measurement; fails at once if not counted. */
    public AbstractLongAssert<?> nativeBytesOutstanding() {
        return memory().nativeBytesOutstanding();
    }

    /** Minor and major page faults together. */
    public AbstractLongAssert<?> pageFaults() {
        return memory().pageFaults();
    }

    /** Page faults served without I/O, e.g. a first touch of fresh anonymous memory. */
    public AbstractLongAssert<?> minorFaults() {
        return memory().minorFaults();
    }

    /** Page faults that waited for the disk. */
    public AbstractLongAssert<?> majorFaults() {
        return memory().majorFaults();
    }

    /** Bytes mapped minus bytes unmapped by the test's threads; negative when the address space shrank. */
    public AbstractLongAssert<?> addressSpaceGrowthBytes() {
        return memory().addressSpaceGrowthBytes();
    }

    /** E.g. {@code hasHeapAllocationAtMost("10MiB")}; fails on a JVM that cannot count heap allocation. */
    public KernelMetricsAssert hasHeapAllocationAtMost(String size) {
        memory().hasHeapAllocationAtMost(size);
        return this;
    }

    /** E.g. {@code hasAtMostNativeAllocations(10)}; fails if native allocations were not counted. */
    public KernelMetricsAssert hasAtMostNativeAllocations(long limit) {
        memory().hasAtMostNativeAllocations(limit);
        return this;
    }

    /** E.g. {@code hasNativeAllocatedBytesAtMost("1MiB")}; fails if native allocations were not counted. */
    public KernelMetricsAssert hasNativeAllocatedBytesAtMost(String size) {
        memory().hasNativeAllocatedBytesAtMost(size);
        return this;
    }

    /** E.g. {@code hasNativeBytesOutstandingAtMost("64KiB")}; the failure lists the largest outstanding blocks. */
    public KernelMetricsAssert hasNativeBytesOutstandingAtMost(String size) {
        memory().hasNativeBytesOutstandingAtMost(size);
        return this;
    }

    /** Every native block the test allocated was released by the end of the measurement. */
    public KernelMetricsAssert hasNoNativeLeaks() {
        memory().hasNoNativeLeaks();
        return this;
    }

    /** E.g. {@code hasAtMostPageFaults(100)}: minor and major together. */
    public KernelMetricsAssert hasAtMostPageFaults(long limit) {
        memory().hasAtMostPageFaults(limit);
        return this;
    }

    /** E.g. {@code hasAddressSpaceGrowthAtMost("64MiB")}: bytes mapped minus bytes unmapped. */
    public KernelMetricsAssert hasAddressSpaceGrowthAtMost(String size) {
        memory().hasAddressSpaceGrowthAtMost(size);
        return this;
    }
}
