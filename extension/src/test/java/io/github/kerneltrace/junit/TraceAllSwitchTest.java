package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Dkerneltrace.traceAll=true} alone turns JUnit's extension autodetection on when a session
 * opens, unless someone decided about autodetection already. (That Surefire then traces the tests
 * without annotations was checked on the sample project: docs/ci.md.)
 */
class TraceAllSwitchTest {

    private Properties saved;

    @BeforeEach
    void save() {
        saved = (Properties) System.getProperties().clone();
        System.clearProperty(TraceAllSwitch.AUTODETECTION);
    }

    @AfterEach
    void restore() {
        System.setProperties(saved);
    }

    @Test
    void traceAllTurnsAutodetectionOn() {
        System.setProperty(KernelTraceAutodetected.TRACE_ALL, "true");

        new TraceAllSwitch().launcherSessionOpened(null);

        assertThat(System.getProperty(TraceAllSwitch.AUTODETECTION)).isEqualTo("true");
    }

    @Test
    void withoutTraceAllAutodetectionIsLeftAlone() {
        System.clearProperty(KernelTraceAutodetected.TRACE_ALL);
        new TraceAllSwitch().launcherSessionOpened(null);
        assertThat(System.getProperty(TraceAllSwitch.AUTODETECTION)).isNull();

        System.setProperty(KernelTraceAutodetected.TRACE_ALL, "false");
        new TraceAllSwitch().launcherSessionOpened(null);
        assertThat(System.getProperty(TraceAllSwitch.AUTODETECTION)).isNull();
    }

    @Test
    void autodetectionSwitchedOffByTheUserStaysOff() {
        System.setProperty(KernelTraceAutodetected.TRACE_ALL, "true");
        System.setProperty(TraceAllSwitch.AUTODETECTION, "false");

        new TraceAllSwitch().launcherSessionOpened(null);

        assertThat(System.getProperty(TraceAllSwitch.AUTODETECTION)).isEqualTo("false");
    }

    @Test
    void autodetectionSwitchedOffInJunitPlatformPropertiesStaysOffAndSaysSo(@TempDir Path classes) throws IOException {
        System.setProperty(KernelTraceAutodetected.TRACE_ALL, "true");
        Files.writeString(classes.resolve("junit-platform.properties"), TraceAllSwitch.AUTODETECTION + " = false\n");
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader withFile = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(withFile);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            new TraceAllSwitch().launcherSessionOpened(null);
        } finally {
            System.setOut(console);
            Thread.currentThread().setContextClassLoader(original);
        }

        assertThat(System.getProperty(TraceAllSwitch.AUTODETECTION)).isNull();
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("[kerneltrace] kerneltrace.traceAll=true traces nothing"
                + " more: JUnit's extension autodetection is off (" + TraceAllSwitch.AUTODETECTION + "=false); set it to true"
                + System.lineSeparator());
    }
}
