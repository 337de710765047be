package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run as its report directories tell it: every per-test JSON report in them, the tests that
 * could not be traced, and the files that could not be read. The end of a test run (one
 * directory) and {@link MergeReports} (any number) read them the same way.
 *
 * @param tests      every traced test, tests that failed for KernelTrace first, then by class and name
 * @param notTraced  tests skipped (or failed) because tracing was unavailable
 * @param duplicates the tests whose unique id is in more than one report: each group lists them all
 *                   (every one of them is also in {@code tests})
 * @param problems   files that could not be read, one sentence each
 */
record RunReport(List<TestEntry> tests, List<NotTraced> notTraced, List<List<TestEntry>> duplicates,
                 List<String> problems) {

    static final String SUMMARY_JSON = "summary.json";
    static final String SUMMARY_MD = "summary.md";
    static final String INDEX_HTML = "index.html";
    /** {@code not-traced-<pid>.json}: one per JVM that had tests it could not trace. */
    static final String NOT_TRACED_PREFIX = "not-traced-";

    /** A test that tracing was unavailable for. */
    record NotTraced(String uniqueId, String displayName, String reason) {
    }

    /**
     * The counts of the summary line. A test that breached a limit and regressed counts in both;
     * {@code testFailures} are the tests whose method itself failed (an assertion, an exception).
     */
    record Totals(int traced, int passed, int failed, int testFailures, int regressed, int improved, int incomparable,
                  int newTests, int notTraced) {
    }

    static RunReport read(List<Path> directories) {
        List<TestEntry> tests = new ArrayList<>();
        List<NotTraced> notTraced = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        // when each file was written: a directory kept across runs (no mvn clean) holds older runs' files
        Map<Object, FileTime> written = new IdentityHashMap<>();
        for (Path directory : directories) {
            if (!Files.isDirectory(directory)) {
                problems.add(directory + " is not a directory");
                continue;
            }
            List<Path> files;
            try (Stream<Path> listing = Files.list(directory)) {
                files = listing.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
            } catch (IOException e) {
                problems.add(directory + " cannot be listed: " + e.getMessage());
                continue;
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.equals(SUMMARY_JSON)) {
                    continue;
                }
                try {
                    FileTime time = Files.getLastModifiedTime(file);
                    if (name.startsWith(NOT_TRACED_PREFIX)) {
                        List<NotTraced> read = new ArrayList<>();
                        readNotTraced(object(Json.parse(Files.readString(file))), read);
                        read.forEach(test -> written.put(test, time));
                        notTraced.addAll(read);
                    } else {
                        TestEntry test = READ.testEntry(file);
                        if (test != null) {
                            tests.add(test);
                            written.put(test, time);
                        } // any other JSON file in the directory is not ours
                    }
                } catch (IOException | IllegalArgumentException e) {
                    String message = e.getMessage();
                    problems.add(file + ": " + (message != null && message.startsWith(file.toString())
                            ? message.substring(file.toString().length() + 2) : message));
                }
            }
        }
        latestOfEachTest(tests, notTraced, written);
        tests.sort(Comparator.comparing((TestEntry test) -> test.status().equals("failed") ? 0 : 1)
                .thenComparing(TestEntry::className).thenComparing(TestEntry::methodName)
                .thenComparing(TestEntry::displayName).thenComparing(TestEntry::file));
        Map<String, List<TestEntry>> byId = new LinkedHashMap<>();
        tests.forEach(test -> byId.computeIfAbsent(test.uniqueId(), id -> new ArrayList<>()).add(test));
        List<List<TestEntry>> duplicates = byId.values().stream().filter(group -> group.size() > 1).toList();
        return new RunReport(List.copyOf(tests), List.copyOf(notTraced), duplicates, List.copyOf(problems));
    }

    /**
     * A test both traced in one run and not traced in another (a report directory kept across runs)
     * is what its latest file says: the older record goes, so that no test shows as passed and not
     * traced at once. Of several not-traced records of one test (one file per JVM), the latest stays.
     */
    private static void latestOfEachTest(List<TestEntry> tests, List<NotTraced> notTraced, Map<Object, FileTime> written) {
        Map<String, NotTraced> latestNotTraced = new LinkedHashMap<>();
        for (NotTraced test : notTraced) {
            latestNotTraced.merge(test.uniqueId(), test,
                    (kept, other) -> written.get(other).compareTo(written.get(kept)) > 0 ? other : kept);
        }
        Map<String, FileTime> tracedAt = new HashMap<>();
        tests.forEach(test -> tracedAt.merge(test.uniqueId(), written.get(test), (a, b) -> a.compareTo(b) >= 0 ? a : b));
        tests.removeIf(test -> {
            NotTraced later = latestNotTraced.get(test.uniqueId());
            return later != null && written.get(later).compareTo(written.get(test)) > 0;
        });
        notTraced.clear();
        latestNotTraced.values().stream()
                .filter(test -> !tracedAt.containsKey(test.uniqueId()) || written.get(test).compareTo(tracedAt.get(test.uniqueId())) > 0)
                .forEach(notTraced::add);
    }

    static Map<?, ?> object(Object json) {
        if (json instanceof Map<?, ?> root) {
            return root;
        }
        throw new IllegalArgumentException("not a JSON object");
    }

    /**
     * The per-test reports read so far, by file, as long as the file is unchanged: under Surefire
     * with {@code forkCount} above 1 a JVM makes the run report once per test class, and reads again
     * only the reports written since (files are replaced by a move, so a new report is a new file).
     */
    private static final ReadReports READ = new ReadReports();

    private static void readNotTraced(Map<?, ?> root, List<NotTraced> into) {
        if (!(root.get("notTraced") instanceof List<?> list)) {
            throw new IllegalArgumentException("member \"notTraced\" is missing or not an array");
        }
        for (Object element : list) {
            if (!(element instanceof Map<?, ?> test) || !(test.get("uniqueId") instanceof String id)) {
                throw new IllegalArgumentException("a \"notTraced\" entry has no \"uniqueId\"");
            }
            into.add(new NotTraced(id, String.valueOf(test.get("displayName")), String.valueOf(test.get("reason"))));
        }
    }

    Totals totals() {
        int passed = 0;
        int failed = 0;
        int testFailures = 0;
        int regressed = 0;
        int improved = 0;
        int incomparable = 0;
        int newTests = 0;
        for (TestEntry test : tests) {
            passed += test.status().equals("passed") ? 1 : 0;
            failed += test.breaches().isEmpty() ? 0 : 1;
            testFailures += test.testFailure() == null ? 0 : 1;
            switch (test.baselineStatus()) {
                case "regressed" -> regressed++;
                case "improved" -> improved++;
                case "incomparable" -> incomparable++;
                case "new" -> newTests++;
                default -> {
                }
            }
        }
        return new Totals(tests.size(), passed, failed, testFailures, regressed, improved, incomparable, newTests, notTraced.size());
    }

    /**
     * The counts by the names summary.json and the HTML report give them: {@code traced},
     * {@code passed}, {@code failed}, {@code testFailures}, {@code regressed}, {@code improved},
     * {@code incomparable}, {@code new}, {@code notTraced}, {@code duplicates}.
     */
    Map<String, Object> totalsByName() {
        Totals totals = totals();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("traced", totals.traced());
        counts.put("passed", totals.passed());
        counts.put("failed", totals.failed());
        counts.put("testFailures", totals.testFailures());
        counts.put("regressed", totals.regressed());
        counts.put("improved", totals.improved());
        counts.put("incomparable", totals.incomparable());
        counts.put("new", totals.newTests());
        counts.put("notTraced", totals.notTraced());
        counts.put("duplicates", duplicates().size());
        return counts;
    }

    /** The tests with a regression, in report order. */
    List<TestEntry> regressed() {
        return tests.stream().filter(test -> !test.changes("regressions").isEmpty()).toList();
    }

    /** E.g. {@code 16 traced: 14 passed, 1 failed (limit breached), 1 regressed, 0 improved, …}. */
    String summaryLine() {
        Totals totals = totals();
        return totals.traced() + " traced: " + totals.passed() + " passed, " + totals.failed()
                + " failed (limit breached), " + (totals.testFailures() > 0 ? totals.testFailures()
                + " failed (the test's own failure), " : "") + totals.regressed() + " regressed, " + totals.improved()
                + " improved, " + totals.incomparable() + " incomparable, " + totals.newTests() + " new; "
                + totals.notTraced() + " not traced";
    }
}
