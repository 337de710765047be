package io.github.kerneltrace.junit;

import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.HandOffs;
import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;
import io.github.kerneltrace.probes.metrics.OutstandingAllocation;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/** The JSON report of one traced test; its schema is documented in {@code docs/report-schema.md}. */
final class JsonReport {

    /**
     * 2 added {@code scheduler}, scheduler limits and the limit unit {@code count}; 3 added {@code memory},
     * memory limits, and limits that fail because they could not be measured; 4 added
     * {@code diagnostics.handOffs}; see the schema's history.
     */
    static final int SCHEMA_VERSION = 4;

    private JsonReport() {
    }

    /**
     * {@code <class>.<method>.json}; invocations of a parameterized or repeated test add their
     * invocation numbers from JUnit's unique id, e.g. {@code com.example.AppendLogTest.append-3.json}
     * (or {@code -2-3} for the third invocation in the second of an enclosing template's). Unique
     * per invocation; names that still meet (overloaded methods) are told apart by {@link ReportFiles}.
     */
    static String fileName(TracedTest test) {
        String base = test.className() + "." + test.methodName();
        if (test.repeated()) {
            base += "-" + invocationNumbers(test.uniqueId());
        }
        return base.replaceAll("[^A-Za-z0-9._$-]", "_") + ".json";
    }

    private static final Pattern INVOCATION = Pattern.compile("-invocation:#(\\d+)\\]");

    /** The invocation numbers in a unique id, outermost first, joined by '-'. */
    private static String invocationNumbers(String uniqueId) {
        StringJoiner numbers = new StringJoiner("-");
        Matcher invocation = INVOCATION.matcher(uniqueId);
        while (invocation.find()) {
            numbers.add(invocation.group(1));
        }
        return numbers.length() > 0 ? numbers.toString() : Integer.toHexString(uniqueId.hashCode());
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
        writeMemory(json.name("memory"), metrics.memory());
        json.name("limits").beginArray();
        for (LimitResult result : outcome.limits()) {
            json.beginObject()
                    .member("metric", result.limit().metric())
                    .member("declaration", result.limit().declaration())
                    .member("unit", result.limit().unit().jsonName())
                    .member("limit", result.limit().limit())
                    .member("measured", result.measured())
                    .member("breached", result.breached());
            if (!result.measuredAtAll()) {
                json.member("notMeasured", result.notMeasured());
            }
            json.endObject();
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
                .member("lostSamples", diagnostics.lostSamples());
        HandOffs handOffs = diagnostics.handOffs();
        json.name("handOffs").beginObject()
                .member("borrowedThreads", handOffs.borrowedThreads())
                .member("borrowedWakeUps", handOffs.borrowedWakeUps());
        writeNames(json.name("borrowedNames"), handOffs.borrowedNames());
        json.member("uncountedThreads", handOffs.uncountedThreads());
        writeNames(json.name("uncountedNames"), handOffs.uncountedNames());
        json.member("foreignWakers", handOffs.foreignWakers());
        writeNames(json.name("foreignNames"), handOffs.foreignNames());
        json.member("sharedWithConcurrentTests", handOffs.sharedWithConcurrentTests());
        json.endObject().endObject();
        return json.endObject().toString();
    }

    private static void writeNames(JsonWriter json, java.util.List<String> names) {
        json.beginArray();
        names.forEach(json::value);
        json.endArray();
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

    private static void writeMemory(JsonWriter json, MemoryMetrics memory) {
        HeapAllocation heap = memory.heap();
        json.beginObject();
        json.name("heap").beginObject()
                .member("allocatedBytes", heap.bytes())
                .member("threadsCounted", heap.threadsCounted())
                .member("threadsNotCounted", heap.threadsNotCounted())
                .member("supported", heap.supported())
                .endObject();
        NativeAllocationMetrics allocations = memory.nativeAllocations();
        if (allocations.counted()) {
            writeNative(json.name("native"), allocations);
        } else {
            json.name("native").nullValue(); // not zeros: nobody counted them
        }
        json.name("pageFaults").beginObject()
                .member("minor", memory.minorFaults())
                .member("major", memory.majorFaults())
                .endObject();
        json.name("addressSpace").beginObject()
                .member("mappedBytes", memory.mappedBytes())
                .member("unmappedBytes", memory.unmappedBytes())
                .member("growthBytes", memory.addressSpaceGrowthBytes())
                .endObject();
        json.endObject();
    }

    private static void writeNative(JsonWriter json, NativeAllocationMetrics allocations) {
        json.beginObject();
        json.name("calls").beginObject();
        for (Map.Entry<NativeFunction, Long> calls : allocations.callsByFunction().entrySet()) {
            json.member(calls.getKey().symbol(), calls.getValue());
        }
        json.endObject();
        json.member("allocations", allocations.allocations())
                .member("allocatedBytes", allocations.allocatedBytes())
                .member("frees", allocations.frees())
                .member("freedBytes", allocations.freedBytes())
                .member("outstandingAllocations", allocations.outstandingAllocations())
                .member("outstandingBytes", allocations.outstandingBytes())
                .member("failedAllocations", allocations.failedAllocations())
                .member("lostAllocations", allocations.lostAllocations());
        writeHistogram(json.name("sizeBytes"), allocations.sizeBytes());
        json.name("largestOutstanding").beginArray();
        for (OutstandingAllocation block : allocations.largestOutstanding()) {
            json.beginObject()
                    .member("address", "0x" + Long.toHexString(block.address()))
                    .member("bytes", block.bytes())
                    .member("function", block.function().symbol())
                    .member("tid", block.tid())
                    .member("thread", block.threadName())
                    .endObject();
        }
        json.endArray();
        json.endObject();
    }

    /**
     * The same summary for every histogram (of nanoseconds, or of allocation sizes in bytes); all
     * zero when nothing was recorded.
     */
    private static void writeHistogram(JsonWriter json, Histogram values) {
        boolean empty = values.getTotalCount() == 0;
        json.beginObject()
                .member("count", values.getTotalCount())
                .member("min", empty ? 0 : values.getMinValue())
                .member("p50", values.getValueAtPercentile(50))
                .member("p90", values.getValueAtPercentile(90))
                .member("p99", values.getValueAtPercentile(99))
                .member("p999", values.getValueAtPercentile(99.9))
                .member("max", empty ? 0 : values.getMaxValue())
                .member("mean", empty ? 0.0 : values.getMean())
                .endObject();
    }

}
