package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A test that could not be traced writes no per-test report; the end-of-run listener lists it in
 * {@code not-traced-<pid>.json}, so the run report counts it. No tracing needed: a stand-in backend
 * says it is unavailable.
 */
class RunReportNotTracedTest {

    @Test
    void aTestThatCouldNotBeTracedIsCountedAsNotTracedWithItsReason(@TempDir Path reports) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(UnavailableTracingPolicyTest.CannotTrace.class))
                    .configurationParameter("kerneltrace.reportDir", reports.toString())
                    .configurationParameter("kerneltrace.summary", "true")
                    .configurationParameter("kerneltrace.require", "false") // the build's -D would fail the test instead
                    .build());
        } finally {
            System.setOut(original);
        }

        Path list = reports.resolve("not-traced-" + ProcessHandle.current().pid() + ".json");
        Map<String, Object> notTraced = JsonTree.parse(Files.readString(list));
        assertThat((List<?>) notTraced.get("notTraced")).hasSize(1);
        Map<String, Object> summary = JsonTree.parse(Files.readString(reports.resolve("summary.json")));
        assertThat(JsonTree.at(summary, "totals.traced")).isEqualTo(0L);
        assertThat(JsonTree.at(summary, "totals.notTraced")).isEqualTo(1L);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("Not traced: KernelTrace cannot trace here: tracing needs root or CAP_BPF+CAP_PERFMON;"
                        + " this JVM has neither. The test is skipped; set kerneltrace.require=true to fail instead.\n")
                .contains("[kerneltrace] 0 traced: 0 passed, 0 failed (limit breached), 0 regressed, 0 improved,"
                        + " 0 incomparable, 0 new; 1 not traced\n");
    }
}
