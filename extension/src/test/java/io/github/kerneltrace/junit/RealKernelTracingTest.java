package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * The extension on the real kernel, against oracles: counts the fixtures make themselves, and
 * the kernel's own per-thread counters in {@code /proc/thread-self/io}.
 */
class RealKernelTracingTest {

    /** Where the fixtures' JSON reports go, for the whole class (each fixture runs once). */
    @TempDir
    static Path reports;

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void countsExactlyTheWritesOfTheTestMethodAndNotThoseOfBeforeEach() {
        RealKernel.Run exact = RealKernel.runSuccessfully(Exact.class, 3);

        KernelMetrics metrics = exact.metrics("writesSevenBytes");
        assertThat(metrics).hasSyscallCount("write", 7).hasAtMostSyscalls("write", 7);
        assertThat(metrics).bytesWritten().isEqualTo(7);
        assertThat(metrics).syscallCount("write").as("/proc/thread-self/io syscw").isEqualTo(exact.<Long>oracle("syscw"));
    }

    @Test
    void countsTheBytesReadOfAKnownFileExactly() {
        KernelMetrics metrics = RealKernel.runSuccessfully(Exact.class, 3).metrics("readsAKnownFile");

        assertThat(metrics).bytesRead().isEqualTo(Exact.FILE_SIZE);
        // 4096 + 4096 + 1808 bytes, then end of file.
        assertThat(metrics).hasSyscallCount("read", 4);
        assertThat(metrics.syscall("read").bytes()).isEqualTo(Exact.FILE_SIZE);
    }

    @Test
    void readingMetricsDuringTheTestIsNotCounted() {
        assertThat(RealKernel.runSuccessfully(Exact.class, 3).metrics("readsMetricsMidway")).hasSyscallCount("write", 3);
    }

    @Test
    void withoutLatencyCallsAndBytesAreStillExactAndNothingIsTimed() {
        RealKernel.Run countsOnly = RealKernel.runSuccessfully(CountsOnly.class, 2);

        KernelMetrics metrics = countsOnly.metrics("writesElevenBytesUntimed");
        assertThat(metrics).hasSyscallCount("write", 11);
        assertThat(metrics).bytesWritten().isEqualTo(11);
        assertThat(metrics.syscall("write").latencyNanos().getTotalCount()).isZero();
        // the same test with latency on times every call
        assertThat(countsOnly.metrics("writesElevenBytesTimed").syscall("write").latencyNanos().getTotalCount()).isEqualTo(11);
    }

    @Test
    void aLatencyLimitOnATestWithoutLatencyIsRefusedBeforeItRuns() {
        RealKernel.Run run = RealKernel.run(LatencyLimitWithoutLatency.class, 1);

        assertThat(run.statusOf("limitsAnUntimedCall")).isEqualTo(Status.FAILED);
        assertThat(run.throwableOf("limitsAnUntimedCall"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@MaxSyscallLatency(syscall = \"write\", value = \"1ms\") on"
                        + " LatencyLimitWithoutLatency.limitsAnUntimedCall(): latency is not measured for this test"
                        + " (@KernelTrace(latency = false)); remove the limit or turn latency on");
        assertThat(LatencyLimitWithoutLatency.bodyRan).isFalse();
    }

    @Test
    void testScopeCountsAChildThreadAndThreadScopeDoesNot() {
        RealKernel.Run scopes = scopes();

        assertThat(scopes.metrics("childThreadUnderTestScope")).hasSyscallCount("write", 2 + 3);
        assertThat(scopes.metrics("childThreadUnderThreadScope")).hasSyscallCount("write", 2);
    }

    @Test
    void testScopeCountsASpawnedProcessAndThreadScopeDoesNot() {
        RealKernel.Run scopes = scopes();

        assertThat(scopes.metrics("processUnderTestScope")).syscallCount("execve").isGreaterThanOrEqualTo(1);
        assertThat(scopes.metrics("processUnderThreadScope")).doesNotCall("execve");
    }

    @Test
    void processScopeCountsThreadsThatExistedBeforeTheTest() {
        assertThat(scopes().metrics("existingThreadUnderProcessScope")).syscallCount("write").isGreaterThanOrEqualTo(4);
    }

    @Test
    void testScopeCountsTheWorkHandedToAThreadThatExistedBeforeTheTestAndThreadScopeSaysItDoesNot() {
        RealKernel.Run scopes = scopes();

        KernelMetrics followed = scopes.metrics("existingThreadUnderTestScope");
        assertThat(followed).hasSyscallCount("write", 4);
        assertThat(followed.diagnostics().handOffs().borrowedThreads()).isEqualTo(1);
        assertThat(followed.diagnostics().handOffs().uncounted()).isFalse();
        KernelMetrics strict = scopes.metrics("existingThreadUnderThreadScope");
        assertThat(strict).doesNotCall("write");
        assertThat(strict.diagnostics().handOffs().uncountedThreads()).isEqualTo(1);
        assertThat(strict.diagnostics().handOffs().describeUncounted())
                .isEqualTo("work was handed to 1 thread not counted (" + Scopes.EXISTING_THREAD + ")");
    }

    @Test
    void concurrentTestsEachSeeExactlyTheirOwnCounts() {
        RealKernel.Run concurrent = RealKernel.runSuccessfully(Concurrent.class, Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"), 4);

        assertThat(concurrent.metrics("writes3")).hasSyscallCount("write", 3);
        assertThat(concurrent.metrics("writes5")).hasSyscallCount("write", 5);
        assertThat(concurrent.metrics("writes8")).hasSyscallCount("write", 8);
        assertThat(concurrent.metrics("writes13")).hasSyscallCount("write", 13);
        assertThat(concurrent.<Long>oracle("concurrentTests")).as("tests traced at the same time").isEqualTo(4);
    }

    @Test
    void aBreachFailsTheTestListingEveryBreachAndTheTopSystemCalls() {
        RealKernel.Run breaching = breaching();

        assertThat(breaching.throwableOf("writesThreeBytes"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessageStartingWith("KernelTrace limits exceeded in Breaching.writesThreeBytes() [scope TEST]:\n")
                .hasMessageContaining("\n  - write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = \"write\"))")
                .hasMessageContaining("\n  - bytes written: limit 2 B, measured 3 B  (@MaxBytesWritten(\"2B\"))")
                .hasMessageContaining("\nTop system calls: ")
                .hasMessageContaining("write 3 (3 B)");
        assertThat(breaching.statusOf("withinBudget")).isEqualTo(Status.SUCCESSFUL);
        assertThat(breaching.throwableOf("unknownSyscall"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageStartingWith("@MaxSyscalls(syscall = \"fsnyc\") on Breaching.unknownSyscall(): unknown system call \"fsnyc\"");
    }

    @Test
    void writesTheJsonReportWithExactCounts() throws IOException {
        breaching();

        String json = Files.readString(RealKernel.report(reports, Breaching.class, "writesThreeBytes"));
        assertThat(json)
                .contains("\"schemaVersion\": 5,")
                .contains("\"methodName\": \"writesThreeBytes\"")
                .containsPattern("\"kernel\": \"libbpf [^\"]+\"")
                .containsPattern("\"write\": \\{\\s+\"count\": 3,\\s+\"errors\": 0,\\s+\"errorsByErrno\": \\{},\\s+\"bytes\": 3,")
                .containsPattern("\"bytesWritten\": 3\\s");
        assertThat(RealKernel.reports(reports, Breaching.class, "unknownSyscall"))
                .as("a test that did not run has no report").isEmpty();
    }

    /** Seven tests: a child thread, a child process and a thread that existed before, under each scope. */
    private static RealKernel.Run scopes() {
        return RealKernel.runSuccessfully(Scopes.class, 7);
    }

    /** One breaching test, one within its budget, one refused before it runs; reports kept. */
    private static RealKernel.Run breaching() {
        return RealKernel.run(Breaching.class, Map.of("kerneltrace.reportDir", reports.toString()), 3);
    }

    static void write(OutputStream out, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            out.write('x'); // FileOutputStream.write(int): one write(2) of one byte
        }
    }

    static long syscw() throws IOException {
        // Reading this file makes openat/read/close calls, never writes.
        return Files.readAllLines(Path.of("/proc/thread-self/io")).stream()
                .filter(line -> line.startsWith("syscw:"))
                .mapToLong(line -> Long.parseLong(line.substring("syscw:".length()).strip()))
                .findFirst().orElseThrow();
    }

    /** Base of the fixtures: a /dev/null stream opened (and warmed up) before each test; metrics recorded. */
    abstract static class WithDevNull extends RealKernel.Recorded {

        OutputStream devNull;

        @BeforeEach
        void openDevNull() throws IOException {
            devNull = new FileOutputStream("/dev/null");
            write(devNull, 5); // not measured: @BeforeEach is outside the traced method
            syscw();
        }

        @AfterEach
        void closeDevNull() throws IOException {
            devNull.close();
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Exact extends WithDevNull {

        static final int FILE_SIZE = 10_000;
        Path file;

        @BeforeEach
        void createFile(@TempDir Path directory) throws IOException {
            file = Files.write(directory.resolve("known"), new byte[FILE_SIZE]);
            readFully(file); // warm up, so the traced read loads no classes
        }

        @Test
        void writesSevenBytes() throws IOException {
            long before = syscw();
            write(devNull, 7);
            RealKernel.ORACLE.put("syscw", syscw() - before);
        }

        @Test
        void readsAKnownFile() throws IOException {
            readFully(file);
        }

        @Test
        void readsMetricsMidway(KernelTraceSession session) throws IOException {
            write(devNull, 2);
            assertThat(session.metrics()).hasSyscallCount("write", 2);
            write(devNull, 1);
            assertThat(session.metrics()).hasSyscallCount("write", 3);
        }

        private static void readFully(Path file) throws IOException {
            byte[] buffer = new byte[4096];
            try (InputStream in = new FileInputStream(file.toFile())) {
                while (in.read(buffer) >= 0) {
                    // read(2) until end of file
                }
            }
        }
    }

    @Tag("fixture")
    @KernelTrace(latency = false)
    static class CountsOnly extends WithDevNull {

        @Test
        void writesElevenBytesUntimed() throws IOException {
            write(devNull, 11);
        }

        @Test
        @KernelTrace
        void writesElevenBytesTimed() throws IOException {
            write(devNull, 11);
        }
    }

    @Tag("fixture")
    @KernelTrace(latency = false)
    static class LatencyLimitWithoutLatency {

        static volatile boolean bodyRan;

        @Test
        @MaxSyscallLatency(syscall = "write", value = "1ms")
        void limitsAnUntimedCall() {
            bodyRan = true;
        }
    }

    @Tag("fixture")
    @KernelTrace(scope = Scope.TEST)
    static class Scopes extends WithDevNull {

        static final String EXISTING_THREAD = "existing-writer";

        Thread existing;
        CountDownLatch go;
        CountDownLatch done;

        @BeforeEach
        void startThreadBeforeTracing() {
            go = new CountDownLatch(1);
            done = new CountDownLatch(1);
            existing = new Thread(() -> {
                try {
                    go.await();
                    write(devNull, 4);
                    done.countDown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, EXISTING_THREAD);
            existing.start();
            // parked, as an idle pool thread is: a thread still running would take the work unwoken
            while (existing.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }

        @AfterEach
        void stopThread() throws InterruptedException {
            go.countDown();
            existing.join();
        }

        @Test
        void childThreadUnderTestScope() throws Exception {
            writeHereAndInAChildThread();
        }

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void childThreadUnderThreadScope() throws Exception {
            writeHereAndInAChildThread();
        }

        @Test
        void processUnderTestScope() throws Exception {
            spawnTrue();
        }

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void processUnderThreadScope() throws Exception {
            spawnTrue();
        }

        @Test
        @KernelTrace(scope = Scope.PROCESS)
        void existingThreadUnderProcessScope() throws Exception {
            letExistingThreadWrite();
        }

        @Test
        void existingThreadUnderTestScope() throws Exception {
            letExistingThreadWrite();
        }

        @Test
        @KernelTrace(scope = Scope.THREAD)
        void existingThreadUnderThreadScope() throws Exception {
            letExistingThreadWrite();
        }

        private void writeHereAndInAChildThread() throws Exception {
            write(devNull, 2);
            Thread child = new Thread(() -> {
                try {
                    write(devNull, 3);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            child.start();
            child.join();
        }

        private void letExistingThreadWrite() throws InterruptedException {
            go.countDown();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }

        private static void spawnTrue() throws Exception {
            Process process = new ProcessBuilder("true").start();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Concurrent extends WithDevNull {

        static final java.util.concurrent.CyclicBarrier ALL_TRACING = new java.util.concurrent.CyclicBarrier(4);
        static final java.util.concurrent.CyclicBarrier ALL_WRITTEN = new java.util.concurrent.CyclicBarrier(4);

        @Test
        @MaxSyscalls(value = 3, syscall = "write")
        void writes3() throws Exception {
            writeTogether(3);
        }

        @Test
        @MaxSyscalls(value = 5, syscall = "write")
        void writes5() throws Exception {
            writeTogether(5);
        }

        @Test
        @MaxSyscalls(value = 8, syscall = "write")
        void writes8() throws Exception {
            writeTogether(8);
        }

        @Test
        @MaxSyscalls(value = 13, syscall = "write")
        void writes13() throws Exception {
            writeTogether(13);
        }

        private void writeTogether(int times) throws Exception {
            // All four are traced at once before anyone writes, and stay traced until all wrote.
            int arrival = ALL_TRACING.await(30, TimeUnit.SECONDS);
            if (arrival == 0) {
                RealKernel.ORACLE.put("concurrentTests", 4L);
            }
            write(devNull, times);
            ALL_WRITTEN.await(30, TimeUnit.SECONDS);
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Breaching extends WithDevNull {

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        @MaxBytesWritten("2B")
        @MaxSyscalls(value = 0, syscall = "fsync")
        void writesThreeBytes() throws IOException {
            write(devNull, 3);
        }

        @Test
        @MaxSyscalls(value = 3, syscall = "write")
        @MaxBytesWritten("3B")
        void withinBudget() throws IOException {
            write(devNull, 3);
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "fsnyc")
        void unknownSyscall() {
        }
    }
}
