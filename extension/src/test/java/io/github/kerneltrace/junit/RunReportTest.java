package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * The end-of-run report as a build makes it: a real launcher (which loads {@link RunReportListener}
 * from {@code META-INF/services}, as Surefire's does) runs traced tests on the real kernel; the run
 * report files appear with the right counts, and each test's {@code .hlog} reads back, through
 * HdrHistogram's own reader, equal to the histograms the test measured.
 */
class RunReportTest {

    @TempDir
    static Path reports;

    private static String console;
    private static SummaryGeneratingListener counts = new SummaryGeneratingListener();

    @BeforeAll
    static void runThreeTracedTestsThroughALauncher() {
        RealKernel.requireTracing();
        RealKernel.MEASURED.clear();
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(TwoTests.class))
                    .configurationParameter("kerneltrace.reportDir", reports.toString())
                    .configurationParameter("kerneltrace.summary", "true")
                    .configurationParameter("kerneltrace.histogramLogs", "true")
                    .build(), counts);
        } finally {
            System.setOut(original);
        }
        console = printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theRunReportFilesAppearWithTheRunsCounts() throws Exception {
        assertThat(counts.getSummary().getTestsStartedCount()).isEqualTo(3);
        assertThat(counts.getSummary().getTestsFailedCount()).isEqualTo(2);

        Map<String, Object> summary = JsonTree.parse(Files.readString(reports.resolve("summary.json")));
        assertThat(summary.get("schemaVersion")).isEqualTo(1L);
        assertThat(JsonTree.at(summary, "totals.traced")).isEqualTo(3L);
        assertThat(JsonTree.at(summary, "totals.passed")).isEqualTo(1L);
        assertThat(JsonTree.at(summary, "totals.failed")).isEqualTo(1L);
        assertThat(JsonTree.at(summary, "totals.testFailures")).as("a test failing its own assertion is not passed")
                .isEqualTo(1L);
        assertThat(JsonTree.at(summary, "totals.notTraced")).isEqualTo(0L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tests = (List<Map<String, Object>>) summary.get("tests");
        assertThat(tests).extracting(test -> test.get("methodName") + " " + test.get("status"))
                .containsExactly("breachesALimit failed", "failsItsOwnAssertion failed", "writesThreeTimes passed");
        assertThat(tests.get(1).get("testFailure"))
                .isEqualTo("org.opentest4j.AssertionFailedError: one write is not two ==> expected: <2> but was: <1>");
        assertThat(JsonTree.at(tests.get(2), "metrics")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("totals.bytesWritten", 3L);

        assertThat(Files.readString(reports.resolve("summary.md")))
                .contains("| 3 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 0 |")
                .contains("- `RunReportTest.TwoTests.breachesALimit` `@MaxSyscalls(value = 0, syscall = \"write\")`: measured 1 calls, limit 0");
        assertThat(Files.readString(reports.resolve("index.html"))).contains("RunReportTest.TwoTests.writesThreeTimes");
        assertThat(console)
                .containsPattern("  RunReportTest\\.TwoTests\\.breachesALimit +FAIL \\(limit\\)")
                .containsPattern("  RunReportTest\\.TwoTests\\.failsItsOwnAssertion +FAIL \\(test\\)")
                .contains("LIMIT RunReportTest.TwoTests.breachesALimit: @MaxSyscalls(value = 0, syscall = \"write\") measured 1 calls")
                .contains("[kerneltrace] 3 traced: 1 passed, 1 failed (limit breached), 1 failed (the test's own failure),"
                        + " 0 regressed, 0 improved,"
                        + " 0 incomparable, 0 new; 0 not traced");
    }

    @Test
    void eachTestsHistogramLogReadsBackEqualToWhatItMeasured() throws Exception {
        KernelMetrics measured = RealKernel.MEASURED.get("writesThreeTimes");
        Map<String, Histogram> expected = HistogramLog.histograms(measured);
        assertThat(expected).containsKey("syscalls.write.latencyNanos");

        Map<String, Histogram> read = new LinkedHashMap<>();
        Path log = reports.resolve(TwoTests.class.getName() + ".writesThreeTimes.hlog");
        try (HistogramLogReader reader = new HistogramLogReader(log.toFile())) {
            for (EncodableHistogram next; (next = reader.nextIntervalHistogram()) != null; ) {
                read.put(next.getTag(), (Histogram) next);
            }
        }

        assertThat(read.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((tag, histogram) -> {
            assertThat(read.get(tag)).as(tag).isEqualTo(histogram);
            assertThat(read.get(tag).getTotalCount()).as(tag).isEqualTo(histogram.getTotalCount());
        });
        assertThat(read.get("syscalls.write.latencyNanos").getTotalCount()).isEqualTo(3);
    }

    @Tag("fixture")
    @KernelTrace(scope = Scope.THREAD)
    static class TwoTests extends RealKernel.Recorded {

        @Test
        void writesThreeTimes() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                for (int i = 0; i < 3; i++) {
                    devNull.write(i);
                }
            }
        }

        @Test
        void failsItsOwnAssertion() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                devNull.write(1);
            }
            org.junit.jupiter.api.Assertions.assertEquals(2, 1, "one write is not two");
        }

        @Test
        @MaxSyscalls(value = 0, syscall = "write")
        void breachesALimit() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                devNull.write(1);
            }
        }
    }
}
