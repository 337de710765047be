package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Under JUnit's parallel execution a test that blocks makes JUnit's ForkJoinPool put another worker
 * to work in its place (compensation): it wakes an idle worker, or starts a new one from the blocked
 * thread. That worker then runs another test, @BeforeEach first. The blocked test woke or started
 * it, yet none of that work is the test's: on the real kernel, the blocked test counts exactly its
 * own writes while another test's @BeforeEach writes on the worker put to work in its place. (Before
 * KernelTrace left JUnit's workers alone, these counted 3 + 5 writes, and 3 + 5 + 5 with two
 * borrowed workers.)
 *
 * <p>The fixtures order their tests so that JUnit's pool does the same thing every run; each also
 * records that the other test's @BeforeEach did run on another thread while the test was blocked.
 */
class RealKernelJUnitWorkersTest {

    /** Writes of every fixture test's @BeforeEach: the other tests' work that the blocked test must not count. */
    static final int BEFORE_EACH_WRITES = 5;
    /** Writes of the blocked test itself. */
    static final int OWN_WRITES = 3;

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    /** Parallelism 1: no worker is idle, so the blocked test's thread starts one (a fork the kernel sees). */
    @Test
    void aWorkerStartedForABlockedTestDoesNotCountForIt() {
        RealKernel.Run run = RealKernel.runSuccessfully(StartsAWorker.class, parallel(1), 2);

        assertThat(run.<Boolean>oracle("ranBesideTheBlockedTest")).as("another test's @BeforeEach ran while it blocked").isTrue();
        assertThat(run.<String>oracle("blockedOn")).startsWith("ForkJoinPool-");
        KernelMetrics blocks = run.metrics("blocks");
        assertThat(blocks).hasSyscallCount("write", OWN_WRITES);
        assertThat(blocks.diagnostics().followedChildren()).as("the new worker, followed until it took its name").isEqualTo(1);
        assertThat(blocks.diagnostics().handOffs().runnerHandOffs()).as("the worker it started, reported").isEqualTo(1);
    }

    /**
     * Parallelism 3 with idle workers: the blocked test's thread wakes one (a hand-off, to the
     * kernel). Now and then the pool starts a worker instead (seen two PID namespaces down, in CI):
     * every run's counts are checked, and runs are repeated (five at most, each a run of its own)
     * until one took the wake path this test is about.
     */
    @Test
    void anIdleWorkerWokenForABlockedTestDoesNotCountForIt() {
        boolean woken = false;
        for (int attempt = 1; attempt <= 5 && !woken; attempt++) {
            Map<String, String> configuration = new java.util.HashMap<>(parallel(3));
            configuration.put("kerneltrace.test.attempt", String.valueOf(attempt)); // a run of its own, not a cached one
            RealKernel.Run run = RealKernel.runSuccessfully(WakesAWorker.class, configuration, 3);

            assertThat(run.<Boolean>oracle("ranBesideTheBlockedTest")).as("another test's @BeforeEach ran while it blocked").isTrue();
            KernelMetrics blocks = run.metrics("blocks");
            assertThat(blocks).hasSyscallCount("write", OWN_WRITES);
            assertThat(blocks.diagnostics().handOffs().borrowedThreads()).as("JUnit's workers are never borrowed").isZero();
            woken = blocks.diagnostics().followedChildren() == 0;
            if (woken) {
                // One as a rule; the pool may signal a second idle worker while the test blocks.
                assertThat(blocks.diagnostics().handOffs().runnerHandOffs()).as("the worker it woke, reported").isPositive();
            }
        }
        assertThat(woken).as("a run in which no worker was started, only an idle one woken").isTrue();
    }

    /**
     * What JUnit's workers are told apart from: on a JUnit worker, a thread the test starts (it
     * takes its own name) and a pool created before the test still count.
     */
    @Test
    void theTestsOwnThreadsAndPoolsStillCountUnderParallelExecution() {
        RealKernel.Run run = RealKernel.runSuccessfully(OwnThreads.class, parallel(2), 2);

        assertThat(run.<String>oracle("ranOn")).startsWith("ForkJoinPool-");
        assertThat(run.metrics("writesInAChildThread")).hasSyscallCount("write", OWN_WRITES + 4);
        KernelMetrics handsOff = run.metrics("handsOffToAnExistingPool");
        assertThat(handsOff).hasSyscallCount("write", OWN_WRITES + 4);
        assertThat(handsOff.diagnostics().handOffs().borrowedNames()).singleElement().asString().startsWith("before-all-");
    }

    /**
     * A parallel stream started on a JUnit worker forks its subtasks into JUnit's pool; another
     * worker that takes some runs them uncounted (it runs other tests too, so it is never
     * followed). Every run either counts all 500 writes or says that it put JUnit's workers to
     * work, and how many; before that note, a run counted 313 of 500 and said nothing.
     */
    @Test
    void workForkedIntoJUnitsPoolIsCountedOrReported() {
        int partial = 0;
        for (int attempt = 1; attempt <= 5; attempt++) {
            Map<String, String> configuration = new java.util.HashMap<>(parallel(2));
            configuration.put("kerneltrace.test.attempt", "stream-" + attempt); // a run of its own, not a cached one
            KernelMetrics stream = RealKernel.runSuccessfully(ParallelStream.class, configuration, 1).metrics("writesInAParallelStream");

            long writes = stream.syscall("write").count();
            assertThat(writes).isBetween(1L, (long) ParallelStream.WRITES);
            if (writes < ParallelStream.WRITES) {
                partial++;
                long putToWork = stream.diagnostics().handOffs().runnerHandOffs();
                assertThat(putToWork).as("run %d counted %d of %d writes", attempt, writes, ParallelStream.WRITES).isPositive();
                // Usually 1; 2 when the pool also started a compensating worker while the stream joined.
                assertThat(stream.diagnostics().handOffs().notes()).anySatisfy(note -> assertThat(note)
                        .contains("put " + putToWork + " of JUnit's parallel workers to work, which are never counted"));
            }
        }
        System.out.println("RealKernelJUnitWorkersTest: " + partial + " of 5 parallel-stream runs counted part of the writes");
    }

    private static Map<String, String> parallel(int parallelism) {
        return Map.of(
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", String.valueOf(parallelism));
    }

    /**
     * The traced test {@code blocks} writes {@value #OWN_WRITES} times, then blocks the way
     * java.util.concurrent blocks in a pool (ForkJoinPool.managedBlock: a lock's condition, a
     * CyclicBarrier) until another test's @BeforeEach has run on another thread. Every test's
     * @BeforeEach writes {@value #BEFORE_EACH_WRITES} times.
     */
    @KernelTrace
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    @Execution(ExecutionMode.CONCURRENT) // an ordered class runs on one thread unless told otherwise
    abstract static class BlockedTest extends RealKernel.Recorded {

        static CountDownLatch otherBeforeEachRan;
        static volatile Thread blockedThread;
        OutputStream devNull;

        @BeforeEach
        void writeInBeforeEach(TestInfo test) throws IOException {
            devNull = new FileOutputStream("/dev/null");
            write(devNull, BEFORE_EACH_WRITES);
            Thread blocked = blockedThread;
            if (blocked != null && blocked != Thread.currentThread() && otherBeforeEachRan.getCount() == 1) {
                RealKernel.ORACLE.put("ranBesideTheBlockedTest", true);
                otherBeforeEachRan.countDown();
            }
        }

        @AfterEach
        void closeDevNull() throws IOException {
            devNull.close();
        }

        @Test
        @Order(3)
        void blocks() throws Exception {
            RealKernel.ORACLE.put("blockedOn", Thread.currentThread().getName());
            write(devNull, OWN_WRITES);
            blockedThread = Thread.currentThread();
            ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
                @Override
                public boolean block() throws InterruptedException {
                    otherBeforeEachRan.await(10, TimeUnit.SECONDS);
                    return true;
                }

                @Override
                public boolean isReleasable() {
                    return otherBeforeEachRan.getCount() == 0;
                }
            });
        }

        static void reset() {
            otherBeforeEachRan = new CountDownLatch(1);
            blockedThread = null;
        }

        static void write(OutputStream out, int times) throws IOException {
            for (int i = 0; i < times; i++) {
                out.write('x');
            }
        }
    }

    /**
     * The class's worker forks {@code next}, then {@code blocks}; it joins them in reverse order, so
     * it runs {@code blocks} itself and leaves {@code next} queued. With parallelism 1 no other worker
     * exists: the one the pool starts when {@code blocks} blocks takes {@code next}.
     */
    @Tag("fixture")
    static class StartsAWorker extends BlockedTest {

        @BeforeAll
        static void resetLatch() {
            reset();
        }

        @Test
        @Order(1)
        void next() {
        }
    }

    /** One write per element of a parallel stream of {@value #WRITES}. */
    @Tag("fixture")
    @KernelTrace
    static class ParallelStream extends RealKernel.Recorded {

        static final int WRITES = 500;

        @Test
        void writesInAParallelStream() throws IOException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                IntStream.range(0, WRITES).parallel().forEach(i -> {
                    try {
                        devNull.write('x');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** Writes {@value #OWN_WRITES} times on the test's thread and 4 times on another. */
    @Tag("fixture")
    @KernelTrace
    static class OwnThreads extends RealKernel.Recorded {

        static ExecutorService beforeAll;
        OutputStream devNull;

        @BeforeAll
        static void startPool() throws Exception {
            beforeAll = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "before-all-" + System.nanoTime()));
            beforeAll.submit(() -> { }).get();
        }

        @BeforeEach
        void openDevNull() throws Exception {
            devNull = new FileOutputStream("/dev/null");
            BlockedTest.write(devNull, 1); // warm
            TimeUnit.MILLISECONDS.sleep(50); // the pool's thread parks: it must be woken
        }

        @AfterEach
        void closeDevNull() throws IOException {
            devNull.close();
        }

        @AfterAll
        static void stopPool() {
            beforeAll.shutdown();
        }

        @Test
        void writesInAChildThread() throws Exception {
            RealKernel.ORACLE.put("ranOn", Thread.currentThread().getName());
            BlockedTest.write(devNull, OWN_WRITES);
            Thread child = new Thread(() -> writeQuietly(4));
            child.start();
            child.join();
        }

        @Test
        void handsOffToAnExistingPool() throws Exception {
            BlockedTest.write(devNull, OWN_WRITES);
            beforeAll.submit(() -> writeQuietly(4)).get();
        }

        private void writeQuietly(int times) {
            try {
                BlockedTest.write(devNull, times);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Before the tests, three tasks forked into JUnit's pool meet, so that its three workers exist;
     * then they park. The class's worker runs {@code blocks}; another takes {@code later}, whose
     * invocations JUnit forks only once {@code blocks} is blocked (their source waits for it); the
     * third is idle, so {@code blocks} wakes it as it blocks, and it takes one of those invocations.
     */
    @Tag("fixture")
    static class WakesAWorker extends BlockedTest {

        @BeforeAll
        static void startThreeWorkersAndLetThemPark() throws InterruptedException {
            reset();
            AtomicInteger arrived = new AtomicInteger();
            Runnable meet = () -> {
                arrived.incrementAndGet();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (arrived.get() < 3 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            };
            // from a worker, fork() queues in that worker's own pool: JUnit's
            assertThat(Thread.currentThread()).isInstanceOf(ForkJoinWorkerThread.class);
            ForkJoinTask.invokeAll(ForkJoinTask.adapt(meet), ForkJoinTask.adapt(meet), ForkJoinTask.adapt(meet));
            assertThat(arrived).hasValue(3);
            TimeUnit.MILLISECONDS.sleep(200); // the two others find no work and park
        }

        @ParameterizedTest
        @MethodSource("onceBlocked")
        @Order(1)
        void later(int invocation) {
        }

        /** The invocations of {@code later}, once {@code blocks} is blocked. */
        static Stream<Integer> onceBlocked() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!blocked() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            return Stream.of(1, 2);
        }

        private static boolean blocked() {
            Thread blocked = blockedThread;
            return blocked != null && blocked.getState() == Thread.State.TIMED_WAITING;
        }
    }
}
