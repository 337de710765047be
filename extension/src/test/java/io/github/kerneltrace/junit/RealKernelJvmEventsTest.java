package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.metrics.JvmEventMetrics;

/**
 * JVM events on the real kernel, from HotSpot's USDT probes: parks and sleeps of the test's thread
 * exactly, System.gc() seen as GC pauses with their times and a breach naming them, a class defined
 * inside the test counted, compilations said to be JVM-wide, the "flag missing" text for contended
 * monitors, and a JVM library without probes refused saying so.
 */
class RealKernelJvmEventsTest {

    static final int PARKS = 10;
    static final int SLEEPS = 5;
    static final int GCS = 3;

    private static Duration detachDelay;

    /** Where the fixture's JSON reports go, for the whole class (the fixture runs once). */
    @TempDir
    static Path reports;

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
        detachDelay = KernelTracer.shared().detachDelay();
        KernelTracer.shared().setDetachDelay(Duration.ZERO);
    }

    @AfterAll
    static void restoreDetachDelay() {
        System.clearProperty("kerneltrace.jvmLibrary");
        if (detachDelay != null) {
            KernelTracer.shared().setDetachDelay(detachDelay);
        }
    }

    @BeforeEach
    void noProbesLeftFromEarlierTests() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (KernelTracer.shared().jvmProbesAttached() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(KernelTracer.shared().jvmProbesAttached()).as("JVM probes attached before the fixture runs").isFalse();
    }

    private static RealKernel.Run events() {
        return RealKernel.run(JvmEvents.class, Map.of("kerneltrace.reportDir", reports.toString()), 8);
    }

    @Test
    void countsTheTestThreadsParksAndSleepsExactly() {
        RealKernel.Run run = events();
        assertThat(run.statusOf("parksTenTimes")).isEqualTo(Status.SUCCESSFUL);
        JvmEventMetrics parks = run.metrics("parksTenTimes").jvm();
        assertThat(parks.parks()).isEqualTo(PARKS);
        assertThat(parks.parkNanos().getValueAtPercentile(50)).isGreaterThanOrEqualTo(900_000L);
        JvmEventMetrics sleeps = run.metrics("sleepsFiveTimes").jvm();
        assertThat(sleeps.sleeps()).isEqualTo(SLEEPS);
        assertThat(sleeps.parks()).isZero();
        assertThat(sleeps.sleepNanos().getMinValue()).isGreaterThanOrEqualTo(1_900_000L);
    }

    @Test
    void oneParkTooManyBreachesTheLimit() {
        Throwable breach = events().throwableOf("parksElevenTimes");
        assertThat(breach).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("  - parks: limit 10, measured 11")
                .hasMessageContaining("(@MaxParks(10))")
                .hasMessageContaining("\nJVM: ");
    }

    @Test
    void eachSystemGcIsAPauseWithAPlausibleTimeAndTheBreachSaysJvmWide() {
        RealKernel.Run run = events();
        Throwable breach = run.throwableOf("collectsThreeTimes");
        assertThat(breach).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("  - GC pauses (JVM-wide): limit 1, measured ")
                .hasMessageContaining("(@MaxGcPauses(1))")
                .hasMessageContaining(" (these three JVM-wide); ");
        JvmEventMetrics gc = run.metrics("collectsThreeTimes").jvm();
        assertThat(gc.gcPauses()).isGreaterThanOrEqualTo(GCS);
        assertThat(gc.gcPauseNanos().getTotalCount()).isEqualTo(gc.gcPauses());
        assertThat(gc.gcPauseNanos().getMinValue()).isGreaterThan(1_000L);
        assertThat(gc.gcPauseNanos().getMaxValue()).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(gc.safepoints()).as("each pause at a safepoint").isGreaterThanOrEqualTo(GCS);
        System.out.println(Runtime.version() + ": " + GCS + " x System.gc(): " + gc.gcPauses() + " GC pauses ("
                + gc.fullGcPauses() + " full), p50 " + gc.gcPauseNanos().getValueAtPercentile(50) + " ns, max "
                + gc.gcPauseNanos().getMaxValue() + " ns; " + gc.safepoints() + " safepoints");
    }

    @Test
    void aFullCollectionBreachesANoFullGcBudget() {
        Throwable breach = events().throwableOf("collectsOnceFully");
        assertThat(breach).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("  - full GC pauses (JVM-wide): limit 0, measured ")
                .hasMessageContaining("(@MaxGcPauses(value = 0, full = true))");
    }

    @Test
    void theReportsJvmObjectSaysWhoEachFigureCountsForAndWhatWasNotCounted() throws Exception {
        RealKernel.Run run = events();
        Map<String, Object> report = JsonTree.parse(Files.readString(
                RealKernel.report(reports, JvmEvents.class, "sleepsFiveTimes")));
        assertThat(JsonTree.at(report, "jvm.sleeps.count")).isEqualTo((long) SLEEPS);
        assertThat(JsonTree.at(report, "jvm.sleeps.scope")).isEqualTo("threads");
        assertThat(JsonTree.at(report, "jvm.gc.scope")).isEqualTo("jvm");
        assertThat(JsonTree.at(report, "jvm.jit.scope")).isEqualTo("jvm");
        assertThat(JsonTree.at(report, "jvm.monitors.contendedEnters")).isNull();
        assertThat(JsonTree.at(report, "jvm.monitors.notCounted"))
                .isEqualTo("not counted: start the JVM with -XX:+DTraceMonitorProbes");
        assertThat(run.metrics("sleepsFiveTimes").list()).anyMatch(metric -> metric.key().equals("jvm.sleeps.nanos.p99"));
    }

    @Test
    void aClassDefinedInsideTheTestCountsAndAHotLoopIsCompiledInsideIt() {
        RealKernel.Run run = events();
        assertThat(run.statusOf("definesAClass")).isEqualTo(Status.SUCCESSFUL);
        JvmEventMetrics jvm = run.metrics("definesAClass").jvm();
        assertThat(jvm.classesLoaded()).isEqualTo(1);
        assertThat(run.statusOf("compiles")).as("a JIT limit is measured").isEqualTo(Status.SUCCESSFUL);
        assertThat(run.metrics("compiles").list()).anyMatch(metric -> metric.key().equals("jvm.jit.compilations"));
        // Hot.step, never called before, runs hot for 50 ms: the JIT compiles it (and the loop) meanwhile
        assertThat(run.metrics("compiles").jvm().jitCompilations()).as("compilations begun inside the window").isPositive();
    }

    @Test
    void contendedMonitorsWithoutTheFlagAreNotCountedAndSaySo() {
        RealKernel.Run run = events();
        Throwable notMeasured = run.throwableOf("contendsWithoutTheFlag");
        assertThat(notMeasured).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("contended monitor enters")
                .hasMessageContaining("start the JVM with -XX:+DTraceMonitorProbes");
        JvmEventMetrics jvm = run.metrics("contendsWithoutTheFlag").jvm();
        assertThat(jvm.monitorsCounted()).isFalse();
        assertThat(jvm.list()).noneMatch(metric -> metric.key().startsWith("jvm.monitors"));
    }

    @Test
    void contendedMonitorsAreCountedExactlyInAJvmStartedWithTheFlag(@TempDir Path logs)
            throws Exception {
        String flagged = ChildJvm.run(logs.resolve("flagged.log"), List.of(),
                List.of("-XX:+DTraceMonitorProbes"), ContendedMonitors.class, "6");
        assertThat(flagged).contains("contended=6");
        String plain = ChildJvm.run(logs.resolve("plain.log"), List.of(), List.of(),
                ContendedMonitors.class, "2");
        assertThat(plain).contains("notCounted=not counted: start the JVM with -XX:+DTraceMonitorProbes");
    }

    @Test
    void aJvmLibraryWithoutProbesIsRefusedSayingSo() throws Exception {
        System.setProperty("kerneltrace.jvmLibrary", Path.of("/bin/true").toRealPath().toString());
        try {
            RealKernel.Run run = RealKernel.run(NoProbes.class, 1);
            Throwable refused = run.throwableOf("asksForJvmEvents");
            assertThat(refused).hasMessageContaining("has no USDT probes (no .note.stapsdt section)")
                    .hasMessageContaining("use a JDK that has them")
                    .hasMessageContaining("asked for by @KernelTrace(jvmEvents = true) or a JVM-event limit");
            assertThat(run.statusOf("asksForJvmEvents")).isIn(Status.ABORTED, Status.FAILED);
        } finally {
            System.clearProperty("kerneltrace.jvmLibrary");
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class JvmEvents extends RealKernel.Recorded {

        /** A loader with no parent but the boot loader: it defines Loaded anew (JUnit loaded this JVM's copy). */
        URLClassLoader fresh;

        @BeforeEach
        void warmUp() throws Exception {
            LockSupport.parkNanos(1_000);
            Thread.sleep(1);
            URL classes = Loaded.class.getProtectionDomain().getCodeSource().getLocation();
            try (URLClassLoader warm = new URLClassLoader(new URL[] {classes}, null)) {
                Class.forName(Loaded.class.getName(), false, warm); // the loader's own classes, once per JVM
            }
            fresh = new URLClassLoader(new URL[] {classes}, null);
        }

        @AfterEach
        void closeLoader() throws IOException {
            fresh.close();
        }

        @Test
        @MaxParks(PARKS)
        void parksTenTimes() {
            for (int i = 0; i < PARKS; i++) {
                LockSupport.parkNanos(1_000_000);
            }
        }

        @Test
        @MaxParks(PARKS)
        void parksElevenTimes() {
            for (int i = 0; i <= PARKS; i++) {
                LockSupport.parkNanos(1_000);
            }
        }

        @Test
        @KernelTrace(jvmEvents = true)
        void sleepsFiveTimes() throws InterruptedException {
            for (int i = 0; i < SLEEPS; i++) {
                Thread.sleep(2);
            }
        }

        @Test
        @MaxGcPauses(1)
        void collectsThreeTimes() {
            for (int i = 0; i < GCS; i++) {
                System.gc();
            }
        }

        @Test
        @MaxGcPauses(value = 0, full = true)
        void collectsOnceFully() {
            System.gc();
        }

        @Test
        @KernelTrace(jvmEvents = true)
        void definesAClass() throws Exception {
            Class.forName(Loaded.class.getName(), false, fresh);
        }

        @Test
        @MaxContendedMonitorEnters(0)
        void contendsWithoutTheFlag() {
        }

        @Test
        @MaxJitCompilations(1_000_000)
        void compiles() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long sum = 0;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 10_000; i++) {
                    sum += Hot.step(i);
                }
            }
            Hot.sink = sum;
        }
    }

    static final class Loaded {
    }

    /** Called only by {@code compiles}: not compiled before it runs. */
    static final class Hot {
        static volatile long sink;

        static long step(long x) {
            return x * 31 + 7;
        }
    }

    @Tag("fixture")
    @KernelTrace(jvmEvents = true)
    static class NoProbes {

        @Test
        void asksForJvmEvents() {
        }
    }
}
