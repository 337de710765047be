package io.github.kerneltrace.sample;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import io.github.kerneltrace.junit.KernelLimitExceededError;

/**
 * Prints one table of every traced test when the test run ends: verdict, system calls, the most
 * frequent calls, bytes written and read, and under it every breached limit. It reads the JUnit
 * report entries that KernelTrace publishes for each traced test ({@code kerneltrace.*}), so it
 * needs nothing but the JUnit Platform; the per-test JSON files stay in {@code target/kerneltrace/}.
 * The table is also written to {@code target/kerneltrace/summary.txt}.
 *
 * <p>Registered in {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}, so
 * every launcher (Maven Surefire, Gradle, an IDE) picks it up for this module's tests.
 */
public class KernelTraceSuiteReport implements TestExecutionListener {

    private static final String PREFIX = "kerneltrace.";
    private static final Pattern SYSCALL_COUNT = Pattern.compile("kerneltrace\\.syscalls\\.([a-z0-9_]+)\\.count");
    private static final int TOP_CALLS = 4;

    /** One traced test; {@code skipReason} is null unless the test could not be traced (skipped or failed). */
    private record Row(String group, String name, String verdict, Map<String, String> entries, List<String> notes,
                       String skipReason) {
    }

    private final Map<String, Map<String, String>> entriesById = new ConcurrentHashMap<>();
    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private final Map<String, Integer> order = new ConcurrentHashMap<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
        Map<String, String> traced = entry.getKeyValuePairs().entrySet().stream()
                .filter(e -> e.getKey().startsWith(PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b, LinkedHashMap::new));
        if (!traced.isEmpty()) {
            entriesById.computeIfAbsent(test.getUniqueId(), id -> new ConcurrentHashMap<>()).putAll(traced);
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        Map<String, String> entries = entriesById.getOrDefault(test.getUniqueId(), Map.of());
        Optional<Throwable> thrown = result.getThrowable();
        boolean untraceable = thrown.map(t -> String.valueOf(t.getMessage()).startsWith("KernelTrace cannot trace"))
                .orElse(false);
        if (entries.isEmpty() && !untraceable) {
            return; // not a traced test
        }
        List<String> notes = new ArrayList<>();
        String skipReason = null;
        String verdict;
        switch (result.getStatus()) {
            case SUCCESSFUL -> verdict = "PASS";
            case ABORTED -> {
                verdict = "SKIP";
                skipReason = thrown.map(t -> firstLine(t.getMessage())).orElse("skipped");
            }
            default -> {
                Throwable failure = thrown.orElse(null);
                if (failure instanceof KernelLimitExceededError) {
                    verdict = "FAIL (limit)";
                    failure.getMessage().lines().filter(line -> line.startsWith("  - "))
                            .forEach(line -> notes.add(line.strip()));
                } else if (untraceable) {
                    verdict = "FAIL (untraced)"; // kerneltrace.require=true
                    skipReason = firstLine(failure.getMessage());
                } else {
                    verdict = "FAIL";
                    notes.add(failure == null ? "failed" : oneLine(failure));
                    if (failure != null) { // the test failed by itself; breached limits ride along
                        for (Throwable suppressed : failure.getSuppressed()) {
                            if (suppressed instanceof KernelLimitExceededError) {
                                suppressed.getMessage().lines().filter(line -> line.startsWith("  - "))
                                        .forEach(line -> notes.add(line.strip()));
                            }
                        }
                    }
                }
            }
        }
        order.putIfAbsent(test.getUniqueId(), order.size());
        rows.put(test.getUniqueId(), new Row(topClass(test), nameBelowClass(test), verdict, entries, notes, skipReason));
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (rows.isEmpty()) {
            return;
        }
        List<Row> sorted = rows.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<String, Row> e) -> e.getValue().group())
                        .thenComparing(e -> order.get(e.getKey())))
                .map(Map.Entry::getValue)
                .toList();
        String table = render(sorted);
        PrintStream out = System.out;
        out.println();
        out.print(table);
        out.flush();
        Path dir = Path.of(testPlan.getConfigurationParameters().get("kerneltrace.reportDir").orElse("target/kerneltrace"));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.txt"), table);
        } catch (IOException e) {
            out.println("(could not write " + dir.resolve("summary.txt") + ": " + e.getMessage() + ")");
        }
    }

    private static String render(List<Row> rows) {
        String[] header = {"TEST", "VERDICT", "SYSCALLS", "TOP CALLS", "WRITTEN", "READ", "HEAP", "MALLOCS"};
        List<String[]> cells = new ArrayList<>();
        for (Row row : rows) {
            Map<String, String> e = row.entries();
            cells.add(new String[] {
                "  " + row.name(), row.verdict(),
                e.getOrDefault("kerneltrace.syscalls.total", "-"),
                topCalls(e),
                bytes(e.get("kerneltrace.bytes.written")),
                bytes(e.get("kerneltrace.bytes.read")),
                bytes(e.get("kerneltrace.memory.heapAllocatedBytes")),
                // only for tests that count native allocations
                e.getOrDefault("kerneltrace.memory.nativeAllocations", "")});
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] row : cells) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        long passed = rows.stream().filter(r -> r.verdict().equals("PASS")).count();
        long skipped = rows.stream().filter(r -> r.verdict().equals("SKIP")).count();
        // Usually every skip has the same reason (this machine cannot trace): say it once.
        Set<String> reasons = rows.stream().map(Row::skipReason).filter(r -> r != null)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        StringBuilder out = new StringBuilder();
        out.append("KernelTrace report: ").append(rows.size()).append(" traced tests, ")
                .append(passed).append(" passed, ").append(rows.size() - passed - skipped).append(" failed, ")
                .append(skipped).append(" skipped (per-test JSON in target/kerneltrace/)\n");
        line(out, header, width);
        String group = null;
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            if (!row.group().equals(group)) {
                group = row.group();
                out.append(group).append('\n');
            }
            line(out, cells.get(i), width);
            for (String note : row.notes()) {
                out.append("      ").append(note).append('\n');
            }
            if (row.skipReason() != null && reasons.size() > 1) {
                out.append("      ").append(row.skipReason()).append('\n');
            }
        }
        if (reasons.size() == 1) {
            out.append("Not traced: ").append(reasons.iterator().next()).append('\n');
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            boolean number = i == 2 || i >= 4;
            String cell = cells[i];
            String padding = " ".repeat(width[i] - cell.length());
            out.append(number ? padding + cell : cell + (i == cells.length - 1 ? "" : padding));
            if (i < cells.length - 1) {
                out.append("  ");
            }
        }
        out.append('\n');
    }

    /** E.g. "write 100, fdatasync 10, futex 2" from the published per-call counts. */
    private static String topCalls(Map<String, String> entries) {
        return entries.entrySet().stream()
                .map(e -> {
                    Matcher m = SYSCALL_COUNT.matcher(e.getKey());
                    return m.matches() ? Map.entry(m.group(1), Long.parseLong(e.getValue())) : null;
                })
                .filter(e -> e != null)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_CALLS)
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String bytes(String value) {
        if (value == null) {
            return "-";
        }
        long bytes = Long.parseLong(value);
        if (bytes < 1024) {
            return bytes + " B";
        }
        double scaled = bytes;
        String[] units = {"KiB", "MiB", "GiB"};
        int unit = -1;
        while (scaled >= 1024 && unit < units.length - 1) {
            scaled /= 1024;
            unit++;
        }
        return String.format("%.1f %s", scaled, units[unit]);
    }

    /** The outermost test class's simple name, e.g. "SegmentLogKernelBudgetTest". */
    private String topClass(TestIdentifier test) {
        List<TestIdentifier> path = ancestors(test);
        return path.isEmpty() ? "" : path.get(0).getDisplayName();
    }

    /** Nested classes and the method, e.g. "SyncOnClose › appendOfOneRecordIsASingleWriteAndNoSync()". */
    private String nameBelowClass(TestIdentifier test) {
        List<String> names = ancestors(test).stream().skip(1).map(TestIdentifier::getDisplayName)
                .collect(Collectors.toCollection(ArrayList::new));
        names.add(test.getDisplayName());
        // "get(KernelTraceSession)" -> "get": the parameter list is noise in a table.
        return names.stream().map(name -> name.replaceFirst("\\(.*\\)$", "")).collect(Collectors.joining(" › "));
    }

    /** The test's containers below the engine, outermost first. */
    private List<TestIdentifier> ancestors(TestIdentifier test) {
        List<TestIdentifier> path = new ArrayList<>();
        Optional<TestIdentifier> parent = plan == null ? Optional.empty() : plan.getParent(test);
        while (parent.isPresent() && parent.get().getParentId().isPresent()) {
            path.add(0, parent.get());
            parent = plan.getParent(parent.get());
        }
        return path;
    }

    /** An assertion's message on one line, e.g. "[read calls (...)] expected: 17 but was: 257". */
    private static String oneLine(Throwable failure) {
        String text = failure.getMessage() == null ? failure.toString() : failure.getMessage();
        text = text.strip().replaceAll("\\s+", " ");
        return text.length() <= 240 ? text : text.substring(0, 237) + "...";
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
