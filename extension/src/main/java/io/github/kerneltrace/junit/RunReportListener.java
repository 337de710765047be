package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Surefire with {@code forkCount} above 1 runs each test class as a test plan of its own, so
 * the run reports are remade after each class (the last one made holds every test of the
 * directory) and the console table shows the tests of the plan that just ran.
 *
 * <p>Tests that could not be traced write no per-test report; this listener notes them (they end
 * with {@link TracingUnavailable}'s message) in {@code not-traced-<pid>.json}, so that the run
 * report, and a merge of several JVMs' directories, count them. The lists are the JVM's, as the
 * files are, across the plans of every listener instance, one per report directory: guarded by
 * the map's monitor.
 */
public final class RunReportListener implements TestExecutionListener {

    /** This JVM's tests not traced, by the report directory their plan wrote to. */
    private static final Map<Path, List<String[]>> NOT_TRACED = new HashMap<>();
    /** Whether this JVM looked for baselines of classes gone ({@link OrphanedBaselines}): once, as a fork runs many plans. */
    private static final AtomicBoolean ORPHANS_CHECKED = new AtomicBoolean();

    /** Tests of this plan, by unique id; JUnit calls a listener one event at a time. */
    private final Set<String> ranInThisPlan = new HashSet<>();
    private Path directory = Path.of(KernelTraceConfiguration.DEFAULT_REPORT_DIR);

    @Override
    public synchronized void testPlanExecutionStarted(TestPlan plan) {
        directory = Path.of(plan.getConfigurationParameters().get(KernelTraceConfiguration.REPORT_DIR)
                .orElse(KernelTraceConfiguration.DEFAULT_REPORT_DIR));
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        ranInThisPlan.add(test.getUniqueId());
        String message = result.getThrowable().map(Throwable::getMessage).orElse(null);
        if (message != null && message.startsWith(TracingUnavailable.PREFIX)) {
            synchronized (NOT_TRACED) {
                NOT_TRACED.computeIfAbsent(directory, any -> new ArrayList<>())
                        .add(new String[] {test.getUniqueId(), test.getDisplayName(), message});
            }
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        ReportFiles.flush(); // every per-test report of this JVM is on disk
        writeNotTraced(directory);
        boolean summary = !plan.getConfigurationParameters().get(KernelTraceConfiguration.SUMMARY)
                .map(String::strip).filter("false"::equalsIgnoreCase).isPresent();
        RunReports.endOfRun(directory, summary ? System.out : null, Set.copyOf(ranInThisPlan));
        ranInThisPlan.clear();
        boolean baselinesOff = plan.getConfigurationParameters().get(ClassBaseline.MODE).map(String::strip)
                .filter("off"::equalsIgnoreCase).isPresent();
        if (!baselinesOff && ORPHANS_CHECKED.compareAndSet(false, true)) {
            OrphanedBaselines.warnings(ClassBaseline.directory(plan.getConfigurationParameters().get(ClassBaseline.DIRECTORY)),
                    Thread.currentThread().getContextClassLoader()).forEach(System.out::println);
        }
    }

    private static void writeNotTraced(Path directory) {
        JsonWriter json = new JsonWriter().beginObject().name("notTraced").beginArray();
        synchronized (NOT_TRACED) {
            List<String[]> tests = NOT_TRACED.get(directory);
            if (tests == null) {
                return;
            }
            for (String[] test : tests) {
                json.beginObject().member("uniqueId", test[0]).member("displayName", test[1])
                        .member("reason", test[2]).endObject();
            }
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
