package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** The per-test summary line and the top-system-calls context, from fixed metrics. */
class MessagesTest {

    private static final TracedTest TEST = new TracedTest("com.example.AppendLogTest", "append", "append()",
            "[engine:junit-jupiter]/[class:com.example.AppendLogTest]/[method:append()]", "AppendLogTest.append()", false);

    @Test
    void summaryLineShowsTotalsTopCallsBytesAndLatency() {
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1,
                FakeTracingBackend.CANNED, List.of());

        assertThat(SummaryLine.of(outcome)).isEqualTo("[kerneltrace] AppendLogTest.append() scope=TEST: 7 syscalls"
                + " (write 3, openat 2, fsync 1, lseek 1), 3 B written, 0 B read, p99 latency 4.11ms");
    }

    @Test
    void summaryLineEndsWithTheBaselineVerdictAndEveryRegression() {
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1,
                FakeTracingBackend.CANNED, List.of());
        BaselineVerdict.Change write = new BaselineVerdict.Change("syscalls.write.count", 2, 3, "exact",
                "syscalls.write.count: 2 → 3 (+1, exact)");
        BaselineVerdict.Change fsync = new BaselineVerdict.Change("syscalls.fsync.count", 0, 1, "exact",
                "syscalls.fsync.count: 0 → 1 (+1, exact)");

        assertThat(SummaryLine.of(outcome.withBaseline(new BaselineVerdict(BaselineVerdict.Status.PASSED, "f",
                List.of(), List.of(), List.of())))).endsWith("p99 latency 4.11ms, baseline passed");
        assertThat(SummaryLine.of(outcome.withBaseline(new BaselineVerdict(BaselineVerdict.Status.REGRESSED, "f",
                List.of(write, fsync), List.of(), List.of())))).endsWith("p99 latency 4.11ms, baseline regressed:"
                        + " syscalls.write.count: 2 → 3 (+1, exact); syscalls.fsync.count: 0 → 1 (+1, exact)");
        assertThat(SummaryLine.of(outcome)).as("baselines off: nothing said").endsWith("p99 latency 4.11ms");
    }

    @Test
    void summaryLineAddsTheSchedulerWhenItSawTheTest() {
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1,
                FakeTracingBackend.SCHEDULED, List.of());

        assertThat(SummaryLine.of(outcome)).isEqualTo("[kerneltrace] AppendLogTest.append() scope=TEST: 7 syscalls"
                + " (write 3, openat 2, fsync 1, lseek 1), 3 B written, 0 B read, p99 latency 4.11ms,"
                + " 12 switches (10 voluntary), on-CPU 3.1ms");
    }

    @Test
    void summaryLineAddsMemoryWhenItWasMeasuredAndSaysWhichThreadsWereNotCounted() {
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1,
                FakeTracingBackend.MEMORY, List.of());

        assertThat(SummaryLine.of(outcome)).isEqualTo("[kerneltrace] AppendLogTest.append() scope=TEST: 7 syscalls"
                + " (write 3, openat 2, fsync 1, lseek 1), 3 B written, 0 B read, p99 latency 4.11ms,"
                + " heap 19.1 MiB (1 thread the test started ended before the test did and was not counted),"
                + " native 6 allocations (4.1 KiB outstanding), 2012 page faults (1 major), mapped 8.0 MiB, unmapped 4.0 KiB");
    }

    @Test
    void memorySummaryLeavesOutWhatWasNotCounted() {
        MemoryMetrics heapOnly = new MemoryMetrics(new HeapAllocation(1536, 1, 0, true), NativeAllocationMetrics.NOT_COUNTED,
                1, 0, 0, 4096);

        assertThat(MemoryFamily.brief(heapOnly)).isEqualTo("heap 1.5 KiB, 1 page fault (0 major), mapped 0 B, unmapped 4.0 KiB");
        assertThat(MemoryFamily.describe(heapOnly)).isEqualTo("heap 1.5 KiB (1 thread), native allocations not counted,"
                + " 1 minor + 0 major page faults, mapped 0 B, unmapped 4.0 KiB");
        MemoryMetrics unsupported = new MemoryMetrics(HeapAllocation.UNSUPPORTED, NativeAllocationMetrics.NOT_COUNTED, 0, 0, 0, 0);
        assertThat(MemoryFamily.brief(unsupported)).startsWith("heap not counted (unsupported by this JVM), 0 page faults");
        assertThat(MemoryFamily.observed(unsupported)).as("an unsupported heap is worth saying").isTrue();
        assertThat(MemoryFamily.observed(MemoryMetrics.NONE)).isFalse();
    }

    @Test
    void outstandingBlocksAreListedLargestFirstWithFunctionAndThreadAndWhatWasNotShown() {
        List<OutstandingAllocation> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(new OutstandingAllocation(0x1000L * (i + 1), 64 - i, NativeFunction.POSIX_MEMALIGN, 7, "worker-1"));
        }
        NativeAllocationMetrics twelve = new NativeAllocationMetrics(true, new long[6], 12, 700, 0, 0, 0, 2,
                FakeTracingBackend.latencies(64), ten);

        assertThat(MemoryFamily.outstandingBlocks(twelve))
                .hasSize(13)
                .startsWith("12 blocks outstanding, largest first:", "  64 B from posix_memalign at 0x1000 on thread 7 (worker-1)")
                .endsWith("  and 2 more", "2 blocks were not tracked (the kernel's table of live blocks was full):"
                        + " their release was not seen, so they count as outstanding");
        assertThat(MemoryFamily.outstandingBlocks(NativeAllocationMetrics.NOT_COUNTED)).isEmpty();
    }

    @Test
    void aLimitThatWasNotMeasuredSaysWhy() {
        Limit heap = new Limit(MemoryFamily.FAMILY, "memory.heap.allocatedBytes", "heap allocated", 1024, Limit.Unit.BYTES,
                "@MaxHeapAllocation(\"1KiB\")", metrics -> metrics.memory().heapAllocatedBytes(), MemoryLimitContext.HEAP);
        KernelMetrics unsupported = new KernelMetrics(List.of(), 0, 0, KernelMetrics.Diagnostics.NONE, SchedulerMetrics.NONE,
                new MemoryMetrics(HeapAllocation.UNSUPPORTED, NativeAllocationMetrics.NOT_COUNTED, 0, 0, 0, 0));

        LimitResult result = heap.check(unsupported);
        assertThat(result.breached()).isTrue();
        assertThat(result.describe()).isEqualTo("heap allocated: limit 1.0 KiB (1024 B), not measured: "
                + MemoryFamily.HEAP_UNSUPPORTED + "  (@MaxHeapAllocation(\"1KiB\"))");
        assertThat(heap.check(FakeTracingBackend.CANNED).breached()).as("0 heap bytes, measured").isFalse();
    }

    @Test
    void addressSpaceThatShrankIsShownNegative() {
        assertThat(Limit.Unit.BYTES.format(-8L << 20)).isEqualTo("-8.0 MiB (-8388608 B)");
        assertThat(Limit.Unit.BYTES.format(-100)).isEqualTo("-100 B");
    }

    @Test
    void schedulerSummaryCountsInTheSingular() {
        SchedulerMetrics once = new SchedulerMetrics(1, 0, 1, 1, 250_000, 3_000, 1_060_000,
                FakeTracingBackend.latencies(3_000), FakeTracingBackend.latencies(1_060_000));

        assertThat(SchedulerFamily.brief(once)).isEqualTo("1 switch (1 voluntary), on-CPU 250us");
        assertThat(SchedulerFamily.describe(once)).isEqualTo("1 voluntary + 0 involuntary switches, 1 migration,"
                + " on-CPU 250us, run-queue p99 3.01us (1 wait), off-CPU 1.06ms");
        assertThat(SchedulerFamily.describe(SchedulerMetrics.NONE)).isEqualTo("0 voluntary + 0 involuntary switches,"
                + " 0 migrations, on-CPU 0ns, run-queue p99 0ns (0 waits), off-CPU 0ns");
        assertThat(SchedulerFamily.observed(SchedulerMetrics.NONE)).isFalse();
        assertThat(SchedulerFamily.observed(once)).isTrue();
    }

    @Test
    void schedulerCountsAreShownAsPlainNumbersInBreaches() {
        assertThat(Limit.Unit.COUNT.format(12)).isEqualTo("12");
        assertThat(Limit.Unit.COUNT.jsonName()).isEqualTo("count");
    }

    @Test
    void summaryLineAbbreviatesLongListsAndCountsBreaches() {
        List<SyscallMetrics> many = List.of("read", "write", "close", "openat", "fstat", "lseek").stream()
                .map(name -> new SyscallMetrics(name, 1, 0, Map.of(), 0, FakeTracingBackend.latencies(1000)))
                .toList();
        KernelMetrics metrics = new KernelMetrics(many, 4096, 0, KernelMetrics.Diagnostics.NONE);
        Limit limit = new Limit(SyscallFamily.FAMILY, "totals.syscalls", "system calls", 1, Limit.Unit.CALLS, "@MaxSyscalls(1)", KernelMetrics::totalSyscalls);
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.THREAD, "fake", Instant.EPOCH, 1, metrics,
                List.of(limit.check(metrics)));

        assertThat(SummaryLine.of(outcome))
                .contains("scope=THREAD: 6 syscalls (")
                .contains(", ...), 0 B written, 4.0 KiB read, p99 latency 1us, 1 limit exceeded");
    }

    @Test
    void summaryOfATestThatCalledNothing() {
        KernelMetrics nothing = new KernelMetrics(List.of(), 0, 0, KernelMetrics.Diagnostics.NONE);
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1, nothing, List.of());

        assertThat(SummaryLine.of(outcome)).isEqualTo("[kerneltrace] AppendLogTest.append() scope=TEST: 0 syscalls, 0 B written, 0 B read");
        assertThat(SyscallFamily.topCalls(nothing, 5)).isEqualTo("none");
    }

    @Test
    void summaryWarnsWhenKernelMapsWereFull() {
        KernelMetrics.Diagnostics losses = new KernelMetrics.Diagnostics(3, 0, 0, 12, 0, 2);
        KernelMetrics metrics = new KernelMetrics(List.of(), 0, 0, losses);
        TraceOutcome outcome = new TraceOutcome(TEST, Scope.TEST, "kernel", Instant.EPOCH, 1, metrics, List.of());

        assertThat(SummaryLine.of(outcome)).endsWith(", incomplete: 12 latency samples and 0 errno counts dropped,"
                + " 2 child threads/processes not followed (kernel maps full: too many traced tests or threads at once)");
    }

    @Test
    void topSyscallsSaysHowManyMoreThereAre() {
        assertThat(SyscallFamily.topCalls(FakeTracingBackend.CANNED, 2))
                .isEqualTo("write 3 (3 B), openat 2 (1 error: ENOENT 1) and 2 more");
    }

    @Test
    void breachesShowBytesExactlyAboveOneKibibyte() {
        assertThat(Limit.Unit.BYTES.format(70_000)).isEqualTo("68.4 KiB (70000 B)");
        assertThat(Limit.Unit.BYTES.format(1_000)).isEqualTo("1000 B");
    }

    @Test
    void jsonFileNamesAreSafeAndDistinctForRepeatedInvocations() {
        TracedTest first = new TracedTest("com.example.A", "m", "[1] a/b",
                "[engine:junit-jupiter]/[class:com.example.A]/[test-template:m()]/[test-template-invocation:#1]", "A.m() [1]", true);
        TracedTest second = new TracedTest("com.example.A", "m", "[2] a/b",
                "[engine:junit-jupiter]/[class:com.example.A]/[test-template:m()]/[test-template-invocation:#7930]", "A.m() [2]", true);
        TracedTest nested = new TracedTest("com.example.A", "m", "[3] a/b",
                "[engine:junit-jupiter]/[class-template:com.example.A]/[class-template-invocation:#2]/[test-template:m()]"
                        + "/[test-template-invocation:#3]", "A.m() [3]", true);

        assertThat(JsonReport.fileName(TEST)).isEqualTo("com.example.AppendLogTest.append.json");
        assertThat(JsonReport.fileName(first)).isEqualTo("com.example.A.m-1.json");
        assertThat(JsonReport.fileName(second)).isEqualTo("com.example.A.m-7930.json");
        assertThat(JsonReport.fileName(nested)).isEqualTo("com.example.A.m-2-3.json");
    }
}
