package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code index.html}: one self-contained page (inline CSS, script and SVG; no network) made of the
 * template {@code index-template.html} and the run's data as JSON inside it. The page's script
 * draws the table, the plots and each test's details when they are opened, so a run of 2,000
 * tests is one table of 2,000 rows, not 2,000 rendered detail panels.
 */
final class HtmlReport {

    private static final String PLACEHOLDER = "/*DATA*/";

    private HtmlReport() {
    }

    /** @param out the directory the page goes into: its links to flame graphs are relative to it */
    static String render(RunReport run, List<String> sources, Path out) {
        String template;
        try (InputStream in = HtmlReport.class.getResourceAsStream("index-template.html")) {
            if (in == null) {
                throw new IllegalStateException("index-template.html is missing from the KernelTrace jar");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // "</" inside the data would end the script element: JSON allows "<\/" for it.
        String data = Json.writeCompact(data(run, sources, out)).replace("</", "<\\/");
        return template.replace(PLACEHOLDER, data);
    }

    private static void topSite(TestEntry test, Map<String, Object> figure, Map<String, Object> topSites) {
        String metric = String.valueOf(figure.get("metric"));
        test.topCallSite(metric).ifPresent(site -> topSites.put(metric, site));
    }

    private static Map<String, Object> data(RunReport run, List<String> sources, Path out) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", "made " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        root.put("sources", sources);
        root.put("totals", run.totalsByName());
        List<Object> tests = new ArrayList<>();
        for (TestEntry test : run.tests()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", test.shortName());
            entry.put("className", test.className());
            entry.put("displayName", test.displayName());
            entry.put("uniqueId", test.uniqueId());
            entry.put("file", test.file());
            entry.put("verdict", ConsoleSummary.verdict(test));
            entry.put("durationNanos", test.durationNanos());
            entry.put("testFailure", test.testFailure());
            entry.put("metrics", test.metricsAmong(SummaryJson.HEADLINE));
            entry.put("syscalls", test.syscalls());
            entry.put("histograms", test.histograms());
            entry.put("limits", test.limits());
            Map<String, Object> baseline = new LinkedHashMap<>();
            baseline.put("status", test.baselineStatus());
            baseline.put("file", test.baseline().get("file"));
            baseline.put("regressions", test.changes("regressions"));
            baseline.put("improvements", test.changes("improvements"));
            baseline.put("notes", test.baseline().get("notes") instanceof List<?> notes ? notes : List.of());
            entry.put("baseline", baseline);
            entry.put("flameGraphs", flameGraphLinks(test, out));
            entry.put("callSites", test.callSites());
            entry.put("jvm", test.families().get("jvm"));
            entry.put("probes", test.families().get("probes"));
            // each regressed or breached figure's top call site, for the findings at the top of the page
            Map<String, Object> topSites = new LinkedHashMap<>();
            test.changes("regressions").forEach(change -> topSite(test, change, topSites));
            test.breaches().forEach(limit -> topSite(test, limit, topSites));
            entry.put("topSites", topSites);
            tests.add(entry);
        }
        root.put("tests", tests);
        List<Object> notTraced = new ArrayList<>();
        run.notTraced().forEach(test -> notTraced.add(Map.of("displayName", test.displayName(), "reason", test.reason())));
        root.put("notTraced", notTraced);
        List<Object> duplicates = new ArrayList<>();
        run.duplicates().forEach(group -> duplicates.add(Map.of("uniqueId", group.get(0).uniqueId(),
                "files", group.stream().map(TestEntry::file).toList())));
        root.put("duplicates", duplicates);
        root.put("unreadable", run.problems());
        return root;
    }

    /** Each flame graph page of a test, as a link from the directory {@code out}: they lie beside its JSON report. */
    private static List<Object> flameGraphLinks(TestEntry test, Path out) {
        List<Object> links = new ArrayList<>();
        Path from = out.toAbsolutePath().normalize();
        for (Map<String, Object> graph : test.flameGraphs()) {
            if (!(graph.get("file") instanceof String file)) {
                continue;
            }
            Path page = Path.of(test.file()).toAbsolutePath().normalize().resolveSibling(file);
            Map<String, Object> link = new LinkedHashMap<>();
            link.put("profile", graph.get("profile"));
            link.put("title", graph.get("title"));
            link.put("href", from.relativize(page).toString().replace('\\', '/'));
            links.add(link);
        }
        return links;
    }
}
