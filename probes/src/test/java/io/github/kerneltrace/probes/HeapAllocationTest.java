package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.HeapAllocation;

/** Java heap allocation per slot, against the JVM's own per-thread counters and known array sizes. */
class HeapAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** A byte[1_000_000] on a 64-bit HotSpot: 16 bytes of header, the elements, padded to 8. */
    private static final long MEGABYTE_ARRAY = 1_000_016;

    /** Keeps what the workloads allocate reachable, so that the JIT cannot elide an allocation. */
    static volatile Object sink;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    private static void allocateMegabytes(int count) {
        List<byte[]> arrays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            arrays.add(new byte[1_000_000]);
        }
        sink = arrays;
    }

    @Test
    void equalsTheJvmsCounterDeltaForTheTestThread() {
        allocateMegabytes(1);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            allocateMegabytes(10);
            long after = THREADS.getCurrentThreadAllocatedBytes();
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();

            assertThat(heap.bytes()).isEqualTo(after - before);
            assertThat(heap.bytes()).isBetween(10 * MEGABYTE_ARRAY, 10 * MEGABYTE_ARRAY + 1024);
            assertThat(heap.threadsCounted()).isEqualTo(1);
            assertThat(heap.complete()).isTrue();
        }
    }

    @Test
    void addsUpTheWindowsWhenCountingStopsAndStartsAgain() {
        allocateMegabytes(1);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            long first = THREADS.getCurrentThreadAllocatedBytes();
            allocateMegabytes(3);
            first = THREADS.getCurrentThreadAllocatedBytes() - first;
            slot.stop();
            assertThat(slot.metrics().memory().heapAllocatedBytes()).isEqualTo(first);
            allocateMegabytes(5); // between the windows: not counted
            slot.start();
            long second = THREADS.getCurrentThreadAllocatedBytes();
            allocateMegabytes(2);
            second = THREADS.getCurrentThreadAllocatedBytes() - second;
            slot.stop();

            assertThat(slot.metrics().memory().heapAllocatedBytes()).isEqualTo(first + second);
        }
    }

    @Test
    void countsThreadsTheTestStartedWhetherTheyEndBeforeItOrNot() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        long[] alive = new long[1];
        long[] endedBytes = new long[1];
        Thread stillRunning;
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            stillRunning = new Thread(() -> {
                allocateMegabytes(5);
                alive[0] = THREADS.getCurrentThreadAllocatedBytes();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "heap-test-worker-still-running"); // longer than the kernel's 15 characters: matched by prefix
            Thread ended = new Thread(() -> {
                allocateMegabytes(7);
                endedBytes[0] = THREADS.getCurrentThreadAllocatedBytes();
            }, "heap-test-ended");
            stillRunning.start();
            ended.start();
            ended.join();
            while (alive[0] == 0) {
                Thread.onSpinWait();
            }
            long ownBytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();
            release.countDown();

            // the worker's 5 MB (read by itself while alive), the ended thread's 7 MB (read by the
            // BPF program at its end: bpf/exited_heap.bpf.h) and this thread's own share
            long expected = alive[0] + endedBytes[0] + ownBytes;
            assertThat(heap.bytes()).isGreaterThanOrEqualTo(expected).isLessThan(expected + 64 * 1024);
            assertThat(heap.threadsCounted()).isEqualTo(3);
            assertThat(heap.threadsNotCounted()).isZero();
            assertThat(heap.complete()).isTrue();
        }
        stillRunning.join();
    }

    @Test
    void aThreadThatExistedBeforeTheWindowAndEndsInsideItIsSaidToBeUncounted() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        int[] tid = new int[1];
        CountDownLatch started = new CountDownLatch(1);
        Thread older = new Thread(() -> {
            tid[0] = Threads.currentTid();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            allocateMegabytes(3); // after the window's start, but its counter holds bytes from before too
        }, "heap-test-older");
        older.start();
        started.await();
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.trackThread(tid[0], false);
            slot.start();
            release.countDown();
            older.join();
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();

            // only threads started inside the window are read at their end: this one is said so
            assertThat(heap.threadsNotCounted()).isEqualTo(1);
            assertThat(heap.threadsCounted()).isEqualTo(1);
            assertThat(heap.bytes()).isLessThan(1 << 20);
        }
    }

    /**
     * The kernel keeps 15 bytes of a thread's name: "pool-1-thread-10" and "pool-1-thread-1" are
     * the same there. Which of the two the test's thread is cannot be told by name, so neither is
     * counted and the figure says a thread was not: never the untracked one's 20 MB (before, the
     * first Java thread of that name was taken, whichever it was).
     */
    @Test
    void aThreadWhoseNameIsAnotherThreadsKernelNameIsNotTakenForIt() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allocate = new CountDownLatch(1);
        Thread untracked = new Thread(() -> {
            try {
                allocate.await();
                allocateMegabytes(20);
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "pool-1-thread-10");
        untracked.start();
        long[] own = new long[1];
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            Thread tracked = new Thread(() -> {
                allocateMegabytes(1);
                own[0] = THREADS.getCurrentThreadAllocatedBytes();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "pool-1-thread-1");
            long before = THREADS.getCurrentThreadAllocatedBytes();
            tracked.start();
            allocate.countDown();
            while (own[0] == 0) {
                Thread.onSpinWait();
            }
            TimeUnit.MILLISECONDS.sleep(200); // the untracked thread allocates its 20 MB meanwhile
            long ownBytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();
            release.countDown();
            tracked.join();

            assertThat(heap.bytes()).isGreaterThanOrEqualTo(ownBytes).isLessThan(ownBytes + 64 * 1024);
            assertThat(heap.threadsCounted()).isEqualTo(1);
            assertThat(heap.threadsNotCounted()).isEqualTo(1);
            assertThat(heap.complete()).isFalse();
        } finally {
            release.countDown();
            untracked.join();
        }
    }

    @Test
    void threadScopeLeavesOutTheThreadsTheTestStarts() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.start();
            Thread worker = new Thread(() -> {
                allocateMegabytes(5);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "heap-thread-scope");
            worker.start();
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();
            release.countDown();
            worker.join();

            assertThat(heap.bytes()).isLessThan(MEGABYTE_ARRAY);
            assertThat(heap.threadsCounted()).isEqualTo(1);
        }
    }

    @Test
    void processScopeCountsWorkHandedToAThreadThatExistedBefore() throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread pooled = new Thread(() -> {
            try {
                go.await();
                allocateMegabytes(6);
                done.countDown();
                release.await(); // alive until counting stopped: an ended thread's counter is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "heap-pre-existing");
        pooled.start();
        try (TraceSlot slot = KernelTracer.shared().openExclusiveSlot()) {
            slot.trackProcess();
            slot.start();
            go.countDown();
            done.await();
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();

            release.countDown();
            assertThat(heap.bytes()).isGreaterThanOrEqualTo(6 * MEGABYTE_ARRAY);
            assertThat(heap.threadsCounted()).isGreaterThan(1);
        } finally {
            release.countDown();
        }
        pooled.join();
    }

    @Test
    void kernelNamesAreTheFirstFifteenBytes() {
        assertThat(HeapAllocationCounter.kernelName("pool-12-thread-345")).isEqualTo("pool-12-thread-");
        assertThat(HeapAllocationCounter.kernelName("main")).isEqualTo("main");
    }
}
