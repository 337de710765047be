package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;

/**
 * Every metric's key is its path in the JSON report, with the same value there: code that compares
 * metrics by key (baselines) and readers of the reports see the same figures under the same names.
 */
class MetricKeysTest {

    private static final TracedTest TEST = new TracedTest("com.example.AppendLogTest", "append", "append()",
            "[engine:junit-jupiter]/[class:com.example.AppendLogTest]/[method:append()]", "AppendLogTest.append()", false);

    /** Every family with figures: CANNED's system calls, SCHEDULED's scheduler, MEMORY's memory (native counted), two probes. */
    private static final KernelMetrics ALL_FAMILIES = KernelMetrics.builder()
            .syscalls(FakeTracingBackend.CANNED.syscalls().values(), 0, 3)
            .scheduler(FakeTracingBackend.SCHEDULED.scheduler())
            .memory(FakeTracingBackend.MEMORY.memory())
            .probes(probes())
            .build();

    /** A timed probe that saw two calls, and a tracepoint with hits only. */
    private static io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics probes() {
        org.HdrHistogram.Histogram latency = io.github.kerneltrace.probes.metrics.LatencyHistograms.create();
        latency.recordValue(2_000_000);
        latency.recordValue(3_000_000);
        return new io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics(List.of(
                new io.github.kerneltrace.probes.metrics.ProbeMetrics("deflate", "uprobe deflate in /lib/libz.so.1", false, 2, latency),
                new io.github.kerneltrace.probes.metrics.ProbeMetrics("forks", "tracepoint sched:sched_process_fork", false, 3, null)));
    }

    @Test
    void everyMetricIsInTheJsonReportUnderItsKey() {
        Map<String, Object> report = JsonTree.parse(JsonReport.render(
                new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1, ALL_FAMILIES, List.of())));
        List<Metric> metrics = ALL_FAMILIES.list();

        assertThat(metrics).extracting(Metric::key)
                .doesNotHaveDuplicates()
                .contains("totals.syscalls", "syscalls.write.count", "syscalls.openat.errorsByErrno.ENOENT",
                        "syscalls.fsync.latencyNanos.p99", "scheduler.voluntarySwitches", "scheduler.runQueueLatencyNanos.p99",
                        "memory.heap.allocatedBytes", "memory.native.calls.malloc", "memory.native.outstandingBytes",
                        "memory.pageFaults.minor", "memory.addressSpace.growthBytes",
                        "probes.deflate.hits", "probes.deflate.latencyNanos.p99", "probes.forks.hits")
                .doesNotContain("probes.forks.latencyNanos.count");
        for (Metric metric : metrics) {
            assertThat(JsonTree.at(report, metric.key())).as(metric.key()).isEqualTo(metric.value());
        }
    }

    @Test
    void aRealReportHasEveryMetricOfItsTestUnderItsKey(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();
        Traced.finalMetrics = null;

        Fixtures.run(Traced.class, Map.of("kerneltrace.reportDir", reports.toString(), "kerneltrace.require", "true"));

        KernelMetrics metrics = Traced.finalMetrics;
        assertThat(metrics).as("the fixture ran traced and kept its final metrics").isNotNull();
        Map<String, Object> report = JsonTree.parse(Files.readString(reports.resolve(Traced.class.getName() + ".writesAndAllocates.json")));
        List<Metric> listed = metrics.list();
        assertThat(listed).extracting(Metric::key)
                .contains("syscalls.write.count", "scheduler.onCpuNanos", "memory.native.allocations", "memory.heap.allocatedBytes");
        for (Metric metric : listed) {
            assertThat(JsonTree.at(report, metric.key())).as(metric.key()).isEqualTo(metric.value());
        }
    }

    /** A traced test with figures in every family: writes, runs, allocates natively and on the heap. */
    @Tag("fixture")
    static class Traced {

        static volatile KernelMetrics finalMetrics;

        @Test
        @KernelTrace(nativeAllocations = true)
        void writesAndAllocates() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                devNull.write(new byte[64]);
            }
            java.nio.ByteBuffer.allocateDirect(4096); // a native allocation (malloc) and heap objects
        }

        @AfterEach
        void keep(KernelTraceSession session) {
            finalMetrics = session.metrics();
        }
    }

    @Test
    void figuresNobodyMeasuredAreNotMetrics() {
        KernelMetrics nativeNotCounted = FakeTracingBackend.CANNED; // MemoryMetrics.NONE: native not counted
        assertThat(nativeNotCounted.list()).extracting(Metric::key)
                .noneMatch(key -> key.startsWith("memory.native."))
                .contains("memory.heap.allocatedBytes", "memory.pageFaults.major");
    }

    @Test
    void unitsSayWhatIsCounted() {
        Map<String, Metric.Unit> units = new LinkedHashMap<>();
        ALL_FAMILIES.list().forEach(metric -> units.put(metric.key(), metric.unit()));
        assertThat(units).containsEntry("syscalls.write.count", Metric.Unit.CALLS)
                .containsEntry("syscalls.write.bytes", Metric.Unit.BYTES)
                .containsEntry("syscalls.write.latencyNanos.p99", Metric.Unit.NANOSECONDS)
                .containsEntry("syscalls.write.latencyNanos.count", Metric.Unit.COUNT)
                .containsEntry("scheduler.migrations", Metric.Unit.COUNT)
                .containsEntry("memory.native.sizeBytes.max", Metric.Unit.BYTES);
    }
}
