package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.LatencyHistograms;
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

    private final String unavailableReason;
    private final KernelMetrics metrics;
    final AtomicInteger opened = new AtomicInteger();
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
    public TraceRun open(Scope scope, boolean latency) {
        opened.incrementAndGet();
        return new TraceRun() {
            @Override
            public void start() {
            }

            @Override
            public void stop() {
            }

            @Override
            public KernelMetrics metrics() {
                return metrics;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }

    /** Detection says yes, but loading the programs fails. */
    static final class Refusing implements TracingBackend {

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }

        @Override
        public String kernelDescription() {
            return "fake kernel";
        }

        @Override
        public TraceRun open(Scope scope, boolean latency) {
            throw new io.github.kerneltrace.probes.TracingUnavailableException("the kernel refused the programs");
        }
    }
}
