package io.github.kerneltrace.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

import io.github.kerneltrace.junit.KernelTrace;

/**
 * No report is lost: one traced test repeated 100,000 times through the JUnit Platform must leave
 * as many JSON reports. Before 2026-11-30 the file
 * names carried an 8-hex-digit hash, which collided within 10,000 repetitions.
 * Run: {@code java -cp … io.github.kerneltrace.benchmarks.ReportsKept} (as root).
 */
public final class ReportsKept {

    private static final int REPETITIONS = 100_000;

    /** The traced test. */
    @KernelTrace
    public static class Repeated {
        @RepeatedTest(REPETITIONS)
        void empty() {
        }
    }

    public static void main(String[] args) throws Exception {
        Path reports = Files.createTempDirectory("kerneltrace-reports");
        Launcher launcher = LauncherFactory.create();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Repeated.class))
                .configurationParameter("kerneltrace.summary", "false")
                .configurationParameter("kerneltrace.reportDir", reports.toString())
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long start = System.nanoTime();
        launcher.execute(request, listener);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        long files;
        try (Stream<Path> listed = Files.list(reports)) {
            files = listed.count();
        }
        System.out.printf("%d traced invocations passed, %d reports in %s (%d s)%n",
                listener.getSummary().getTestsSucceededCount(), files, reports, seconds);
        if (files != listener.getSummary().getTestsSucceededCount() || files != REPETITIONS) {
            throw new IllegalStateException("reports lost: " + files + " files for " + REPETITIONS + " invocations");
        }
    }

    private ReportsKept() {
    }
}
