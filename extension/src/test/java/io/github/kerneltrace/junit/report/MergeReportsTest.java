package io.github.kerneltrace.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge command over report directories written as two shards would write them. */
class MergeReportsTest {

    @TempDir
    Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int merge(String... args) {
        return MergeReports.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> summary(Path directory) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(directory.resolve("summary.json")));
    }

    @Test
    void twoShardsMakeOneReportWithEveryTest() throws Exception {
        Path shard1 = work.resolve("shard1");
        Path shard2 = work.resolve("shard2");
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(shard1);
        Reports.test("com.example.ATest", "reads").calls("read", 2).baseline("new").writeTo(shard1);
        Reports.test("com.example.BTest", "syncs").calls("fsync", 1).calls("write", 1)
                .improved("syscalls.write.count", 2, 1).writeTo(shard2);
        Path merged = work.resolve("merged");

        assertThat(merge("--out", merged.toString(), shard1.toString(), shard2.toString())).isZero();

        Map<String, Object> summary = summary(merged);
        assertThat(summary.get("totals")).isEqualTo(Json.parse("""
                {"traced": 3, "passed": 3, "failed": 0, "testFailures": 0, "regressed": 0, "improved": 1, "incomparable": 0,
                 "new": 1, "notTraced": 0, "duplicates": 0}"""));
        List<Map<String, Object>> tests = (List<Map<String, Object>>) summary.get("tests");
        assertThat(tests).extracting(test -> test.get("className") + "." + test.get("methodName"))
                .containsExactly("com.example.ATest.reads", "com.example.ATest.writes", "com.example.BTest.syncs");
        assertThat(tests.get(2).get("file")).isEqualTo(shard2.resolve("com.example.BTest.syncs.json").toString());
        assertThat(tests.get(1).get("metrics")).isEqualTo(Map.of("totals.syscalls", 3L, "totals.errors", 0L,
                "totals.bytesWritten", 3L, "totals.bytesRead", 0L, "scheduler.onCpuNanos", 5000L,
                "scheduler.offCpuNanos", 100L, "memory.heap.allocatedBytes", 4096L));
        assertThat(Files.readString(merged.resolve("summary.md"))).contains("| 3 | 3 | 0 | 0 | 0 | 1 | 0 | 1 | 0 |");
        assertThat(Files.readString(merged.resolve("index.html"))).contains("BTest.syncs").doesNotContain("/*DATA*/");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "[kerneltrace] 3 traced: 3 passed, 0 failed (limit breached), 0 regressed, 1 improved, 0 incomparable, 1 new; 0 not traced");
    }

    /** The page links each test's flame graphs where they lie, beside its report, from wherever the page is written. */
    @Test
    @SuppressWarnings("unchecked")
    void theHtmlReportLinksTheFlameGraphsBesideEachReport() throws Exception {
        Path shard = work.resolve("reports");
        Reports.test("com.example.ATest", "writes").calls("write", 4).flameGraph("cpu").flameGraph("writes").writeTo(shard);
        Reports.test("com.example.BTest", "reads").calls("read", 1).writeTo(shard);
        Path merged = work.resolve("merged");

        assertThat(merge("--out", merged.toString(), shard.toString())).isZero();

        String html = Files.readString(merged.resolve("index.html"));
        String marker = "<script id=\"data\" type=\"application/json\">";
        String data = html.substring(html.indexOf(marker) + marker.length(), html.indexOf("</script>"));
        List<Map<String, Object>> tests = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(data)).get("tests");
        assertThat(tests.get(0).get("flameGraphs")).isEqualTo(List.of(
                Map.of("profile", "cpu", "title", "writes(): cpu", "href", "../reports/com.example.ATest.writes.flame-cpu.html"),
                Map.of("profile", "writes", "title", "writes(): writes",
                        "href", "../reports/com.example.ATest.writes.flame-writes.html")));
        assertThat(tests.get(1).get("flameGraphs")).isEqualTo(List.of());
        assertThat(html).contains("\"Flame graphs\"");
    }

    @Test
    void theMarkdownIsAppendedToTheGitHubStepSummaryFile() throws Exception {
        Path shard = work.resolve("shard");
        Reports.test("com.example.ATest", "writes").calls("write", 4).regressed("syscalls.write.count", 3, 4).writeTo(shard);
        Path stepSummary = work.resolve("step-summary.md");
        Files.writeString(stepSummary, "earlier step\n");
        RunReport run = RunReport.read(List.of(shard));

        RunReports.write(run, List.of(shard), work.resolve("merged"), stepSummary.toString());

        String markdown = Files.readString(work.resolve("merged").resolve("summary.md"));
        assertThat(markdown).contains("syscalls.write.count: 3 → 4 (+1, exact)");
        assertThat(Files.readString(stepSummary)).isEqualTo("earlier step\n" + markdown);
    }

    @Test
    void aTestInTwoDirectoriesIsReportedAsADuplicateWithBothRowsKept() throws Exception {
        Path first = work.resolve("first");
        Path second = work.resolve("second");
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(first);
        Reports.test("com.example.ATest", "writes").calls("write", 4).writeTo(second);

        assertThat(merge("--out", work.resolve("merged").toString(), first.toString(), second.toString())).isZero();

        Map<String, Object> summary = summary(work.resolve("merged"));
        assertThat(((Map<?, ?>) summary.get("totals")).get("traced")).isEqualTo(2L);
        assertThat(summary.get("duplicates")).isEqualTo(List.of(Map.of(
                "uniqueId", "[engine:junit-jupiter]/[class:com.example.ATest]/[method:writes()]",
                "files", List.of(first.resolve("com.example.ATest.writes.json").toString(),
                        second.resolve("com.example.ATest.writes.json").toString()))));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("DUPLICATE [engine:junit-jupiter]/[class:com.example.ATest]/[method:writes()] in ");
    }

    @Test
    void failOnRegressionExitsOneForARegressionOrABreachedLimitAndZeroOtherwise() throws Exception {
        Path clean = work.resolve("clean");
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(clean);
        Path regressed = work.resolve("regressed");
        Reports.test("com.example.ATest", "writes").calls("write", 4).regressed("syscalls.write.count", 3, 4).writeTo(regressed);
        Path breached = work.resolve("breached");
        Reports.test("com.example.ATest", "writes").calls("write", 4).limit("@MaxSyscalls(3)", 3, 4).writeTo(breached);

        assertThat(merge("--fail-on-regression", "--out", work.resolve("m1").toString(), clean.toString())).isZero();
        assertThat(merge("--fail-on-regression", "--out", work.resolve("m2").toString(), clean.toString(), regressed.toString())).isOne();
        assertThat(merge("--fail-on-regression", "--out", work.resolve("m3").toString(), breached.toString())).isOne();
        assertThat(merge("--out", work.resolve("m4").toString(), regressed.toString())).as("without the option").isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("REGRESSED ATest.writes\n    syscalls.write.count: 3 → 4 (+1, exact)\n")
                .contains("LIMIT ATest.writes: @MaxSyscalls(3) measured 4 calls\n");
    }

    @Test
    void badUsageAndUnreadableReportsExitTwoNamingTheProblem() throws Exception {
        Path shard = work.resolve("shard");
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(shard);
        Files.writeString(shard.resolve("com.example.ATest.broken.json"), "{\"schemaVersion\": 5, \"test\": {");

        assertThat(merge()).isEqualTo(2);
        assertThat(merge("--out")).isEqualTo(2);
        assertThat(merge("--fail-on-regresion", shard.toString())).isEqualTo(2);
        assertThat(merge(work.resolve("missing").toString())).isEqualTo(2);
        assertThat(merge("--out", work.resolve("merged").toString(), shard.toString())).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "no report directory given (e.g. module/target/kerneltrace); " + MergeReports.USAGE,
                "--out needs a directory; " + MergeReports.USAGE,
                "unknown option --fail-on-regresion; " + MergeReports.USAGE,
                "cannot merge: " + work.resolve("missing") + " is not a directory",
                "Fix or remove these files (a report still being written? a directory mistyped?) and merge again.",
                "cannot merge: " + shard.resolve("com.example.ATest.broken.json")
                        + ": line 1, column 31: expected a member name in quotes but found the end of the text",
                "Fix or remove these files (a report still being written? a directory mistyped?) and merge again.");
        assertThat(work.resolve("merged")).doesNotExist();
    }

    @Test
    void testsThatCouldNotBeTracedAreCountedFromEachJvmsList() throws Exception {
        Path shard = work.resolve("shard");
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(shard);
        Files.writeString(shard.resolve("not-traced-4242.json"), """
                {"notTraced": [{"uniqueId": "[engine:junit-jupiter]/[class:com.example.CTest]/[method:c()]",
                  "displayName": "c()", "reason": "KernelTrace cannot trace here: no BTF."}]}""");

        assertThat(merge("--out", work.resolve("merged").toString(), shard.toString())).isZero();

        assertThat(((Map<?, ?>) summary(work.resolve("merged")).get("totals")).get("notTraced")).isEqualTo(1L);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Not traced: KernelTrace cannot trace here: no BTF.\n");
    }

    /**
     * A report directory kept across runs (no {@code mvn clean}) holds older runs' files: a test is
     * what its latest record says, never passed and not traced at once.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aTestTracedAndNotTracedInDifferentRunsIsWhatItsLatestRecordSays() throws Exception {
        Path directory = work.resolve("kept");
        String notTracedBefore = """
                {"notTraced": [{"uniqueId": "[engine:junit-jupiter]/[class:com.example.ATest]/[method:writes()]",
                  "displayName": "writes()", "reason": "KernelTrace cannot trace here: an older run."}]}""";
        String notTracedNow = """
                {"notTraced": [{"uniqueId": "[engine:junit-jupiter]/[class:com.example.ATest]/[method:reads()]",
                  "displayName": "reads()", "reason": "KernelTrace cannot trace here: this run."}]}""";
        Reports.test("com.example.ATest", "reads").calls("read", 2).writeTo(directory);
        Files.writeString(directory.resolve("not-traced-1111.json"), notTracedBefore);
        Reports.test("com.example.ATest", "writes").calls("write", 3).writeTo(directory);
        Files.writeString(directory.resolve("not-traced-2222.json"), notTracedNow);
        java.nio.file.attribute.FileTime base = java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(directory.resolve("com.example.ATest.reads.json"), base);
        Files.setLastModifiedTime(directory.resolve("not-traced-1111.json"), plus(base, 1));
        Files.setLastModifiedTime(directory.resolve("com.example.ATest.writes.json"), plus(base, 2));
        Files.setLastModifiedTime(directory.resolve("not-traced-2222.json"), plus(base, 3));

        assertThat(merge("--out", work.resolve("merged").toString(), directory.toString())).isZero();

        Map<String, Object> summary = summary(work.resolve("merged"));
        assertThat(((List<Map<String, Object>>) summary.get("tests"))).extracting(test -> test.get("methodName"))
                .as("traced after its older run's not-traced record").containsExactly("writes");
        assertThat(((Map<?, ?>) summary.get("totals")).get("notTraced")).as("reads(), not traced after its older report")
                .isEqualTo(1L);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Not traced: KernelTrace cannot trace here: this run.\n")
                .doesNotContain("an older run");
    }

    private static java.nio.file.attribute.FileTime plus(java.nio.file.attribute.FileTime time, int seconds) {
        return java.nio.file.attribute.FileTime.fromMillis(time.toMillis() + seconds * 1000L);
    }
}
