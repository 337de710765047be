package coldsuite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Times the test phase of the cold suite inside the Surefire fork, so that Maven's and the JVM's
 * start-up are not part of the figure: from the first test's start to the last test's end, and,
 * when the run writes KernelTrace reports, until all {@code coldsuite.reports} of them are on
 * disk (a report written in the background is work the run still pays for). Counts the tests by
 * outcome, so that a run that executed nothing, or skipped tests, cannot pass for a fast one.
 * The tests' own durations (start to end as JUnit reports them) are also summed by fifths of the
 * run, in the order run: how the cost changes as the JVM warms up.
 * Beside wall time, CPU time over the same span: of the thread that runs the tests, and of the
 * whole JVM (background threads included), less disturbed than wall time by a busy machine.
 * Writes {@code target/phase-clock.properties}, which {@code ColdSuiteRounds} reads.
 */
public final class PhaseClock implements TestExecutionListener {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private long firstStarted;
    private long firstFinished;
    private long lastFinished;
    private long uptimeAtFirstTestMillis;
    private long testThreadCpuAtFirst;
    private long testThreadCpuAtLast;
    private long processCpuAtFirst;
    private final List<Long> durations = new ArrayList<>();
    private long started;
    private int succeeded;
    private int failed;
    private int skipped;

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            started = System.nanoTime();
        }
        if (test.isTest() && firstStarted == 0) {
            firstStarted = System.nanoTime();
            uptimeAtFirstTestMillis = ManagementFactory.getRuntimeMXBean().getUptime();
            testThreadCpuAtFirst = THREADS.getCurrentThreadCpuTime();
            processCpuAtFirst = processCpuNanos();
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        lastFinished = System.nanoTime();
        durations.add(lastFinished - started);
        testThreadCpuAtLast = THREADS.getCurrentThreadCpuTime();
        if (firstFinished == 0) {
            firstFinished = lastFinished;
        }
        if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            succeeded++;
        } else {
            failed++;
        }
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
        skipped++;
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        int expectedReports = Integer.getInteger("coldsuite.reports", 0);
        long reportsWritten = lastFinished;
        int reports = 0;
        if (expectedReports > 0) {
            Path dir = Path.of(System.getProperty("kerneltrace.reportDir", "target/kerneltrace"));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((reports = countReports(dir)) < expectedReports && System.nanoTime() < deadline) {
                LockSupport.parkNanos(500_000); // not a busy loop: the writer may need this CPU
            }
            reportsWritten = System.nanoTime();
        }
        String lines = "succeeded=" + succeeded + "\nfailed=" + failed + "\nskipped=" + skipped
                + "\nreports=" + reports
                + "\nuptimeAtFirstTestMillis=" + uptimeAtFirstTestMillis
                + "\nfirstTestNanos=" + (firstFinished - firstStarted)
                + "\nallTestsNanos=" + (lastFinished - firstStarted)
                + "\nuntilReportsNanos=" + (reportsWritten - firstStarted)
                + "\ntestThreadCpuNanos=" + (testThreadCpuAtLast - testThreadCpuAtFirst)
                + "\nprocessCpuNanos=" + (processCpuNanos() - processCpuAtFirst)
                + "\ntestNanosByFifth=" + byFifth() + "\n";
        try {
            Files.writeString(Path.of("target", "phase-clock.properties"), lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tests' durations summed over each fifth of the run, comma-separated. */
    private String byFifth() {
        StringBuilder sums = new StringBuilder();
        for (int fifth = 0; fifth < 5; fifth++) {
            long sum = 0;
            for (int i = fifth * durations.size() / 5; i < (fifth + 1) * durations.size() / 5; i++) {
                sum += durations.get(i);
            }
            sums.append(fifth == 0 ? "" : ",").append(sum);
        }
        return sums.toString();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static int countReports(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            // per-test reports only: not the run report (summary.json) nor the list of tests not traced
            return (int) files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json") && !name.equals("summary.json") && !name.startsWith("not-traced-"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
