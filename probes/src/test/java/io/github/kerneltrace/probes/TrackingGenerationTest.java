package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The system-call programs find a thread's slot in a copy kept in the thread's task storage, not
 * in `tracked` itself (bpf/tracking.bpf.h). These check that the copy follows every change of
 * `tracked` that user space makes: a thread untracked is no longer counted, and a thread moved to
 * another slot counts there only. A writer of `tracked` that forgot to bump tracking_generation
 * fails them.
 */
class TrackingGenerationTest {

    /** One Java call is exactly one system call. */
    interface Clib extends Library {
        Clib INSTANCE = Native.load("c", Clib.class);

        int getppid();
    }

    private static final int CALLS = 1_000;
    private static ExecutorService worker;
    private static int workerTid;

    @BeforeAll
    static void startWorker() throws Exception {
        TracingAssumptions.requireTracing();
        worker = Executors.newSingleThreadExecutor();
        workerTid = worker.submit(Threads::currentTid).get();
        worker.submit(TrackingGenerationTest::calls).get(); // JNA's first call loads classes
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }

    private static void calls() {
        for (int i = 0; i < CALLS; i++) {
            Clib.INSTANCE.getppid();
        }
    }

    @Test
    void aThreadNoLongerTrackedIsNotCountedByTheNextTestInTheSameSlot() throws Exception {
        KernelTracer tracer = KernelTracer.shared();
        int firstIndex;
        try (TraceSlot first = tracer.openSlot()) {
            firstIndex = first.index();
            first.trackThread(workerTid, false);
            first.start();
            worker.submit(TrackingGenerationTest::calls).get();
            first.stop();
            assertThat(first.metrics().syscall("getppid").count()).as("the worker, tracked").isEqualTo(CALLS);
        }
        try (TraceSlot second = tracer.openSlot()) {
            // the same slot again: a stale copy in the worker would name it, and it is counting
            assertThat(second.index()).as("slot taken").isEqualTo(firstIndex);
            second.trackThread(Threads.currentTid(), false);
            second.start();
            worker.submit(TrackingGenerationTest::calls).get();
            second.stop();
            assertThat(second.metrics().syscall("getppid").count()).as("the worker, no longer tracked").isZero();
        }
    }

    @Test
    void aThreadMovedToAnotherSlotCountsThereOnly() throws Exception {
        KernelTracer tracer = KernelTracer.shared();
        try (TraceSlot first = tracer.openSlot(); TraceSlot second = tracer.openSlot()) {
            first.trackThread(workerTid, false);
            first.start();
            worker.submit(TrackingGenerationTest::calls).get();
            second.trackThread(workerTid, false); // while the first slot still counts
            second.start();
            worker.submit(TrackingGenerationTest::calls).get();
            first.stop();
            second.stop();
            assertThat(first.metrics().syscall("getppid").count()).as("first slot: before the move").isEqualTo(CALLS);
            assertThat(second.metrics().syscall("getppid").count()).as("second slot: after the move").isEqualTo(CALLS);
        }
    }
}
