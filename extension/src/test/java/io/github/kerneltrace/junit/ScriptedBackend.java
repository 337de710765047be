package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * A stand-in whose runs measure, one run after another, the metrics a test queued: repetitions
 * that differ, as they do on a real machine.
 */
final class ScriptedBackend extends FakeTracingBackend.Traceable {

    private final Queue<KernelMetrics> next = new ConcurrentLinkedQueue<>();
    final AtomicInteger opened = new AtomicInteger();

    /** Replaces what the next runs measure. */
    void script(List<KernelMetrics> runs) {
        next.clear();
        next.addAll(runs);
    }

    /** A run that made {@code writes} one-byte writes and one clock_nanosleep taking {@code sleepNanos}. */
    static KernelMetrics writesAndSleep(long writes, long sleepNanos) {
        return new KernelMetrics(List.of(
                new SyscallMetrics("write", writes, 0, Map.of(), writes, FakeTracingBackend.latencies(1000)),
                new SyscallMetrics("clock_nanosleep", 1, 0, Map.of(), 0, FakeTracingBackend.latencies(sleepNanos))),
                0, writes, KernelMetrics.Diagnostics.NONE);
    }

    @Override
    public TraceRun open(CountingPlan plan) {
        opened.incrementAndGet();
        KernelMetrics measured = next.poll();
        if (measured == null) {
            throw new AssertionError("more runs than the test scripted");
        }
        return FakeTracingBackend.measuring(measured, () -> { });
    }
}
