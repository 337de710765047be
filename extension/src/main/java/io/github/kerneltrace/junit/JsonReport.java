package io.github.kerneltrace.junit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** The JSON report of one traced test; its schema is documented in {@code docs/report-schema.md}. */
final class JsonReport {

    /** 2 added {@code scheduler}, scheduler limits and the limit unit {@code count}; see the schema's history. */
    static final int SCHEMA_VERSION = 2;

    private JsonReport() {
    }

    /**
     * {@code <class>.<method>.json}; invocations of a parameterized or repeated test add a short
     * hash of their unique id, e.g. {@code com.example.AppendLogTest.append-3f9a12c4.json}.
     */
    static String fileName(TracedTest test) {
        String base = test.className() + "." + test.methodName();
        if (test.repeated()) {
            base += "-" + shortHash(test.uniqueId());
        }
        return base.replaceAll("[^A-Za-z0-9._$-]", "_") + ".json";
    }

    static String render(TraceOutcome outcome) {
        KernelMetrics metrics = outcome.metrics();
        JsonWriter json = new JsonWriter().beginObject();
        json.member("schemaVersion", SCHEMA_VERSION);
        json.name("test").beginObject()
                .member("className", outcome.test().className())
                .member("methodName", outcome.test().methodName())
                .member("displayName", outcome.test().displayName())
                .member("uniqueId", outcome.test().uniqueId())
                .endObject();
        json.member("scope", outcome.scope().name());
        json.member("kernel", outcome.kernel());
        json.member("startedAt", outcome.startedAt().toString());
        json.member("durationNanos", outcome.durationNanos());
        json.name("totals").beginObject()
                .member("syscalls", metrics.totalSyscalls())
                .member("errors", metrics.totalErrors())
                .member("bytesRead", metrics.bytesRead())
                .member("bytesWritten", metrics.bytesWritten())
                .endObject();
        json.name("syscalls").beginObject();
        for (SyscallMetrics syscall : metrics.syscalls().values()) {
            writeSyscall(json.name(syscall.name()), syscall);
        }
        json.endObject();
        writeScheduler(json.name("scheduler"), metrics.scheduler());
        json.name("limits").beginArray();
        for (LimitResult result : outcome.limits()) {
            json.beginObject()
                    .member("metric", result.limit().metric())
                    .member("declaration", result.limit().declaration())
                    .member("unit", result.limit().unit().jsonName())
                    .member("limit", result.limit().limit())
                    .member("measured", result.measured())
                    .member("breached", result.breached())
                    .endObject();
        }
        json.endArray();
        KernelMetrics.Diagnostics diagnostics = metrics.diagnostics();
        json.name("diagnostics").beginObject()
                .member("followedChildren", diagnostics.followedChildren())
                .member("unmatchedExits", diagnostics.unmatchedExits())
                .member("restartedCalls", diagnostics.restartedCalls())
                .member("droppedLatencies", diagnostics.droppedLatencies())
                .member("droppedErrors", diagnostics.droppedErrors())
                .member("lostChildren", diagnostics.lostChildren())
                .member("lostSamples", diagnostics.lostSamples())
                .endObject();
        return json.endObject().toString();
    }

    private static void writeSyscall(JsonWriter json, SyscallMetrics syscall) {
        json.beginObject()
                .member("count", syscall.count())
                .member("errors", syscall.errors());
        json.name("errorsByErrno").beginObject();
        for (Map.Entry<String, Long> errno : syscall.errorsByErrno().entrySet()) {
            json.member(errno.getKey(), errno.getValue());
        }
        json.endObject();
        json.member("bytes", syscall.bytes());
        writeHistogram(json.name("latencyNanos"), syscall.latencyNanos());
        json.endObject();
    }

    private static void writeScheduler(JsonWriter json, SchedulerMetrics scheduler) {
        json.beginObject()
                .member("voluntarySwitches", scheduler.voluntarySwitches())
                .member("involuntarySwitches", scheduler.involuntarySwitches())
                .member("migrations", scheduler.migrations())
                .member("wakeups", scheduler.wakeups())
                .member("onCpuNanos", scheduler.onCpuNanos())
                .member("runQueueNanos", scheduler.runQueueNanos())
                .member("offCpuNanos", scheduler.offCpuNanos());
        writeHistogram(json.name("runQueueLatencyNanos"), scheduler.runQueueLatencyNanos());
        writeHistogram(json.name("offCpuTimeNanos"), scheduler.offCpuTimeNanos());
        json.endObject();
    }

    /** The same summary for every histogram of nanoseconds; all zero when nothing was recorded. */
    private static void writeHistogram(JsonWriter json, Histogram nanos) {
        boolean empty = nanos.getTotalCount() == 0;
        json.beginObject()
                .member("count", nanos.getTotalCount())
                .member("min", empty ? 0 : nanos.getMinValue())
                .member("p50", nanos.getValueAtPercentile(50))
                .member("p90", nanos.getValueAtPercentile(90))
                .member("p99", nanos.getValueAtPercentile(99))
                .member("p999", nanos.getValueAtPercentile(99.9))
                .member("max", empty ? 0 : nanos.getMaxValue())
                .member("mean", empty ? 0.0 : nanos.getMean())
                .endObject();
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return String.format("%08x", new BigInteger(1, digest).shiftRight(digest.length * 8 - 32).longValue());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
