package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Assertions midway through a traced test do not count in it: KernelTrace loads its assertion
 * classes, and the AssertJ classes they and the usual assertions use, before the first traced
 * test starts counting ({@link AssertionWarmUp}).
 *
 * <p>Class loading happens once per JVM, so each run is a fresh child JVM ({@link Child}): it runs
 * a traced test of one class ({@link Warm}), then the first traced test of a second class, which
 * reads its metrics midway, and prints the final counts of the system calls class loading makes
 * (read, lseek, newfstatat, openat). The test that asserts on what it read ({@link Asserting})
 * must count exactly what its twin that does not assert counts ({@link Twin}). With the loading
 * ahead switched off, the asserting test counts more: the check can tell.
 */
class QuietAssertionsTest {

    private static final List<String> CLASS_LOADING_CALLS = List.of("read", "lseek", "newfstatat", "openat");
    private static final Pattern COUNTS = Pattern.compile("(?m)^counts: (.*)$");

    @Test
    void anAssertionMidwayCountsNothingInTheTest(@TempDir Path dir) throws Exception {
        assertCountsAsItsTwin(dir, Asserting.class);
    }

    @Test
    void softAssertionsMidwayCountNothingInTheTest(@TempDir Path dir) throws Exception {
        // soft assertions build proxy classes on first use: 6,830 calls before they were loaded ahead
        assertCountsAsItsTwin(dir, AssertingSoftly.class);
    }

    /** The class-loading calls of {@code asserting}, which asserts midway, are exactly those of its twin that does not. */
    private static void assertCountsAsItsTwin(Path dir, Class<?> asserting) throws Exception {
        RealKernel.requireTracing();

        Map<String, Long> counts = countsInFreshJvm(dir, asserting, true);
        Map<String, Long> twin = countsInFreshJvm(dir, Twin.class, true);

        assertThat(counts).as("class-loading calls of %s, which asserts midway, against its twin that does not",
                asserting.getSimpleName()).isEqualTo(twin);
    }

    @Test
    void withoutLoadingAheadTheSameAssertionsCount(@TempDir Path dir) throws Exception {
        RealKernel.requireTracing();

        Map<String, Long> asserting = countsInFreshJvm(dir, Asserting.class, false);
        Map<String, Long> twin = countsInFreshJvm(dir, Twin.class, false);

        // The control: the counts above can tell an assertion's class loading from none.
        assertThat(sum(asserting)).as("class-loading calls with kerneltrace.preloadAssertions=false: asserting "
                + asserting + ", twin " + twin).isGreaterThan(sum(twin));
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Runs {@link Warm} then {@code subject} in a child JVM; the subject's final counts by system call. */
    private static Map<String, Long> countsInFreshJvm(Path dir, Class<?> subject, boolean loadAhead)
            throws IOException, InterruptedException {
        String output = ChildJvm.run(dir.resolve(subject.getSimpleName() + "-" + loadAhead + ".log"), List.of(),
                List.of("-Dkerneltrace.preloadAssertions=" + loadAhead), Child.class, subject.getName());
        Matcher counts = COUNTS.matcher(output);
        assertThat(counts.find()).as("the child printed its counts\n" + output).isTrue();
        Map<String, Long> bySyscall = new TreeMap<>();
        for (String pair : counts.group(1).split(" ")) {
            String[] nameAndCount = pair.split("=");
            bySyscall.put(nameAndCount[0], Long.parseLong(nameAndCount[1]));
        }
        return bySyscall;
    }

    /**
     * The child JVM: no AssertJ here, so that nothing but the fixtures loads it. Prints
     * {@code counts: read=0 lseek=0 newfstatat=0 openat=0} for the subject, or why there are none.
     */
    static final class Child {

        public static void main(String[] args) throws ClassNotFoundException {
            Fixtures.run(Warm.class, Map.of("kerneltrace.require", "true"));
            Class<?> subject = Class.forName(args[0]);
            var results = Fixtures.run(subject, Map.of("kerneltrace.require", "true"));
            if (Recorder.counts == null) {
                System.out.println("no counts: " + results.testEvents().list());
                System.exit(1);
            }
            System.out.println("counts: " + Recorder.counts);
        }
    }

    /** Keeps the final counts of the last traced test. */
    static final class Recorder {

        static volatile String counts;

        static void record(KernelMetrics metrics) {
            StringBuilder line = new StringBuilder();
            for (String call : CLASS_LOADING_CALLS) {
                line.append(line.length() == 0 ? "" : " ").append(call).append('=').append(metrics.syscall(call).count());
            }
            counts = line.toString();
        }
    }

    /** The first class: the extension's own first use is over before the subject runs. */
    @Tag("fixture")
    static class Warm {

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void traced() {
        }
    }

    /** Reads its metrics midway and asserts on them, with KernelTrace's and AssertJ's assertions (a map's). */
    @Tag("fixture")
    static class Asserting {

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void readsMidwayAndAsserts(KernelTraceSession session) {
            KernelMetrics midway = session.metrics();
            KernelTraceAssertions.assertThat(midway).syscall("fsync").isNotCalled();
            KernelTraceAssertions.assertThat(midway).scheduler().hasAtMostVoluntarySwitches(1_000);
            KernelTraceAssertions.assertThat(midway.syscalls()).doesNotContainKey("fsync");
        }

        @AfterEach
        void record(KernelTraceSession session) {
            Recorder.record(session.metrics());
        }
    }

    /** Reads its metrics midway and asserts softly, through the families' navigation. */
    @Tag("fixture")
    static class AssertingSoftly {

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void readsMidwayAndAssertsSoftly(KernelTraceSession session) {
            KernelMetrics midway = session.metrics();
            KernelTraceSoftAssertions softly = new KernelTraceSoftAssertions();
            softly.assertThat(midway).syscall("fsync").isNotCalled();
            softly.assertThat(midway).scheduler().hasAtMostVoluntarySwitches(1_000);
            softly.assertThat(midway.syscalls()).doesNotContainKey("fsync");
            softly.assertAll();
        }

        @AfterEach
        void record(KernelTraceSession session) {
            Recorder.record(session.metrics());
        }
    }

    /** {@link Asserting} without the assertions. */
    @Tag("fixture")
    static class Twin {

        static volatile KernelMetrics midway;

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void readsMidway(KernelTraceSession session) {
            midway = session.metrics();
        }

        @AfterEach
        void record(KernelTraceSession session) {
            Recorder.record(session.metrics());
        }
    }
}
