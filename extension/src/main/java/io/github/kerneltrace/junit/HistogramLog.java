package io.github.kerneltrace.junit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * A traced test's histograms as an HdrHistogram log ({@code .hlog}, beside its JSON report), for
 * HdrHistogram's own tools ({@code HistogramLogReader}, HistogramLogProcessor, the plotters): the
 * whole distribution, where the JSON keeps six percentiles. One interval per non-empty histogram,
 * all spanning the test's counting time, each tagged with its metric key.
 */
final class HistogramLog {

    private HistogramLog() {
    }

    /** The histograms written, by tag (metric key): per-syscall latency, run queue, off-CPU, native allocation sizes, JVM event times. */
    static Map<String, Histogram> histograms(KernelMetrics metrics) {
        Map<String, Histogram> byKey = new LinkedHashMap<>();
        for (SyscallMetrics call : metrics.syscalls().values()) {
            byKey.put("syscalls." + call.name() + ".latencyNanos", call.latencyNanos());
        }
        byKey.put("scheduler.runQueueLatencyNanos", metrics.scheduler().runQueueLatencyNanos());
        byKey.put("scheduler.offCpuTimeNanos", metrics.scheduler().offCpuTimeNanos());
        if (metrics.memory().nativeAllocations().counted()) {
            byKey.put("memory.native.sizeBytes", metrics.memory().nativeAllocations().sizeBytes());
        }
        if (metrics.jvm().counted()) {
            byKey.put("jvm.gc.pauseNanos", metrics.jvm().gcPauseNanos());
            byKey.put("jvm.safepoints.nanos", metrics.jvm().safepointNanos());
            byKey.put("jvm.parks.nanos", metrics.jvm().parkNanos());
            byKey.put("jvm.sleeps.nanos", metrics.jvm().sleepNanos());
        }
        byKey.values().removeIf(histogram -> histogram.getTotalCount() == 0);
        return byKey;
    }

    static String render(TraceOutcome outcome) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        HistogramLogWriter log = new HistogramLogWriter(out);
        long startMillis = outcome.startedAt().toEpochMilli();
        double seconds = outcome.durationNanos() / 1e9;
        log.outputComment("KernelTrace " + outcome.test().uniqueId());
        log.outputLogFormatVersion();
        log.outputStartTime(startMillis);
        log.setBaseTime(startMillis);
        log.outputLegend();
        for (Map.Entry<String, Histogram> entry : histograms(outcome.metrics()).entrySet()) {
            Histogram tagged = entry.getValue().copy(); // the outcome's histograms are shared: tag a copy
            tagged.setTag(entry.getKey());
            log.outputIntervalHistogram(0, seconds, tagged, 1.0); // values in their own unit (ns, bytes)
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
