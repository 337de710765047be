package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.LatencyHistograms;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** A stand-in for the kernel: either cannot trace, or "measures" fixed metrics. */
final class FakeTracingBackend implements TracingBackend {

    /** write 3 (3 B), openat 2 (1 ENOENT), fsync 1 taking 4.1ms, lseek 1. */
    static final KernelMetrics CANNED = new KernelMetrics(List.of(
            new SyscallMetrics("write", 3, 0, Map.of(), 3, latencies(900, 1000, 1100)),
            new SyscallMetrics("openat", 2, 1, Map.of("ENOENT", 1L), 0, latencies(2000, 3000)),
            new SyscallMetrics("fsync", 1, 0, Map.of(), 0, latencies(4_100_000)),
            new SyscallMetrics("lseek", 1, 0, Map.of(), 0, latencies(300))),
            0, 3, KernelMetrics.Diagnostics.NONE);

    /**
     * CANNED's system calls, and a test that blocked 10 times for 2.04ms each (20.4ms off-CPU),
     * was preempted twice, migrated once, ran 3.1ms and waited in a run queue 12 times:
     * 11 × 4us and once 45us.
     */
    static final KernelMetrics SCHEDULED = new KernelMetrics(CANNED.syscalls().values(), 0, 3,
            KernelMetrics.Diagnostics.NONE, new SchedulerMetrics(10, 2, 1, 10, 3_100_000, 11 * 4_000 + 45_000, 20_400_000,
                    latencies(4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 4_000, 45_000),
                    latencies(2_040_000, 2_040_000, 2_040_000, 2_040_000, 2_040_000,
                            2_040_000, 2_040_000, 2_040_000, 2_040_000, 2_040_000)));

    /**
     * CANNED's system calls, and memory: 20,000,320 heap bytes by 2 threads (1 more ended uncounted);
     * 6 native allocations (malloc 4096, 3 × 1000 freed again, 48; calloc 100) of which 3 blocks,
     * 4244 bytes, are outstanding; 2011 minor and 1 major page faults; 8 MiB + 4 KiB mapped, 4 KiB unmapped.
     */
    static final KernelMetrics MEMORY = new KernelMetrics(CANNED.syscalls().values(), 0, 3,
            KernelMetrics.Diagnostics.NONE, SchedulerMetrics.NONE, new MemoryMetrics(
                    new HeapAllocation(20_000_320, 2, 1, true),
                    new NativeAllocationMetrics(true, new long[] {5, 1, 0, 3, 0, 0}, 6, 7244, 3, 3000, 0, 0,
                            latencies(4096, 1000, 1000, 1000, 48, 100), List.of(
                            new OutstandingAllocation(0x7f0000001000L, 4096, NativeFunction.MALLOC, 4242, "main"),
                            new OutstandingAllocation(0x7f0000002000L, 100, NativeFunction.CALLOC, 4250, ""),
                            new OutstandingAllocation(0x7f0000003000L, 48, NativeFunction.MALLOC, 4242, "main"))),
                    2011, 1, (8 << 20) + 4096, 4096));

    private final String unavailableReason;
    private final KernelMetrics metrics;
    final AtomicInteger opened = new AtomicInteger();
    /** Runs opened with native allocations counted. */
    final AtomicInteger openedCountingNative = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    private FakeTracingBackend(String unavailableReason, KernelMetrics metrics) {
        this.unavailableReason = unavailableReason;
        this.metrics = metrics;
    }

    static FakeTracingBackend unavailable(String reason) {
        return new FakeTracingBackend(reason, null);
    }

    static FakeTracingBackend measuring(KernelMetrics metrics) {
        return new FakeTracingBackend(null, metrics);
    }

    static Histogram latencies(long... nanos) {
        Histogram histogram = LatencyHistograms.create();
        for (long value : nanos) {
            histogram.recordValue(value);
        }
        return histogram;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailableReason);
    }

    @Override
    public String kernelDescription() {
        return "fake kernel";
    }

    @Override
    public TraceRun open(CountingPlan plan) {
        opened.incrementAndGet();
        boolean nativeAllocations = plan.nativeAllocations();
        if (nativeAllocations) {
            openedCountingNative.incrementAndGet();
        }
        // Like the kernel, native allocations are counted only for a test that asks.
        KernelMetrics measured = nativeAllocations ? metrics : withoutNativeAllocations(metrics);
        return measuring(measured, closed::incrementAndGet);
    }

    /** A run that starts and stops at once and measured {@code measured}; {@code onClose} runs when it is closed. */
    static TraceRun measuring(KernelMetrics measured, Runnable onClose) {
        return new TraceRun() {
            @Override
            public void start() {
            }

            @Override
            public void stop() {
            }

            @Override
            public KernelMetrics metrics() {
                return measured;
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }

    private static KernelMetrics withoutNativeAllocations(KernelMetrics metrics) {
        MemoryMetrics memory = metrics.memory();
        return new KernelMetrics(metrics.syscalls().values(), metrics.bytesRead(), metrics.bytesWritten(),
                metrics.diagnostics(), metrics.scheduler(), new MemoryMetrics(memory.heap(),
                NativeAllocationMetrics.NOT_COUNTED, memory.minorFaults(), memory.majorFaults(), memory.mappedBytes(),
                memory.unmappedBytes()));
    }

    /** Detection says yes, but loading the programs fails. */
    static final class Refusing extends Traceable {

        @Override
        public TraceRun open(CountingPlan plan) {
            throw new io.github.kerneltrace.probes.TracingUnavailableException("the kernel refused the programs");
        }
    }

    /** Traces, but cannot attach the allocator uprobes: a test that asks for native allocations cannot run. */
    static final class RefusingNativeAllocations extends Traceable {

        private final FakeTracingBackend tracing = measuring(MEMORY);

        @Override
        public TraceRun open(CountingPlan plan) {
            if (plan.nativeAllocations()) {
                throw new io.github.kerneltrace.probes.TracingUnavailableException(
                        "native allocations cannot be counted: no C library allocator found in this process");
            }
            return tracing.open(plan);
        }
    }

    /**
     * Traces system calls, but the kernel refused the scheduler programs alone (as
     * {@code TraceSlot.require} reports it): a test that needs them cannot run, the others can.
     */
    static final class RefusingScheduler extends Traceable {

        static final String REASON = "the kernel refused the scheduler programs (tp_btf: tp_btf_sched_switch: EACCES);"
                + " the scheduler metrics cannot be measured here, while the other families' can";
        final java.util.List<CountingPlan> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final FakeTracingBackend tracing = measuring(CANNED);

        @Override
        public TraceRun open(CountingPlan plan) {
            opened.add(plan);
            if (plan.needsScheduler()) {
                throw new io.github.kerneltrace.probes.TracingUnavailableException(REASON);
            }
            return tracing.open(plan);
        }
    }

    /**
     * Traces, but the programs do not see the test's thread: counting refuses to start (the
     * canary), as it does on the real kernel for a thread registered under ids the kernel never compares.
     */
    static final class NotSeeingTheThread extends Traceable {

        static final String REASON = "the BPF programs do not see this test's thread (id 7 here, registered as"
                + " kernel thread 4711), so nothing it does would be counted";
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public TraceRun open(CountingPlan plan) {
            return new TraceRun() {
                @Override
                public void start() {
                    throw new io.github.kerneltrace.probes.TracingUnavailableException(REASON);
                }

                @Override
                public void stop() {
                }

                @Override
                public KernelMetrics metrics() {
                    throw new AssertionError("never counted, never read");
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        }
    }

    /** A stand-in whose detection says tracing can run here; what opening a run does is the subclass's. */
    abstract static class Traceable implements TracingBackend {

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }

        @Override
        public String kernelDescription() {
            return "fake kernel";
        }
    }
}
