package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Memory;

import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.metrics.HeapAllocation;

/**
 * Where the heap of an ended thread cannot be read, it is said to be uncounted, as before, and
 * nothing else changes: the program refused by the kernel, or given a wrong thread-pointer offset
 * (the program checks the JavaThread it finds against the probe's thread id). Each case loads a
 * tracer of its own (not the shared one).
 */
class ExitedThreadHeapTest {

    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;
    private static final int MEBIBYTES = 3;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @Test
    void aRefusedProgramLeavesTheEndedThreadUncountedAndSaysWhy() throws InterruptedException {
        KernelTracer tracer = KernelTracer.load(object -> object.setProgramType(ExitedThreadHeap.PROGRAM, BPF_PROG_TYPE_SOCKET_FILTER));
        tracer.setDetachDelay(Duration.ZERO);

        assertThat(tracer.refusedFamilies()).containsOnlyKeys(ProbeFamily.EXITED_THREAD_HEAP);
        assertThat(tracer.refusedFamilies().get(ProbeFamily.EXITED_THREAD_HEAP))
                .startsWith("the kernel refused the heap of ended threads programs (" + ExitedThreadHeap.PROGRAM + ": ");
        assertEndedChildUncounted(tracer);
    }

    @Test
    void aWrongThreadPointerOffsetIsCaughtByTheThreadIdCheck() throws InterruptedException {
        AtomicReference<BpfObject> loaded = new AtomicReference<>();
        KernelTracer tracer = KernelTracer.load(loaded::set);
        tracer.setDetachDelay(Duration.ZERO);
        try (TraceSlot warm = tracer.openSlot()) {
            // attached, with the right offsets written
        }
        assertThat(tracer.refusedFamilies()).isEmpty();
        ExitedThreadHeap.Offsets right = ExitedThreadHeap.locate();
        Memory key = new Memory(4);
        key.setInt(0, 0);
        Memory wrong = new Memory(HOTSPOT_OFFSETS_SIZE);
        wrong.clear();
        wrong.setLong(HOTSPOT_THREAD_POINTER, right.threadPointer() + 8); // the next word of struct pthread
        wrong.setInt(HOTSPOT_OSTHREAD, right.osthread());
        wrong.setInt(HOTSPOT_THREAD_ID, right.threadId());
        wrong.setInt(HOTSPOT_ALLOCATED_BYTES, right.allocatedBytes());
        wrong.setInt(HOTSPOT_TLAB_START, right.tlabStart());
        wrong.setInt(HOTSPOT_TLAB_TOP, right.tlabTop());
        wrong.setInt(HOTSPOT_READY, 1);
        loaded.get().map("hotspot_offsets").update(key, wrong);

        assertEndedChildUncounted(tracer);
    }

    /** A child that allocates 3 MiB and ends inside the window: not counted, and said so. */
    private static void assertEndedChildUncounted(KernelTracer tracer) throws InterruptedException {
        try (TraceSlot slot = tracer.openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            Thread child = new Thread(() -> {
                for (int i = 0; i < MEBIBYTES; i++) {
                    byte[] mebibyte = new byte[1 << 20];
                    mebibyte[i] = 1;
                }
            }, "exited-heap-child");
            child.start();
            child.join();
            slot.stop();
            HeapAllocation heap = slot.metrics().memory().heap();

            assertThat(heap.threadsNotCounted()).as("%s", heap).isEqualTo(1);
            assertThat(heap.threadsCounted()).as("%s", heap).isEqualTo(1);
            assertThat(heap.bytes()).as("the test thread's only").isLessThan(1 << 20);
        }
    }
}
