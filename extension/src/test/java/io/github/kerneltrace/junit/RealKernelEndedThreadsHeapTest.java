package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult.Status;

import io.github.kerneltrace.probes.metrics.HeapAllocation;

/**
 * TEST scope counts the heap of threads the test starts and that end before it does: read by the
 * BPF program at HotSpot's thread__stop probe (bpf/exited_heap.bpf.h). The oracle is each thread's
 * own allocation counter, read by the thread as the last thing it does, plus the test thread's
 * own delta across the method: the figure lies within 64 KiB of that sum (what the children
 * allocate on their way out after their last read, and the test thread's at the window's edges).
 */
class RealKernelEndedThreadsHeapTest {

    static final long WITHIN = 64 * 1024;

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void aChildThatAllocatesTwoMebibytesAndIsJoinedIsCounted() {
        assertCounted("oneChild", 2);
    }

    @Test
    void severalChildrenThatEndAreEachCounted() {
        assertCounted("fourChildren", 5);
    }

    @Test
    void aChildOfAChildIsCounted() {
        assertCounted("childOfAChild", 3);
    }

    private static void assertCounted(String test, int threads) {
        RealKernel.Run run = RealKernel.runSuccessfully(Ended.class, 3);
        assertThat(run.statusOf(test)).isEqualTo(Status.SUCCESSFUL);
        HeapAllocation heap = run.metrics(test).memory().heap();
        long children = run.<Long>oracle(test);
        long own = run.<Long>oracle(test + "Own");
        assertThat(children).as("the children's own counters").isGreaterThanOrEqualTo(2L << 20);
        assertThat(heap.threadsNotCounted()).as("%s; %s", heap, run.metrics(test).diagnostics()).isZero();
        assertThat(heap.threadsCounted()).as("%s", heap).isEqualTo(threads);
        assertThat(heap.bytes()).as("%s, children %d, test thread %d", heap, children, own)
                .isGreaterThanOrEqualTo(children).isBetween(children + own - WITHIN, children + own + WITHIN);
    }

    @Tag("fixture")
    @KernelTrace
    static class Ended extends RealKernel.Recorded {

        static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        static final int KIB_ARRAY = 1024 - 16;

        @Test
        void oneChild() throws InterruptedException {
            long start = THREADS.getCurrentThreadAllocatedBytes();
            long[] own = new long[1];
            Thread child = new Thread(() -> own[0] = allocate(2 << 10, true), "ended-child");
            child.start();
            child.join();
            RealKernel.ORACLE.putIfAbsent("oneChildOwn", THREADS.getCurrentThreadAllocatedBytes() - start);
            RealKernel.ORACLE.putIfAbsent("oneChild", own[0]);
        }

        @Test
        void fourChildren() throws InterruptedException {
            long start = THREADS.getCurrentThreadAllocatedBytes();
            long[] own = new long[4];
            List<Thread> children = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int index = i;
                // kept reachable or not: the counter counts allocation, not what survives
                children.add(new Thread(() -> own[index] = allocate(1 << 10, index % 2 == 0), "ended-child-" + i));
            }
            children.forEach(Thread::start);
            for (Thread child : children) {
                child.join();
            }
            long sum = 0;
            for (long bytes : own) {
                sum += bytes;
            }
            RealKernel.ORACLE.putIfAbsent("fourChildrenOwn", THREADS.getCurrentThreadAllocatedBytes() - start);
            RealKernel.ORACLE.putIfAbsent("fourChildren", sum);
        }

        @Test
        void childOfAChild() throws InterruptedException {
            long start = THREADS.getCurrentThreadAllocatedBytes();
            long[] own = new long[2];
            Thread child = new Thread(() -> {
                Thread grandchild = new Thread(() -> own[1] = allocate(1 << 10, false), "ended-grandchild");
                grandchild.start();
                try {
                    grandchild.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                own[0] = allocate(1 << 10, false);
            }, "ended-child");
            child.start();
            child.join();
            RealKernel.ORACLE.putIfAbsent("childOfAChildOwn", THREADS.getCurrentThreadAllocatedBytes() - start);
            RealKernel.ORACLE.putIfAbsent("childOfAChild", own[0] + own[1]);
        }

        /** Allocates {@code kib} arrays of 1 KiB each; returns the calling thread's counter, read last. */
        static long allocate(int kib, boolean keep) {
            List<byte[]> kept = new ArrayList<>(keep ? kib : 0);
            for (int i = 0; i < kib; i++) {
                byte[] array = new byte[KIB_ARRAY];
                if (keep) {
                    kept.add(array);
                }
            }
            return THREADS.getCurrentThreadAllocatedBytes();
        }
    }
}
