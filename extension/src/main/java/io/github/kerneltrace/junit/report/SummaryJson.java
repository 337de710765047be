package io.github.kerneltrace.junit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code summary.json}: the run's totals and one entry per test; documented in {@code docs/reports.md}. */
final class SummaryJson {

    /** 1: the first version. Adding members is not a version change (as for the per-test reports). */
    static final int SCHEMA_VERSION = 1;

    /** The metrics every test entry carries (when its report has them), in this order. */
    static final List<String> HEADLINE = List.of("totals.syscalls", "totals.errors", "totals.bytesWritten",
            "totals.bytesRead", "scheduler.onCpuNanos", "scheduler.offCpuNanos", "scheduler.runQueueNanos",
            "scheduler.voluntarySwitches", "scheduler.involuntarySwitches", "memory.heap.allocatedBytes",
            "memory.native.allocations", "memory.pageFaults.minor", "memory.pageFaults.major");

    private SummaryJson() {
    }

    static String render(RunReport run) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("totals", run.totalsByName());
        List<Object> tests = new ArrayList<>();
        for (TestEntry test : run.tests()) {
            tests.add(entry(test));
        }
        root.put("tests", tests);
        List<Object> notTraced = new ArrayList<>();
        for (RunReport.NotTraced test : run.notTraced()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("uniqueId", test.uniqueId());
            entry.put("displayName", test.displayName());
            entry.put("reason", test.reason());
            notTraced.add(entry);
        }
        root.put("notTraced", notTraced);
        List<Object> duplicates = new ArrayList<>();
        for (List<TestEntry> group : run.duplicates()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("uniqueId", group.get(0).uniqueId());
            entry.put("files", group.stream().map(TestEntry::file).toList());
            duplicates.add(entry);
        }
        root.put("duplicates", duplicates);
        root.put("unreadable", run.problems());
        return Json.write(root);
    }

    private static Map<String, Object> entry(TestEntry test) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("className", test.className());
        entry.put("methodName", test.methodName());
        entry.put("displayName", test.displayName());
        entry.put("uniqueId", test.uniqueId());
        entry.put("file", test.file());
        entry.put("status", test.status());
        entry.put("durationNanos", test.durationNanos());
        entry.put("metrics", test.metricsAmong(HEADLINE));
        entry.put("testFailure", test.testFailure());
        entry.put("limitsBreached", test.breaches());
        Map<String, Object> baseline = new LinkedHashMap<>();
        baseline.put("status", test.baselineStatus());
        baseline.put("regressions", test.changes("regressions"));
        baseline.put("improvements", test.changes("improvements"));
        entry.put("baseline", baseline);
        return entry;
    }
}
