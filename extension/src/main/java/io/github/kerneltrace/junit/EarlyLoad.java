package io.github.kerneltrace.junit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts loading the BPF programs (not attaching them: that waits for the first traced test) as
 * soon as a JUnit Platform session opens, on a daemon thread, while JUnit discovers and runs the
 * tests that come first. Registered through {@code META-INF/services}; switched off with the
 * system property {@code kerneltrace.preload=false}. When the session closes, it waits for the
 * JSON reports still being written ({@link ReportFiles}), and repeats how many traced tests could
 * not be traced, and why.
 */
public final class EarlyLoad implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!"false".equals(System.getProperty("kerneltrace.preload"))) {
            BackgroundLoad.start();
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        ReportFiles.flush(); // the reports of this session are on disk when it ends
        TracingUnavailable.summarize(System.out); // traced tests that were not: said again at the end
    }
}
