package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * Flame graphs on real runs: a fixture test asks for them with {@code @KernelTrace(profile = ...)}
 * and writes, sleeps, allocates and computes in known amounts, part of it on a thread it starts;
 * its pages and its JSON report's {@code flameGraphs} block are checked against those amounts and
 * against the kernel's own count of the writes. The configuration parameter turns them on for a
 * test that did not ask, and a wrong value fails the test with what to write instead.
 */
class RealKernelFlameGraphTest {

    @TempDir
    static Path reports;

    /** How the fixture's frames read: a nested class's name without its package. */
    static final String PROFILED = "RealKernelFlameGraphTest$Profiled.";

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void aTestThatAsksGetsOnePagePerProfileBesideItsReport() throws IOException {
        RealKernel.runSuccessfully(Profiled.class, Map.of("kerneltrace.reportDir", reports.toString()), 1);

        Path json = RealKernel.report(reports, Profiled.class, "writesSleepsAllocatesAndComputes");
        String stem = json.getFileName().toString().replace(".json", "");
        for (String profile : List.of("cpu", "off-cpu", "allocation", "writes")) {
            Path page = json.resolveSibling(stem + ".flame-" + profile + ".html");
            assertThat(page).exists();
            String html = Files.readString(page);
            // Self-contained: async-profiler's page, with its script inline and nothing loaded.
            assertThat(html).startsWith("<!DOCTYPE html>").contains("<canvas id='canvas'>")
                    .doesNotContain("<script src").doesNotContain("<link");
            assertThat(html).contains("Profiled.writesSleepsAllocatesAndComputes()");
        }
        assertThat(json.resolveSibling(stem + ".flame-reads.html")).doesNotExist();

        // The test's own methods, with their lines, on the pages: the test method at the root of
        // its thread's stacks, the workload above it; the started thread's stacks from its lambda.
        assertThat(frames(json, stem, "writes")).contains(PROFILED + "writesSleepsAllocatesAndComputes:" + Profiled.firstLine)
                .contains(PROFILED + "writeTwentyTimes:" + Profiled.writeLine)
                .anyMatch(frame -> frame.startsWith(PROFILED + "lambda$writesSleepsAllocatesAndComputes$0:"));
        assertThat(frames(json, stem, "off-cpu")).anyMatch(frame -> frame.startsWith(PROFILED + "sleepThreeTimes:"))
                .contains("[Java Thread Sleep]");
        assertThat(frames(json, stem, "cpu")).anyMatch(frame -> frame.startsWith(PROFILED + "compute:"));
        assertThat(frames(json, stem, "allocation")).anyMatch(frame -> frame.startsWith(PROFILED + "allocateFourArrays:"))
                .contains("byte[]");

        String report = Files.readString(json);
        // 20 writes on the test's thread and 5 on the thread it started: JFR saw each, and the kernel
        // counted at least those (the JVM may write more on the test's threads, never fewer).
        Matcher written = Pattern.compile("\"profile\": \"writes\",\\s+\"file\": \"" + Pattern.quote(stem)
                + "\\.flame-writes\\.html\",\\s+\"title\": \"[^\"]+\",\\s+\"events\": 25,\\s+\"weight\": 25,"
                + "\\s+\"unit\": \"events\",\\s+\"coverage\": \"25 of the kernel's (\\d+) write calls\"").matcher(report);
        assertThat(written.find()).as(report).isTrue();
        assertThat(Long.parseLong(written.group(1))).isGreaterThanOrEqualTo(25);
        assertThat(report).containsPattern("\"profile\": \"cpu\",[^}]+\"unit\": \"samples\",\\s+\"samplingPeriod\": \"1 ms\","
                + "\\s+\"coverage\": \"kernel: [^\"]+ on-CPU\"");
        // Three sleeps of 20 ms at least, and the child's join.
        Matcher slept = Pattern.compile("\"profile\": \"off-cpu\",[^}]+\"weight\": (\\d+),\\s+\"unit\": \"µs\"").matcher(report);
        assertThat(slept.find()).isTrue();
        assertThat(Long.parseLong(slept.group(1))).isGreaterThanOrEqualTo(60_000);
        Matcher allocated = Pattern.compile("\"profile\": \"allocation\",[^}]+\"weight\": (\\d+),\\s+\"unit\": \"bytes\"")
                .matcher(report);
        assertThat(allocated.find()).isTrue();
        assertThat(Long.parseLong(allocated.group(1))).isGreaterThanOrEqualTo(4L * Profiled.ARRAY_BYTES);
    }

    private static List<String> frames(Path json, String stem, String profile) throws IOException {
        return FlamePages.frames(Files.readString(json.resolveSibling(stem + ".flame-" + profile + ".html")));
    }

    @Test
    void theConfigurationParameterDrawsThemForEveryTracedTest() throws IOException {
        Path directory = reports.resolve("all");
        RealKernel.runSuccessfully(NotAsking.class, Map.of("kerneltrace.reportDir", directory.toString(),
                "kerneltrace.profile", "all"), 1);

        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".html")).sorted())
                    .containsExactly(Stream.of("allocation", "cpu", "forces", "off-cpu", "reads", "writes")
                            .map(profile -> NotAsking.class.getName() + ".writesOnce.flame-" + profile + ".html")
                            .toArray(String[]::new));
        }
        assertThat(Files.readString(RealKernel.report(directory, NotAsking.class, "writesOnce")))
                .contains("\"coverage\": \"1 of the kernel's ");
    }

    @Test
    void aTestThatDoesNotAskGetsNoPages() throws IOException {
        Path directory = reports.resolve("none");
        RealKernel.runSuccessfully(NotAsking.class, Map.of("kerneltrace.reportDir", directory.toString()), 1);

        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(Path::toString)).noneMatch(name -> name.endsWith(".html"));
        }
        assertThat(Files.readString(RealKernel.report(directory, NotAsking.class, "writesOnce")))
                .contains("\"flameGraphs\": [],");
    }

    @Test
    void anUnknownProfileNameFailsTheTestWithTheNamesToUse() {
        RealKernel.Run run = RealKernel.run(NotAsking.class, Map.of("kerneltrace.reportDir", reports.resolve("bad").toString(),
                "kerneltrace.profile", "cpu, heap"), 1);

        assertThat(run.statusOf("writesOnce")).isEqualTo(Status.FAILED);
        assertThat(run.throwableOf("writesOnce"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("configuration parameter kerneltrace.profile = \"cpu, heap\": no flame graph is called \"heap\";"
                        + " use all, none, or some of cpu, off-cpu, allocation, writes, reads, forces separated by commas");
    }

    @Tag("fixture")
    @KernelTrace(profile = {Profile.CPU, Profile.OFF_CPU, Profile.ALLOCATION, Profile.WRITES})
    static class Profiled {

        static final int ARRAY_BYTES = 8 << 20;
        static volatile Object sink;

        @TempDir
        Path directory;

        /** The lines of the test method's first call and of the write in writeTwentyTimes, as they ran. */
        static volatile int firstLine;
        static volatile int writeLine;

        @Test
        void writesSleepsAllocatesAndComputes() throws Exception {
            firstLine = new Throwable().getStackTrace()[0].getLineNumber() + 1;
            writeTwentyTimes(directory.resolve("main"), 20);
            Thread child = new Thread(() -> {
                try {
                    writeTwentyTimes(directory.resolve("child"), 5);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            child.start();
            child.join();
            sleepThreeTimes();
            allocateFourArrays();
            compute(200);
        }

        static void writeTwentyTimes(Path file, int times) throws IOException {
            try (FileOutputStream out = new FileOutputStream(file.toFile())) {
                for (int i = 0; i < times; i++) {
                    writeLine = new Throwable().getStackTrace()[0].getLineNumber() + 1;
                    out.write(new byte[] {'x', '\n'});
                }
            }
        }

        static void sleepThreeTimes() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                Thread.sleep(20);
            }
        }

        static void allocateFourArrays() {
            byte[][] arrays = new byte[4][];
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = new byte[ARRAY_BYTES];
            }
            sink = arrays;
        }

        static void compute(long millis) {
            long end = System.nanoTime() + millis * 1_000_000;
            long x = 1;
            while (System.nanoTime() < end) {
                for (int i = 0; i < 100_000; i++) {
                    x = x * 31 + i;
                }
            }
            sink = x;
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class NotAsking {

        @TempDir
        Path directory;

        @Test
        void writesOnce() throws IOException {
            Files.writeString(directory.resolve("once"), "x");
        }
    }
}
