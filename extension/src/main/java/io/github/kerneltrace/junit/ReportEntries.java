package io.github.kerneltrace.junit;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * The metrics published as JUnit report entries: totals, the ten most frequent system calls,
 * the scheduler's counts and times, and memory.
 */
final class ReportEntries {

    static final int LISTED_SYSCALLS = 10;

    private ReportEntries() {
    }

    static Map<String, String> of(TraceOutcome outcome) {
        KernelMetrics metrics = outcome.metrics();
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("kerneltrace.scope", outcome.scope().name());
        entries.put("kerneltrace.syscalls.total", Long.toString(metrics.totalSyscalls()));
        entries.put("kerneltrace.syscalls.errors", Long.toString(metrics.totalErrors()));
        entries.put("kerneltrace.bytes.written", Long.toString(metrics.bytesWritten()));
        entries.put("kerneltrace.bytes.read", Long.toString(metrics.bytesRead()));
        for (SyscallMetrics syscall : metrics.topSyscalls(LISTED_SYSCALLS)) {
            String prefix = "kerneltrace.syscalls." + syscall.name();
            entries.put(prefix + ".count", Long.toString(syscall.count()));
            if (syscall.errors() > 0) {
                entries.put(prefix + ".errors", Long.toString(syscall.errors()));
            }
            entries.put(prefix + ".p99Nanos", Long.toString(syscall.latencyNanos().getValueAtPercentile(99)));
        }
        SchedulerMetrics scheduler = metrics.scheduler();
        entries.put("kerneltrace.scheduler.voluntarySwitches", Long.toString(scheduler.voluntarySwitches()));
        entries.put("kerneltrace.scheduler.involuntarySwitches", Long.toString(scheduler.involuntarySwitches()));
        entries.put("kerneltrace.scheduler.migrations", Long.toString(scheduler.migrations()));
        entries.put("kerneltrace.scheduler.onCpuNanos", Long.toString(scheduler.onCpuNanos()));
        entries.put("kerneltrace.scheduler.offCpuNanos", Long.toString(scheduler.offCpuNanos()));
        entries.put("kerneltrace.scheduler.runQueueP99Nanos",
                Long.toString(scheduler.runQueueLatencyNanos().getValueAtPercentile(99)));
        putMemory(entries, metrics.memory());
        entries.put("kerneltrace.limits.breached", Long.toString(outcome.breaches().size()));
        return entries;
    }

    /** Heap only where the JVM counts it, native figures only where counted: no entry claims a 0 nobody measured. */
    private static void putMemory(Map<String, String> entries, MemoryMetrics memory) {
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
}
