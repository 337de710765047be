package io.github.kerneltrace.junit.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the end of a run prints: a table of traced tests (failures first, capped so that a suite of
 * 2,000 tests does not scroll the build log away), every regression as
 * {@code metric: baseline → measured (Δ, rule)}, and one summary line.
 */
final class ConsoleSummary {

    /** Table rows; the rest are in index.html. Failures come first, so they are never the ones left out. */
    static final int MAX_ROWS = 40;
    static final int TOP_CALLS = 4;

    private ConsoleSummary() {
    }

    /**
     * The table, regressions and breaches of the tests {@code shown} (by unique id: the tests of
     * the plan that just ran, or all), then the summary line of the whole report.
     */
    static String render(RunReport run, Path reportDirectory, Predicate<String> shown) {
        StringBuilder out = new StringBuilder();
        out.append("[kerneltrace] Run report (").append(reportDirectory.resolve(RunReport.INDEX_HTML)).append(")\n");
        List<TestEntry> tests = run.tests().stream().filter(test -> shown.test(test.uniqueId())).toList();
        if (!tests.isEmpty()) {
            String[] header = {"TEST", "VERDICT", "SYSCALLS", "TOP CALLS", "WRITTEN", "READ", "HEAP"};
            List<String[]> rows = new ArrayList<>();
            for (TestEntry test : tests.subList(0, Math.min(MAX_ROWS, tests.size()))) {
                rows.add(new String[] {test.shortName(), verdict(test), String.valueOf(test.metric("totals.syscalls")),
                    topCalls(test), bytes(test.metric("totals.bytesWritten")), bytes(test.metric("totals.bytesRead")),
                    test.metrics().containsKey("memory.heap.allocatedBytes")
                            ? bytes(test.metric("memory.heap.allocatedBytes")) : "-"});
            }
            table(out, header, rows);
            if (tests.size() > MAX_ROWS) {
                out.append("  … ").append(tests.size() - MAX_ROWS).append(" more traced tests in ")
                        .append(RunReport.INDEX_HTML).append('\n');
            }
        }
        for (TestEntry test : run.regressed().stream().filter(tests::contains).toList()) {
            out.append("REGRESSED ").append(test.shortName()).append('\n');
            for (Map<String, Object> change : test.changes("regressions")) {
                out.append("    ").append(change.get("text")).append('\n');
            }
        }
        for (TestEntry test : tests) {
            for (Map<String, Object> limit : test.breaches()) {
                out.append("LIMIT ").append(test.shortName()).append(": ").append(limit.get("declaration"))
                        .append(" measured ").append(limit.get("measured")).append(' ').append(limit.get("unit")).append('\n');
            }
        }
        Set<String> reasons = run.notTraced().stream().filter(test -> shown.test(test.uniqueId())).map(RunReport.NotTraced::reason)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        reasons.forEach(reason -> out.append("Not traced: ").append(reason).append('\n'));
        for (List<TestEntry> group : run.duplicates()) {
            out.append("DUPLICATE ").append(group.get(0).uniqueId()).append(" in ")
                    .append(group.stream().map(TestEntry::file).collect(Collectors.joining(", "))).append('\n');
        }
        run.problems().forEach(problem -> out.append("UNREADABLE ").append(problem).append('\n'));
        out.append("[kerneltrace] ").append(run.summaryLine()).append('\n');
        return out.toString();
    }

    static String verdict(TestEntry test) {
        if (!test.breaches().isEmpty()) {
            return "FAIL (limit)";
        }
        if (test.testFailure() != null && !test.baselineStatus().equals("regressed")) {
            return "FAIL (test)";
        }
        String baseline = test.baselineStatus();
        return switch (baseline) {
            case "regressed" -> "REGRESSED";
            case "off", "passed" -> "PASS";
            default -> "PASS (" + baseline + ")";
        };
    }

    private static String topCalls(TestEntry test) {
        return test.syscalls().entrySet().stream().limit(TOP_CALLS)
                .map(call -> call.getKey() + " " + call.getValue()).collect(Collectors.joining(", "));
    }

    static String bytes(long bytes) {
        if (Math.abs(bytes) < 1024) {
            return bytes + " B";
        }
        double scaled = bytes;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int unit = -1;
        while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
            scaled /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", scaled, units[unit]);
    }

    /** Text columns left-aligned, number columns (all but TEST, VERDICT, TOP CALLS) right-aligned. */
    private static void table(StringBuilder out, String[] header, List<String[]> rows) {
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (String[] row : all) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                String padding = " ".repeat(width[i] - row[i].length());
                boolean text = i == 0 || i == 1 || i == 3;
                line.append(text ? row[i] + padding : padding + row[i]).append("  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
