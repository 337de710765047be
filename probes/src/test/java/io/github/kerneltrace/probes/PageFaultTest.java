package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;

/**
 * Page faults and address-space growth per slot, against the kernel's own per-thread counters in
 * /proc/thread-self/stat and against mappings of known size.
 */
class PageFaultTest {

    private static final int PAGES = 1000;

    interface Clib extends Library {
        Clib INSTANCE = Native.load("c", Clib.class);
        int PROT_READ_WRITE = 3;
        int MAP_PRIVATE_ANONYMOUS = 0x22;
        int MADV_NOHUGEPAGE = 15;

        Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

        int munmap(Pointer address, long length);

        int madvise(Pointer address, long length, int advice);

        int getpagesize();
    }

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    private static long pageSize() {
        return Clib.INSTANCE.getpagesize();
    }

    /** Maps {@code pages} fresh pages (no huge pages: one fault per page), writes one byte in each, unmaps them. */
    private static void touchFreshPages(int pages) {
        long length = pages * pageSize();
        Pointer region = Clib.INSTANCE.mmap(null, length, Clib.PROT_READ_WRITE, Clib.MAP_PRIVATE_ANONYMOUS, -1, 0);
        assertThat(Pointer.nativeValue(region)).isNotEqualTo(-1L);
        Clib.INSTANCE.madvise(region, length, Clib.MADV_NOHUGEPAGE);
        for (long offset = 0; offset < length; offset += pageSize()) {
            region.setByte(offset, (byte) 1);
        }
        Clib.INSTANCE.munmap(region, length);
    }

    @Test
    void minorFaultsAgreeWithProcForTheTestThread() {
        touchFreshPages(10);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.start();
            long[] before = ThreadPageFaults.current();
            touchFreshPages(PAGES);
            long[] after = ThreadPageFaults.current();
            slot.stop();
            MemoryMetrics memory = slot.metrics().memory();

            // The kernel's own count between two reads inside the counting window is the reference.
            // The window is a few instructions wider on each side, where the reads' own results are
            // allocated: a new long[] can be the first touch of a heap page, one fault (seen: 1).
            long kernel = after[0] - before[0];
            assertThat(kernel).isGreaterThanOrEqualTo(PAGES);
            assertThat(memory.minorFaults()).isBetween(kernel, kernel + 2);
            assertThat(memory.majorFaults()).isEqualTo(after[1] - before[1]);
        }
    }

    @Test
    void addsUpTheWindowsWhenCountingStopsAndStartsAgain() {
        touchFreshPages(10);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.start();
            long[] before = ThreadPageFaults.current();
            touchFreshPages(300);
            long[] after = ThreadPageFaults.current();
            slot.stop();
            touchFreshPages(500); // between the windows: not counted
            slot.start();
            long[] beforeSecond = ThreadPageFaults.current();
            touchFreshPages(200);
            long[] afterSecond = ThreadPageFaults.current();
            slot.stop();

            long kernel = after[0] - before[0] + afterSecond[0] - beforeSecond[0];
            assertThat(kernel).isGreaterThanOrEqualTo(500);
            // as above, per window: the reads' own allocations may touch a fresh heap page
            assertThat(slot.metrics().memory().minorFaults()).isBetween(kernel, kernel + 4);
        }
    }

    @Test
    void countsTheFaultsOfAThreadThatEndedBeforeTheTest() throws InterruptedException {
        touchFreshPages(10);
        long[] child = new long[2];
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            long[] before = ThreadPageFaults.current();
            Thread worker = new Thread(() -> {
                long[] start = ThreadPageFaults.current();
                touchFreshPages(PAGES);
                long[] end = ThreadPageFaults.current();
                child[0] = end[0] - start[0];
            }, "fault-worker");
            worker.start();
            worker.join();
            long[] after = ThreadPageFaults.current();
            Thread.sleep(50); // the worker's last steps out of the kernel, where its final count is taken
            slot.stop();
            MemoryMetrics memory = slot.metrics().memory();

            long own = after[0] - before[0];
            assertThat(child[0]).isGreaterThanOrEqualTo(PAGES);
            // the worker's faults from birth to exit (its start-up, then the pages), and this thread's
            assertThat(memory.minorFaults()).isGreaterThanOrEqualTo(own + child[0])
                    .isLessThan(own + child[0] + 200);
        }
    }

    @Test
    void addressSpaceGrowthIsTheMappedAndUnmappedBytes() {
        touchFreshPages(10);
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.start();
            touchFreshPages(64);
            slot.stop();
            KernelMetrics metrics = slot.metrics();

            assertThat(metrics.syscall("mmap").count()).isEqualTo(1);
            assertThat(metrics.syscall("munmap").count()).isEqualTo(1);
            assertThat(metrics.memory().mappedBytes()).isEqualTo(64 * pageSize());
            assertThat(metrics.memory().unmappedBytes()).isEqualTo(64 * pageSize());
            assertThat(metrics.memory().addressSpaceGrowthBytes()).isZero();
        }
    }

    @Test
    void parsesTheFaultFieldsAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 123 0 7 0 5 6 0 0 20 0 1 0 100 0 0\n";
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(stat.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(ThreadPageFaults.parse(buffer, stat.length())).containsExactly(123, 7);
    }
}
