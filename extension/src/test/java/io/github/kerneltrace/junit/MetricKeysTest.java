package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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

    /** Every family with figures: CANNED's system calls, SCHEDULED's scheduler, MEMORY's memory (native counted). */
    private static final KernelMetrics ALL_FAMILIES = KernelMetrics.builder()
            .syscalls(FakeTracingBackend.CANNED.syscalls().values(), 0, 3)
            .scheduler(FakeTracingBackend.SCHEDULED.scheduler())
            .memory(FakeTracingBackend.MEMORY.memory())
            .build();

    @Test
    void everyMetricIsInTheJsonReportUnderItsKey() {
        Map<String, Object> report = Json.parse(JsonReport.render(
                new TraceOutcome(TEST, Scope.TEST, "fake", Instant.EPOCH, 1, ALL_FAMILIES, List.of())));
        List<Metric> metrics = ALL_FAMILIES.list();

        assertThat(metrics).extracting(Metric::key)
                .doesNotHaveDuplicates()
                .contains("totals.syscalls", "syscalls.write.count", "syscalls.openat.errorsByErrno.ENOENT",
                        "syscalls.fsync.latencyNanos.p99", "scheduler.voluntarySwitches", "scheduler.runQueueLatencyNanos.p99",
                        "memory.heap.allocatedBytes", "memory.native.calls.malloc", "memory.native.outstandingBytes",
                        "memory.pageFaults.minor", "memory.addressSpace.growthBytes");
        for (Metric metric : metrics) {
            assertThat(Json.at(report, metric.key())).as(metric.key()).isEqualTo(metric.value());
        }
    }

    @Test
    void aRealReportHasEveryMetricOfItsTestUnderItsKey(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();
        Traced.finalMetrics = null;

        Fixtures.run(Traced.class, Map.of("kerneltrace.reportDir", reports.toString(), "kerneltrace.require", "true"));

        KernelMetrics metrics = Traced.finalMetrics;
        assertThat(metrics).as("the fixture ran traced and kept its final metrics").isNotNull();
        Map<String, Object> report = Json.parse(Files.readString(reports.resolve(Traced.class.getName() + ".writesAndAllocates.json")));
        List<Metric> listed = metrics.list();
        assertThat(listed).extracting(Metric::key)
                .contains("syscalls.write.count", "scheduler.onCpuNanos", "memory.native.allocations", "memory.heap.allocatedBytes");
        for (Metric metric : listed) {
            assertThat(Json.at(report, metric.key())).as(metric.key()).isEqualTo(metric.value());
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

    /** Just enough JSON reading for this test: objects, arrays, strings, numbers, true, false, null. */
    static final class Json {

        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> parse(String text) {
            return (Map<String, Object>) new Json(text).value();
        }

        /** The value at a dot-separated path; fails naming the path when it is not there. */
        @SuppressWarnings("unchecked")
        static Object at(Map<String, Object> root, String path) {
            Object node = root;
            for (String name : path.split("\\.")) {
                assertThat(node).as(path).isInstanceOf(Map.class);
                Map<String, Object> object = (Map<String, Object>) node;
                assertThat(object).as(path).containsKey(name);
                node = object.get(name);
            }
            return node;
        }

        private Object value() {
            skipSpace();
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> object = new LinkedHashMap<>();
                at++;
                skipSpace();
                if (text.charAt(at) == '}') {
                    at++;
                    return object;
                }
                do {
                    skipSpace();
                    String name = (String) value();
                    skipSpace();
                    expect(':');
                    object.put(name, value());
                    skipSpace();
                } while (text.charAt(at++) == ',');
                return object;
            }
            if (c == '[') {
                List<Object> array = new ArrayList<>();
                at++;
                skipSpace();
                if (text.charAt(at) == ']') {
                    at++;
                    return array;
                }
                do {
                    array.add(value());
                    skipSpace();
                } while (text.charAt(at++) == ',');
                return array;
            }
            if (c == '"') {
                StringBuilder string = new StringBuilder();
                at++;
                while (text.charAt(at) != '"') {
                    char next = text.charAt(at++);
                    if (next == '\\') {
                        char escaped = text.charAt(at++);
                        string.append(escaped == 'u' ? (char) Integer.parseInt(text.substring(at, at += 4), 16)
                                : escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
                    } else {
                        string.append(next);
                    }
                }
                at++;
                return string.toString();
            }
            int start = at;
            while (at < text.length() && "{}[],: \n\t\r".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            String word = text.substring(start, at);
            return switch (word) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                default -> word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
            };
        }

        private void expect(char c) {
            if (text.charAt(at++) != c) {
                throw new IllegalStateException("expected '" + c + "' at " + (at - 1) + " in " + text);
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
