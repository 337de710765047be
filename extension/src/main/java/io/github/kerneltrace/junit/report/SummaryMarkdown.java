package io.github.kerneltrace.junit.report;

import java.util.List;
import java.util.Map;

/**
 * {@code summary.md}: short enough for a pull-request comment or a GitHub job summary. The totals,
 * then regressions and breached limits (the reasons to look), then improvements; each list capped,
 * with the number left out pointing to {@code index.html}.
 */
final class SummaryMarkdown {

    /** Lines per list: a PR comment that scrolls past 20 findings is not read either. */
    static final int CAP = 20;

    private SummaryMarkdown() {
    }

    static String render(RunReport run) {
        RunReport.Totals totals = run.totals();
        StringBuilder md = new StringBuilder("## KernelTrace\n\n");
        md.append("| traced | passed | failed (limit) | failed (test) | regressed | improved | incomparable | new | not traced |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
                .append("| ").append(totals.traced()).append(" | ").append(totals.passed())
                .append(" | ").append(totals.failed()).append(" | ").append(totals.testFailures())
                .append(" | ").append(totals.regressed())
                .append(" | ").append(totals.improved()).append(" | ").append(totals.incomparable())
                .append(" | ").append(totals.newTests()).append(" | ").append(totals.notTraced()).append(" |\n\n");
        List<TestEntry> regressed = run.regressed();
        if (!regressed.isEmpty()) {
            md.append("### Regressions\n\n");
            int lines = 0;
            int left = 0;
            for (TestEntry test : regressed) {
                for (Map<String, Object> change : test.changes("regressions")) {
                    if (lines++ < CAP) {
                        md.append("- `").append(code(test.shortName())).append("` `")
                                .append(code(String.valueOf(change.get("text")))).append("`\n");
                        test.topCallSite(String.valueOf(change.get("metric")))
                                .ifPresent(site -> md.append("  - `").append(code(site)).append("`\n"));
                    } else {
                        left++;
                    }
                }
            }
            more(md, left);
        }
        List<TestEntry> breached = run.tests().stream().filter(test -> !test.breaches().isEmpty()).toList();
        if (!breached.isEmpty()) {
            md.append("### Limits breached\n\n");
            int lines = 0;
            int left = 0;
            for (TestEntry test : breached) {
                for (Map<String, Object> limit : test.breaches()) {
                    if (lines++ < CAP) {
                        md.append("- `").append(code(test.shortName())).append("` `")
                                .append(code(String.valueOf(limit.get("declaration")))).append("`: measured ")
                                .append(limit.get("measured")).append(" ").append(limit.get("unit"))
                                .append(", limit ").append(limit.get("limit")).append('\n');
                        test.topCallSite(String.valueOf(limit.get("metric")))
                                .ifPresent(site -> md.append("  - `").append(code(site)).append("`\n"));
                    } else {
                        left++;
                    }
                }
            }
            more(md, left);
        }
        List<TestEntry> improved = run.tests().stream().filter(test -> !test.changes("improvements").isEmpty()).toList();
        if (!improved.isEmpty()) {
            md.append("### Improvements (baseline can be tightened)\n\n");
            int shown = Math.min(improved.size(), CAP / 2);
            for (TestEntry test : improved.subList(0, shown)) {
                md.append("- `").append(code(test.shortName())).append("` `")
                        .append(code(String.valueOf(test.changes("improvements").get(0).get("text")))).append('`');
                int others = test.changes("improvements").size() - 1;
                md.append(others > 0 ? " and " + others + " more" : "").append('\n');
            }
            more(md, improved.size() - shown);
        }
        if (!run.duplicates().isEmpty()) {
            md.append("**").append(run.duplicates().size())
                    .append(" tests are in more than one report directory**; see summary.json `duplicates`.\n\n");
        }
        if (!run.problems().isEmpty()) {
            md.append("**").append(run.problems().size()).append(" report files could not be read**; see summary.json `unreadable`.\n\n");
        }
        if (regressed.isEmpty() && breached.isEmpty()) {
            md.append("No regressions, no breached limits.\n\n");
        }
        return md.toString();
    }

    private static void more(StringBuilder md, int left) {
        if (left > 0) {
            md.append("- … ").append(left).append(" more in index.html\n");
        }
        md.append('\n');
    }

    /** Text inside a Markdown code span: a backtick would end it, a line break would break the list. */
    private static String code(String text) {
        return text.replace('`', '\'').replaceAll("\\s+", " ");
    }
}
