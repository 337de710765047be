package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.JvmEventMetrics;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * HotSpot's USDT probes in the real kernel: parks and sleeps of the tracked thread counted
 * exactly while another thread parks all the while, System.gc() pauses seen with their times, a
 * class defined inside the window counted, and the "no probes" refusal.
 */
class JvmEventsTest {

    private interface Work {
        void run() throws Exception;
    }

    private static java.time.Duration detachDelay;

    @BeforeAll
    static void tracing() {
        TracingAssumptions.requireTracing();
        // detached after each test: the "no probes" seam is read at the next attach
        detachDelay = KernelTracer.shared().detachDelay();
        KernelTracer.shared().setDetachDelay(java.time.Duration.ZERO);
    }

    @org.junit.jupiter.api.AfterAll
    static void restoreDetachDelay() {
        if (detachDelay != null) {
            KernelTracer.shared().setDetachDelay(detachDelay);
        }
    }

    @AfterEach
    void noSeam() {
        System.clearProperty("kerneltrace.jvmLibrary");
    }

    private static JvmEventMetrics trace(Work work) throws Exception {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.countJvmEvents();
            slot.start();
            work.run();
            slot.stop();
            KernelMetrics metrics = slot.metrics();
            return metrics.jvm();
        }
    }

    @Test
    void countsTheTrackedThreadsParksAndSleepsExactly() throws Exception {
        Thread other = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(100_000);
            }
        }, "parking-noise");
        other.start();
        try {
            JvmEventMetrics jvm = trace(() -> {
                for (int i = 0; i < 25; i++) {
                    LockSupport.parkNanos(200_000);
                }
                for (int i = 0; i < 7; i++) {
                    Thread.sleep(2);
                }
            });
            assertThat(jvm.counted()).isTrue();
            assertThat(jvm.parks()).isEqualTo(25);
            assertThat(jvm.parkNanos().getTotalCount()).isEqualTo(25);
            assertThat(jvm.parkNanos().getValueAtPercentile(50)).isBetween(150_000L, 50_000_000L);
            assertThat(jvm.sleeps()).isEqualTo(7);
            assertThat(jvm.sleepNanos().getMinValue()).isGreaterThanOrEqualTo(1_900_000L);
        } finally {
            other.interrupt();
            other.join();
        }
    }

    @Test
    void seesEachSystemGcAsAPauseWithItsTime() throws Exception {
        JvmEventMetrics jvm = trace(() -> {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
        });
        assertThat(jvm.gcPauses()).isGreaterThanOrEqualTo(3);
        assertThat(jvm.gcPauseNanos().getTotalCount()).isEqualTo(jvm.gcPauses());
        assertThat(jvm.gcPauseNanos().getMinValue()).isGreaterThan(1_000L);
        assertThat(jvm.gcPauseNanos().getMaxValue()).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(jvm.safepoints()).as("a GC pause is taken at a safepoint").isGreaterThanOrEqualTo(3);
        System.out.println("3 x System.gc(): " + jvm.gcPauses() + " GC pauses (" + jvm.fullGcPauses() + " full), p50 "
                + jvm.gcPauseNanos().getValueAtPercentile(50) + " ns; " + jvm.safepoints() + " safepoints");
    }

    @Test
    void countsAClassDefinedInsideTheWindow() throws Exception {
        // A fresh loader with no parent but the boot loader defines the class anew (JUnit loaded this JVM's copy).
        URL classes = LoadedInside.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader warmUp = new URLClassLoader(new URL[] {classes}, null)) {
            Class.forName(LoadedInside.class.getName(), false, warmUp); // the loader's own classes, loaded once per JVM
        }
        try (URLClassLoader fresh = new URLClassLoader(new URL[] {classes}, null)) {
            String name = LoadedInside.class.getName();
            JvmEventMetrics jvm = trace(() -> Class.forName(name, false, fresh));
            assertThat(jvm.classesLoaded()).isEqualTo(1);
            JvmEventMetrics again = trace(() -> Class.forName(name, false, fresh));
            assertThat(again.classesLoaded()).as("loaded already").isZero();
        }
    }

    static final class LoadedInside {
    }

    @Test
    void refusesAJvmLibraryWithoutProbesSayingSo() throws Exception {
        // The probes must be detached for the seam to be looked at: the detach delay is zero here.
        System.setProperty("kerneltrace.jvmLibrary", Path.of("/bin/true").toRealPath().toString());
        assertThatThrownBy(() -> trace(() -> { }))
                .isInstanceOf(TracingUnavailableException.class)
                .hasMessageContaining("has no USDT probes")
                .hasMessageContaining("readelf -n libjvm.so");
    }

    @Test
    void findsTheNotesInThisJvmsLibrary() throws Exception {
        assertThat(JvmProbes.library()).endsWith("/libjvm.so");
        assertThat(UsdtNotes.present(Path.of(JvmProbes.library()))).isTrue();
        assertThat(UsdtNotes.present(Path.of("/bin/true").toRealPath())).isFalse();
        assertThat(JvmProbes.whyNoMonitorProbes()).isEqualTo("not counted: start the JVM with -XX:+DTraceMonitorProbes");
    }
}
