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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.testkit.engine.EngineExecutionResults;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * The extension on the real kernel, against oracles: counts the fixtures make themselves, and
 * the kernel's own per-thread counters in {@code /proc/thread-self/io}.
 */
class RealKernelTracingTest {

    /** Each fixture test's final metrics, by method name, recorded in its {@code @AfterEach}. */
    static final Map<String, KernelMetrics> MEASURED = new ConcurrentHashMap<>();
    /** Oracle values the fixtures observed themselves. */
    static final Map<String, Long> ORACLE = new ConcurrentHashMap<>();

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void countsExactlyTheWritesOfTheTestMethodAndNotThoseOfBeforeEach() {
        runSuccessfully(Exact.class);

        KernelMetrics metrics = MEASURED.get("writesSevenBytes");
        assertThat(metrics).hasSyscallCount("write", 7).hasAtMostSyscalls("write", 7);
        assertThat(metrics).bytesWritten().isEqualTo(7);
        assertThat(metrics).syscallCount("write").as("/proc/thread-self/io syscw").isEqualTo(ORACLE.get("syscw"));
    }

    @Test
    void countsTheBytesReadOfAKnownFileExactly() {
        runSuccessfully(Exact.class);

        KernelMetrics metrics = MEASURED.get("readsAKnownFile");
        assertThat(metrics).bytesRead().isEqualTo(Exact.FILE_SIZE);
        // 4096 + 4096 + 1808 bytes, then end of file.
        assertThat(metrics).hasSyscallCount("read", 4);
        assertThat(metrics.syscall("read").bytes()).isEqualTo(Exact.FILE_SIZE);
    }

    @Test
    void readingMetricsDuringTheTestIsNotCounted() {
        runSuccessfully(Exact.class);

        assertThat(MEASURED.get("readsMetricsMidway")).hasSyscallCount("write", 3);
    }

    @Test
    void withoutLatencyCallsAndBytesAreStillExactAndNothingIsTimed() {
        runSuccessfully(CountsOnly.class);

        KernelMetrics metrics = MEASURED.get("writesElevenBytesUntimed");
        assertThat(metrics).hasSyscallCount("write", 11);
        assertThat(metrics).bytesWritten().isEqualTo(11);
        assertThat(metrics.syscall("write").latencyNanos().getTotalCount()).isZero();
        // the same test with latency on times every call
        assertThat(MEASURED.get("writesElevenBytesTimed").syscall("write").latencyNanos().getTotalCount()).isEqualTo(11);
    }

    @Test
    void aLatencyLimitOnATestWithoutLatencyIsRefusedBeforeItRuns() {
        EngineExecutionResults results = Fixtures.run(LatencyLimitWithoutLatency.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "limitsAnUntimedCall")).isEqualTo(Status.FAILED);
        assertThat(Fixtures.throwableOf(results.testEvents(), "limitsAnUntimedCall"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@MaxSyscallLatency(syscall = \"write\", value = \"1ms\") on"
                        + " LatencyLimitWithoutLatency.limitsAnUntimedCall(): latency is not measured for this test"
                        + " (@KernelTrace(latency = false)); remove the limit or turn latency on");
        assertThat(LatencyLimitWithoutLatency.bodyRan).isFalse();
    }

    @Test
    void testScopeCountsAChildThreadAndThreadScopeDoesNot() {
        runSuccessfully(Scopes.class);

        assertThat(MEASURED.get("childThreadUnderTestScope")).hasSyscallCount("write", 2 + 3);
        assertThat(MEASURED.get("childThreadUnderThreadScope")).hasSyscallCount("write", 2);
    }

    @Test
    void testScopeCountsASpawnedProcessAndThreadScopeDoesNot() {
        runSuccessfully(Scopes.class);

        assertThat(MEASURED.get("processUnderTestScope")).syscallCount("execve").isGreaterThanOrEqualTo(1);
        assertThat(MEASURED.get("processUnderThreadScope")).doesNotCall("execve");
    }

    @Test
    void processScopeCountsThreadsThatExistedBeforeTheTest() {
        runSuccessfully(Scopes.class);

        assertThat(MEASURED.get("existingThreadUnderProcessScope")).syscallCount("write").isGreaterThanOrEqualTo(4);
    }

    @Test
    void testScopeCountsTheWorkHandedToAThreadThatExistedBeforeTheTestAndThreadScopeSaysItDoesNot() {
        runSuccessfully(Scopes.class);

        KernelMetrics followed = MEASURED.get("existingThreadUnderTestScope");
        assertThat(followed).hasSyscallCount("write", 4);
        assertThat(followed.diagnostics().handOffs().borrowedThreads()).isEqualTo(1);
        assertThat(followed.diagnostics().handOffs().uncounted()).isFalse();
        KernelMetrics strict = MEASURED.get("existingThreadUnderThreadScope");
        assertThat(strict).doesNotCall("write");
        assertThat(strict.diagnostics().handOffs().uncountedThreads()).isEqualTo(1);
        assertThat(strict.diagnostics().handOffs().describeUncounted())
                .isEqualTo("work was handed to 1 thread not counted (" + Scopes.EXISTING_THREAD + ")");
    }

    @Test
    void concurrentTestsEachSeeExactlyTheirOwnCounts() {
        EngineExecutionResults results = Fixtures.run(Concurrent.class, Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));

        results.testEvents().assertStatistics(stats -> stats.started(4).succeeded(4));
        assertThat(MEASURED.get("writes3")).hasSyscallCount("write", 3);
        assertThat(MEASURED.get("writes5")).hasSyscallCount("write", 5);
        assertThat(MEASURED.get("writes8")).hasSyscallCount("write", 8);
        assertThat(MEASURED.get("writes13")).hasSyscallCount("write", 13);
        assertThat(ORACLE.get("concurrentTests")).as("tests traced at the same time").isEqualTo(4);
    }

    @Test
    void aBreachFailsTheTestListingEveryBreachAndTheTopSystemCalls() {
        EngineExecutionResults results = Fixtures.run(Breaching.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "writesThreeBytes"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessageStartingWith("KernelTrace limits exceeded in Breaching.writesThreeBytes() [scope TEST]:\n")
                .hasMessageContaining("\n  - write calls: limit 1, measured 3  (@MaxSyscalls(value = 1, syscall = \"write\"))")
                .hasMessageContaining("\n  - bytes written: limit 2 B, measured 3 B  (@MaxBytesWritten(\"2B\"))")
                .hasMessageContaining("\nTop system calls: ")
                .hasMessageContaining("write 3 (3 B)");
        assertThat(Fixtures.statusOf(results.testEvents(), "withinBudget")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Fixtures.throwableOf(results.testEvents(), "unknownSyscall"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageStartingWith("@MaxSyscalls(syscall = \"fsnyc\") on Breaching.unknownSyscall(): unknown system call \"fsnyc\"");
    }

    @Test
    void writesTheJsonReportWithExactCounts(@TempDir Path reports) throws IOException {
        Fixtures.run(Breaching.class, Map.of("kerneltrace.reportDir", reports.toString()));

        String json = Files.readString(reports.resolve(Breaching.class.getName() + ".writesThreeBytes.json"));
        assertThat(json)
                .contains("\"schemaVersion\": 4,")
                .contains("\"methodName\": \"writesThreeBytes\"")
                .containsPattern("\"kernel\": \"libbpf [^\"]+\"")
                .containsPattern("\"write\": \\{\\s+\"count\": 3,\\s+\"errors\": 0,\\s+\"errorsByErrno\": \\{},\\s+\"bytes\": 3,")
                .containsPattern("\"bytesWritten\": 3\\s");
        assertThat(Files.exists(reports.resolve(Breaching.class.getName() + ".unknownSyscall.json")))
                .as("a test that did not run has no report").isFalse();
    }

    private static void runSuccessfully(Class<?> fixture) {
        EngineExecutionResults results = Fixtures.run(fixture);
        results.testEvents().failed().stream().findFirst().ifPresent(failed -> {
            throw new AssertionError("fixture test failed: " + failed.getTestDescriptor().getDisplayName(),
                    failed.getRequiredPayload(org.junit.platform.engine.TestExecutionResult.class).getThrowable().orElse(null));
        });
        results.testEvents().assertStatistics(stats -> stats.aborted(0).failed(0));
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

    /** Base of the fixtures: a /dev/null stream opened (and warmed up) before each test. */
    abstract static class WithDevNull {

        OutputStream devNull;

        @BeforeEach
        void openDevNull() throws IOException {
            devNull = new FileOutputStream("/dev/null");
            write(devNull, 5); // not measured: @BeforeEach is outside the traced method
            syscw();
        }

        @AfterEach
        void record(TestInfo info, KernelTraceSession session) throws IOException {
            MEASURED.put(info.getTestMethod().orElseThrow().getName(), session.metrics());
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
            ORACLE.put("syscw", syscw() - before);
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
                ORACLE.put("concurrentTests", 4L);
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
