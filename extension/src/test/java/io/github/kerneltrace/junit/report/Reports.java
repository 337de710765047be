package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-test reports as the extension writes them (schema 5), with only what the run reports read,
 * for tests that need many of them, or ones that regressed, without running that many tests.
 */
final class Reports {

    private final Map<String, Object> report = new LinkedHashMap<>();
    private final Map<String, Object> syscalls = new LinkedHashMap<>();
    private final List<Object> limits = new ArrayList<>();
    private final Map<String, Object> baseline = new LinkedHashMap<>();
    private final List<Object> regressions = new ArrayList<>();
    private final List<Object> improvements = new ArrayList<>();
    private final List<Object> flameGraphs = new ArrayList<>();
    private final String className;
    private final String methodName;
    private long total;
    private long written;

    private Reports(String className, String methodName) {
        this.className = className;
        this.methodName = methodName;
        baseline.put("status", "passed");
    }

    static Reports test(String className, String methodName) {
        return new Reports(className, methodName);
    }

    Reports calls(String name, long count) {
        syscalls.put(name, Map.of("count", count, "errors", 0L, "bytes", name.equals("write") ? count : 0L,
                "latencyNanos", histogram(count)));
        total += count;
        written += name.equals("write") ? count : 0;
        return this;
    }

    Reports limit(String declaration, long limit, long measured) {
        limits.add(Map.of("metric", "syscalls.total", "declaration", declaration, "unit", "calls", "limit", limit,
                "measured", measured, "breached", measured > limit));
        return this;
    }

    Reports regressed(String metric, long before, long measured) {
        baseline.put("status", "regressed");
        regressions.add(change(metric, before, measured));
        return this;
    }

    Reports improved(String metric, long before, long measured) {
        if (regressions.isEmpty()) {
            baseline.put("status", "improved");
        }
        improvements.add(change(metric, before, measured));
        return this;
    }

    /** A flame graph page {@code <class>.<method>.flame-<profile>.html} listed (the page itself is not written). */
    Reports flameGraph(String profile) {
        flameGraphs.add(Map.of("profile", profile, "file", className + "." + methodName + ".flame-" + profile + ".html",
                "title", methodName + "(): " + profile, "events", 3L, "weight", 3L, "unit", "events", "coverage", ""));
        return this;
    }

    Reports baseline(String status) {
        baseline.put("status", status);
        return this;
    }

    /** Written as {@code <class>.<method>.json} into {@code directory}. */
    Path writeTo(Path directory) throws IOException {
        report.put("schemaVersion", 5L);
        report.put("test", Map.of("className", className, "methodName", methodName, "displayName", methodName + "()",
                "uniqueId", "[engine:junit-jupiter]/[class:" + className + "]/[method:" + methodName + "()]"));
        report.put("scope", "TEST");
        report.put("durationNanos", 1000L);
        report.put("totals", Map.of("syscalls", total, "errors", 0L, "bytesRead", 0L, "bytesWritten", written));
        report.put("syscalls", syscalls);
        report.put("scheduler", Map.of("onCpuNanos", 5000L, "offCpuNanos", 100L, "runQueueLatencyNanos", histogram(2)));
        report.put("memory", Map.of("heap", Map.of("allocatedBytes", 4096L, "supported", true)));
        report.put("limits", limits);
        baseline.put("file", "src/test/kerneltrace/" + className + ".baseline");
        baseline.put("regressions", regressions);
        baseline.put("improvements", improvements);
        baseline.put("notes", List.of());
        report.put("baseline", baseline);
        report.put("flameGraphs", flameGraphs);
        Files.createDirectories(directory);
        Path file = directory.resolve(className + "." + methodName + ".json");
        Files.writeString(file, Json.write(report));
        return file;
    }

    private static Map<String, Object> change(String metric, long before, long measured) {
        return Map.of("metric", metric, "baseline", before, "measured", measured, "rule", "exact",
                "text", metric + ": " + before + " → " + measured + " (" + (measured > before ? "+" : "")
                        + (measured - before) + ", exact)");
    }

    private static Map<String, Object> histogram(long count) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", count);
        summary.put("min", 100L);
        summary.put("p50", 200L);
        summary.put("p90", 900L);
        summary.put("p99", 5000L);
        summary.put("p999", 5000L);
        summary.put("max", 5000L);
        summary.put("mean", 400.0);
        return summary;
    }
}
