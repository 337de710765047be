package io.github.kerneltrace.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Properties;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes {@code -Dkerneltrace.traceAll=true} the one switch that traces a whole suite: when a JUnit
 * Platform session opens with that system property and nobody has decided about JUnit's extension
 * autodetection, it turns autodetection on (as a system property), so that JUnit finds
 * {@link KernelTraceAutodetected}. A decision already taken, {@code true} or {@code false}, as a
 * system property or in {@code junit-platform.properties}, is left alone. Registered through
 * {@code META-INF/services}.
 *
 * <p>Why a system property: JUnit reads configuration parameters it was not given explicitly from
 * the system properties when it needs them, after the session opened. (Parameters a build tool
 * passes explicitly, such as Surefire's {@code configurationParameters}, are not seen here and win.)
 */
public final class TraceAllSwitch implements LauncherSessionListener {

    static final String AUTODETECTION = "junit.jupiter.extensions.autodetection.enabled";

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (!"true".equalsIgnoreCase(System.getProperty(KernelTraceAutodetected.TRACE_ALL, "").strip())) {
            return;
        }
        String decided = System.getProperty(AUTODETECTION, platformProperty(AUTODETECTION));
        if (decided == null) {
            System.setProperty(AUTODETECTION, "true");
            System.out.println("[kerneltrace] kerneltrace.traceAll=true: turned on JUnit's extension autodetection ("
                    + AUTODETECTION + "=true) to trace the tests without KernelTrace annotations");
        } else if (!"true".equalsIgnoreCase(decided.strip())) {
            System.out.println("[kerneltrace] kerneltrace.traceAll=true traces nothing more: JUnit's extension autodetection"
                    + " is off (" + AUTODETECTION + "=" + decided + "); set it to true");
        }
    }

    /** The value {@code junit-platform.properties}, as JUnit finds it on the class path, sets for {@code key}; null if none. */
    private static String platformProperty(String key) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL file = (loader != null ? loader : TraceAllSwitch.class.getClassLoader()).getResource("junit-platform.properties");
        if (file == null) {
            return null;
        }
        try (InputStream in = file.openStream()) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
