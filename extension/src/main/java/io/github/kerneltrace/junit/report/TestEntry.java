package io.github.kerneltrace.junit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One traced test invocation as its per-test JSON report tells it ({@code docs/report-schema.md}):
 * what every run report is made of.
 *
 * @param file         the report file, as given to the reader (tells shards apart)
 * @param metrics      every metric of the report by key ({@code totals.syscalls},
 *                     {@code syscalls.write.count}, {@code scheduler.runQueueLatencyNanos.p99} …)
 * @param syscalls     count per system call, most frequent first
 * @param histograms   each histogram summary ({@code count}, {@code min}, {@code p50} … {@code max})
 *                     by the key of the histogram, e.g. {@code syscalls.write.latencyNanos}
 * @param limits       the limits as the report lists them
 * @param baseline     the report's {@code baseline} block (empty when absent)
 * @param testFailure  what the test method itself threw (first line), or null
 * @param callSites    the report's {@code callSites} block: the Java call sites of its breached or
 *                     regressed figures and how they changed against the baseline (empty when absent)
 * @param flameGraphs  the report's {@code flameGraphs} entries ({@code profile}, {@code file} beside
 *                     the report, {@code title} …); empty when the test drew none
 * @param families     the report's {@code jvm} and {@code probes} blocks as they are, where present
 *                     (each figure with its scope, or why it was not counted)
 */
record TestEntry(String file, String className, String methodName, String displayName, String uniqueId,
                 long durationNanos, Map<String, Long> metrics, Map<String, Long> syscalls,
                 Map<String, Map<String, Object>> histograms, List<Map<String, Object>> limits,
                 Map<String, Object> baseline, String testFailure, List<Map<String, Object>> flameGraphs,
                 Map<String, Object> callSites, Map<String, Object> families) {

    /** The families whose integer members are metrics (the schema's "Metric keys"). */
    private static final List<String> METRIC_ROOTS = List.of("totals", "syscalls", "scheduler", "memory", "jvm", "probes");
    /** The families whose whole block the HTML report shows as it is (figures with their scope or why not counted). */
    private static final List<String> SHOWN_AS_BLOCKS = List.of("jvm", "probes");

    static TestEntry of(String file, Map<String, Object> report) {
        Map<String, Object> test = object(report, "test", file);
        Map<String, Long> metrics = new LinkedHashMap<>();
        Map<String, Map<String, Object>> histograms = new LinkedHashMap<>();
        for (String root : METRIC_ROOTS) {
            if (report.get(root) instanceof Map<?, ?> family) {
                walk(root, family, metrics, histograms);
            }
        }
        Map<String, Long> syscalls = new LinkedHashMap<>();
        if (report.get("syscalls") instanceof Map<?, ?> calls) {
            calls.forEach((name, call) -> {
                if (call instanceof Map<?, ?> members && members.get("count") instanceof Long count) {
                    syscalls.put((String) name, count);
                }
            });
        }
        List<Map<String, Object>> limits = new ArrayList<>();
        if (report.get("limits") instanceof List<?> declared) {
            for (Object limit : declared) {
                limits.add(asObject(limit, "limits[]", file));
            }
        }
        List<Map<String, Object>> flameGraphs = new ArrayList<>();
        if (report.get("flameGraphs") instanceof List<?> drawn) {
            for (Object graph : drawn) {
                flameGraphs.add(asObject(graph, "flameGraphs[]", file));
            }
        }
        Map<String, Object> baseline = report.get("baseline") instanceof Map<?, ?> block
                ? asObject(block, "baseline", file) : Map.of();
        Map<String, Object> families = new LinkedHashMap<>();
        for (String family : SHOWN_AS_BLOCKS) {
            if (report.get(family) instanceof Map<?, ?> block) {
                families.put(family, asObject(block, family, file));
            }
        }
        return new TestEntry(file, text(test, "className", file), text(test, "methodName", file),
                text(test, "displayName", file), text(test, "uniqueId", file),
                report.get("durationNanos") instanceof Long nanos ? nanos : 0, metrics, syscalls, histograms,
                limits, baseline, report.get("testFailure") instanceof String failure ? failure : null, flameGraphs,
                report.get("callSites") instanceof Map<?, ?> sites ? asObject(sites, "callSites", file) : Map.of(), families);
    }

    /** Integer leaves are metrics; an object with percentiles is also a histogram summary. */
    private static void walk(String path, Map<?, ?> node, Map<String, Long> metrics,
                             Map<String, Map<String, Object>> histograms) {
        if (node.containsKey("p50") && node.containsKey("max") && node.containsKey("count")) {
            histograms.put(path, asObject(node, path, ""));
        }
        node.forEach((name, value) -> {
            String key = path + "." + name;
            if (value instanceof Long number) {
                metrics.put(key, number);
            } else if (value instanceof Map<?, ?> child) {
                walk(key, child, metrics, histograms);
            }
        });
    }

    /** The limits this test breached. */
    List<Map<String, Object>> breaches() {
        return limits.stream().filter(limit -> Boolean.TRUE.equals(limit.get("breached"))).toList();
    }

    /** {@code regressed}, {@code new}, … or {@code off} ({@code BaselineVerdict.Status}, lower case). */
    String baselineStatus() {
        return baseline.get("status") instanceof String status ? status : "off";
    }

    /**
     * {@code failed} when a limit was breached, a metric regressed, or the test method itself
     * failed (its own assertion, an exception), else {@code passed}.
     */
    String status() {
        return !breaches().isEmpty() || baselineStatus().equals("regressed") || testFailure != null ? "failed" : "passed";
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> changes(String kind) {
        return baseline.get(kind) instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    /** The metrics of {@code keys} this report has, in that order (summary.json's and the HTML's columns). */
    Map<String, Long> metricsAmong(List<String> keys) {
        Map<String, Long> among = new LinkedHashMap<>();
        keys.stream().filter(metrics::containsKey).forEach(key -> among.put(key, metrics.get(key)));
        return among;
    }

    /**
     * Where {@code metric} came from, in a line: its grown or new call site against the baseline
     * when there is one ({@code grown 1 → 100: SegmentLog.flushWriteBuffer(…) ← …}), else its
     * largest site with its share; empty when the report has no sites for it (or none in Java code).
     */
    Optional<String> topCallSite(String metric) {
        if (!(callSites.get("metrics") instanceof List<?> metrics)) {
            return Optional.empty();
        }
        for (Object entry : metrics) {
            if (entry instanceof Map<?, ?> sites && metric.equals(sites.get("metric"))) {
                if (sites.get("changes") instanceof List<?> changes) {
                    for (Object change : changes) {
                        if (change instanceof Map<?, ?> c && ("grown".equals(c.get("kind")) || "new".equals(c.get("kind")))) {
                            return Optional.of(c.get("kind") + " " + c.get("baseline") + " → " + c.get("measured") + ": " + c.get("site"));
                        }
                    }
                }
                if (sites.get("sites") instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> top) {
                    return Optional.of(top.get("weight") + " of " + sites.get("measured") + " " + sites.get("what") + ": " + top.get("site"));
                }
            }
        }
        return Optional.empty();
    }

    long metric(String key) {
        return metrics.getOrDefault(key, 0L);
    }

    /**
     * E.g. {@code AppendLogTest.append [2] 64}: the class name without its package (a nested class
     * with its enclosing ones, {@code Outer.Inner}) and the invocation.
     */
    String shortName() {
        String simple = className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
        String invocation = displayName.startsWith(methodName + "(") ? "" : " " + displayName;
        return simple + "." + methodName + invocation;
    }

    private static Map<String, Object> object(Map<String, Object> parent, String name, String file) {
        return asObject(parent.get(name), name, file);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value, String name, String file) {
        if (value instanceof Map<?, ?> object) {
            return (Map<String, Object>) object;
        }
        throw new IllegalArgumentException(file + ": member \"" + name + "\" is not a JSON object");
    }

    private static String text(Map<String, Object> object, String name, String file) {
        if (object.get(name) instanceof String string) {
            return string;
        }
        throw new IllegalArgumentException(file + ": member \"test." + name + "\" is missing or not a string");
    }
}
