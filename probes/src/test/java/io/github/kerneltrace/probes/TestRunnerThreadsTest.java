package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Threads that run tests, told apart by the counting thread's kernel name
 * ({@link TraceSlot#excludeThreadsNamedLike}): on the real kernel, a thread of that name is never
 * borrowed when the counting thread hands it work, and a child that takes that name as it starts
 * stops counting; threads of other names count as before. The counting thread is named as a pool's
 * worker is ("ktrace-runners-worker-1": the kernel keeps "ktrace-runners-", as it keeps
 * "ForkJoinPool-1-" of JUnit's workers).
 */
class TestRunnerThreadsTest {

    static final String RUNNER = "ktrace-runners-worker-";
    static final int WRITES = 4;

    FileOutputStream devNull;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @BeforeEach
    void openDevNull() throws IOException {
        devNull = new FileOutputStream("/dev/null");
        write(1); // loads what writing needs, untraced
    }

    @AfterEach
    void closeDevNull() throws IOException {
        devNull.close();
    }

    @Test
    void aParkedThreadNamedLikeTheCountingThreadIsNotBorrowed() throws Exception {
        KernelMetrics metrics = onRunnerThread(() -> handToParkedThreads(true));

        assertThat(metrics.syscall("write").count()).as("the other thread's writes only").isEqualTo(WRITES);
        assertThat(metrics.diagnostics().handOffs().borrowedNames()).containsExactly("ktrace-other-th");
    }

    /** The control: the same hand-offs with no test runners named, both threads borrowed. */
    @Test
    void withoutTestRunnersNamedBothParkedThreadsAreBorrowed() throws Exception {
        KernelMetrics metrics = onRunnerThread(() -> handToParkedThreads(false));

        assertThat(metrics.syscall("write").count()).isEqualTo(2 * WRITES);
        assertThat(metrics.diagnostics().handOffs().borrowedThreads()).isEqualTo(2);
    }

    @Test
    void aChildThatTakesTheCountingThreadsNameStopsCounting() throws Exception {
        KernelMetrics metrics = onRunnerThread(() -> {
            try (TraceSlot slot = KernelTracer.shared().openSlot()) {
                slot.excludeThreadsNamedLike(Threads.currentTid());
                slot.trackThread(Threads.currentTid(), true, true);
                slot.start();
                runAndJoin(new Thread(() -> write(WRITES), RUNNER + "2"));
                runAndJoin(new Thread(() -> write(WRITES), "ktrace-child"));
                slot.stop();
                assertThat(slot.metrics().diagnostics().followedChildren()).as("both were followed at first").isEqualTo(2);
                return slot.metrics();
            }
        });

        assertThat(metrics.syscall("write").count()).as("the other child's writes only").isEqualTo(WRITES);
    }

    /** Hands a task to a parked thread named like the counting one, then to one named otherwise. */
    private KernelMetrics handToParkedThreads(boolean nameTestRunners) throws Exception {
        ParkedThread sibling = new ParkedThread(RUNNER + "2");
        ParkedThread other = new ParkedThread("ktrace-other-thread");
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            if (nameTestRunners) {
                slot.excludeThreadsNamedLike(Threads.currentTid());
            }
            slot.trackThread(Threads.currentTid(), true, true);
            slot.start();
            sibling.run(() -> write(WRITES));
            other.run(() -> write(WRITES));
            slot.stop();
            return slot.metrics();
        } finally {
            sibling.stop();
            other.stop();
        }
    }

    private static KernelMetrics onRunnerThread(Callable<KernelMetrics> work) throws Exception {
        FutureTask<KernelMetrics> task = new FutureTask<>(work);
        runAndJoin(new Thread(task, RUNNER + "1"));
        return task.get();
    }

    private static void runAndJoin(Thread thread) throws InterruptedException {
        thread.start();
        thread.join();
    }

    private void write(int times) {
        try {
            for (int i = 0; i < times; i++) {
                devNull.write('x');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A thread that existed before the slot and waits, parked, for tasks: a pool's idle worker. */
    private static final class ParkedThread {
        private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        private final BlockingQueue<Boolean> done = new LinkedBlockingQueue<>();
        private final Thread thread;

        ParkedThread(String name) throws InterruptedException {
            thread = new Thread(() -> {
                try {
                    for (Runnable task = tasks.take(); task != STOP; task = tasks.take()) {
                        task.run();
                        done.put(true);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, name);
            thread.start();
            while (thread.getState() != Thread.State.WAITING) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
        }

        void run(Runnable task) throws InterruptedException {
            tasks.put(task);
            assertThat(done.poll(10, TimeUnit.SECONDS)).isTrue();
        }

        void stop() throws InterruptedException {
            tasks.put(STOP);
            thread.join();
        }

        private static final Runnable STOP = () -> { };
    }
}
