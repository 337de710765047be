package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import io.github.kerneltrace.junit.report.RunReports;

/**
 * The end-of-run report: when a test plan has run, waits for the per-test reports to be on disk
 * and makes the run reports of the report directory from them ({@link RunReports}). Registered
 * through {@code META-INF/services}, so Surefire, Gradle and IDEs run it without configuration.
 *
 * <p>Tests that could not be traced write no per-test report; this listener notes them (they end
 * with {@link TracingUnavailable}'s message) in {@code not-traced-<pid>.json}, so that the run
 * report, and a merge of several JVMs' directories, count them. The list is confined to JUnit's
 * listener calls, which the launcher makes one at a time.
 */
public final class RunReportListener implements TestExecutionListener {

    private final List<String[]> notTraced = new ArrayList<>();

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        String message = result.getThrowable().map(Throwable::getMessage).orElse(null);
        if (test.isTest() && message != null && message.startsWith(TracingUnavailable.PREFIX)) {
            notTraced.add(new String[] {test.getUniqueId(), test.getDisplayName(), message});
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        ReportFiles.flush(); // every per-test report of this JVM is on disk
        Path directory = Path.of(plan.getConfigurationParameters().get(KernelTraceConfiguration.REPORT_DIR)
                .orElse(KernelTraceConfiguration.DEFAULT_REPORT_DIR));
        if (!notTraced.isEmpty()) {
            writeNotTraced(directory);
            notTraced.clear();
        }
        boolean summary = !plan.getConfigurationParameters().get(KernelTraceConfiguration.SUMMARY)
                .map(String::strip).filter("false"::equalsIgnoreCase).isPresent();
        RunReports.endOfRun(directory, summary ? System.out : null);
    }

    private void writeNotTraced(Path directory) {
        JsonWriter json = new JsonWriter().beginObject().name("notTraced").beginArray();
        for (String[] test : notTraced) {
            json.beginObject().member("uniqueId", test[0]).member("displayName", test[1]).member("reason", test[2])
                    .endObject();
        }
        json.endArray().endObject();
        Path file = directory.resolve("not-traced-" + ProcessHandle.current().pid() + ".json");
        try {
            Files.createDirectories(directory);
            Files.writeString(file, json.toString());
        } catch (IOException e) {
            System.err.println("[kerneltrace] could not write " + file + ": " + e);
        }
    }
}
