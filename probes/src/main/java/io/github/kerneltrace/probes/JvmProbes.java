package io.github.kerneltrace.probes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Where this JVM's HotSpot USDT probes are, and which of them fire: the {@code libjvm.so} this
 * process mapped, whether it carries USDT notes ({@code .note.stapsdt}; a JVM built without
 * DTrace support, or not HotSpot, has none), and whether contended monitor probes are on (they
 * fire only with {@code -XX:+DTraceMonitorProbes}, a start-up flag).
 *
 * <p>Test seam: the system property {@code kerneltrace.jvmLibrary} names another file to look at
 * (e.g. a library without notes), read when the probes are first attached.
 */
public final class JvmProbes {

    private JvmProbes() {
    }

    /**
     * Why the JVM events cannot be counted in this JVM, or null when they can.
     *
     * @param library this JVM's libjvm.so, or null when none is mapped
     */
    static String whyNoProbes(String library) {
        if (library == null) {
            return "this JVM (" + System.getProperty("java.vm.name") + ") maps no libjvm.so: JVM events come from HotSpot's"
                    + " USDT probes; run the tests on a HotSpot JVM (OpenJDK, Temurin) built with them";
        }
        try {
            if (!UsdtNotes.present(Path.of(library))) {
                return library + " has no USDT probes (no .note.stapsdt section): this JDK was built without DTrace"
                        + " probes; use a JDK that has them (Debian's OpenJDK and Temurin do: readelf -n libjvm.so | grep stapsdt)";
            }
        } catch (IOException e) {
            return "cannot read " + library + " to find its USDT probes: " + e.getMessage();
        }
        return null;
    }

    /** The libjvm.so this process mapped (or the test seam's file), or null. */
    static String library() {
        String override = System.getProperty("kerneltrace.jvmLibrary");
        if (override != null && !override.isBlank()) {
            return override;
        }
        try {
            return MappedLibraries.mappedFiles().stream().filter(file -> file.endsWith("/libjvm.so")).findFirst().orElse(null);
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Why contended monitor enters are not counted in this JVM, or null when they are: HotSpot
     * fires {@code monitor__contended__*} only when started with {@code -XX:+DTraceMonitorProbes}.
     */
    static String whyNoMonitorProbes() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotSpot != null && "true".equals(hotSpot.getVMOption("DTraceMonitorProbes").getValue())) {
                return null;
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no such option: not HotSpot, or a HotSpot without it
        }
        return "not counted: start the JVM with -XX:+DTraceMonitorProbes";
    }
}
