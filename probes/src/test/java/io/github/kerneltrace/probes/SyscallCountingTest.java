package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * The real BPF programs in the real kernel, checked against workloads whose system calls are
 * known exactly, and against the kernel's own per-thread counters in /proc.
 */
class SyscallCountingTest {

    /** Direct libc calls: one Java call is exactly one system call. */
    interface Clib extends Library {
        Clib INSTANCE = Native.load("c", Clib.class);

        int usleep(int microseconds);

        int getppid();
    }

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    /** Runs {@code work} once untraced (class loading, JIT), then traced on this thread. */
    private static KernelMetrics trace(boolean followChildren, Runnable work) {
        work.run();
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), followChildren);
            slot.start();
            work.run();
            slot.stop();
            return slot.metrics();
        }
    }

    private static void writeToDevNull(FileOutputStream out, int times, int size) {
        byte[] buffer = new byte[size];
        try {
            for (int i = 0; i < times; i++) {
                out.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void countsExactlyTheWritesOfTheTrackedThread() throws IOException {
        try (FileOutputStream devNull = new FileOutputStream("/dev/null")) {
            KernelMetrics metrics = trace(false, () -> writeToDevNull(devNull, 1000, 100));

            assertThat(metrics.syscall("write").count()).isEqualTo(1000);
            assertThat(metrics.syscall("write").errors()).isZero();
            assertThat(metrics.bytesWritten()).isEqualTo(100_000);
            assertThat(metrics.syscall("write").latencyNanos().getTotalCount()).isEqualTo(1000);
        }
    }

    @Test
    void bytesReadOfAKnownFileAreExact(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("known.bin");
        Files.write(file, new byte[123_457]);
        Runnable readWholeFile = () -> {
            try (FileInputStream in = new FileInputStream(file.toFile())) {
                byte[] buffer = new byte[10_000];
                while (in.read(buffer) >= 0) {
                    // reading is the point
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };

        KernelMetrics metrics = trace(false, readWholeFile);

        assertThat(metrics.bytesRead()).isEqualTo(123_457);
        assertThat(metrics.syscall("read").count()).isEqualTo(14); // 12 full reads, 1 partial, 1 at EOF
        assertThat(metrics.syscall("openat").count()).isEqualTo(1);
        assertThat(metrics.syscall("close").count()).isEqualTo(1);
    }

    @Test
    void agreesWithTheKernelsPerThreadIoCounters(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[50_000]);
        Runnable work = () -> {
            try (FileOutputStream devNull = new FileOutputStream("/dev/null");
                 FileInputStream in = new FileInputStream(file.toFile())) {
                writeToDevNull(devNull, 37, 10);
                byte[] buffer = new byte[4096];
                while (in.read(buffer) >= 0) {
                    // reading is the point
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        work.run();
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            Map<String, Long> before = threadIo();
            slot.start();
            work.run();
            slot.stop();
            Map<String, Long> after = threadIo();
            KernelMetrics metrics = slot.metrics();

            long readCalls = metrics.syscall("read").count() + metrics.syscall("pread64").count()
                    + metrics.syscall("readv").count() + metrics.syscall("preadv").count();
            long writeCalls = metrics.syscall("write").count() + metrics.syscall("pwrite64").count()
                    + metrics.syscall("writev").count() + metrics.syscall("pwritev").count();
            // One read between the snapshots is the kernel's and not the slot's: the first
            // snapshot's own (its numbers were made before it finished). start() and stop() read
            // no file (the programs take the run-queue wait from the task itself).
            assertThat(after.get("syscr") - before.get("syscr") - 1).isEqualTo(readCalls);
            assertThat(after.get("syscw") - before.get("syscw")).isEqualTo(writeCalls).isEqualTo(37);
        }
    }

    /** /proc/thread-self/io, read with exactly one read system call. */
    private static Map<String, Long> threadIo() throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4096);
        try (java.nio.channels.FileChannel io = java.nio.channels.FileChannel.open(Path.of("/proc/thread-self/io"))) {
            io.read(buffer);
        }
        Map<String, Long> values = new java.util.HashMap<>();
        for (String line : new String(buffer.array(), 0, buffer.position()).split("\n")) {
            String[] parts = line.split(":\\s*");
            values.put(parts[0], Long.parseLong(parts[1].trim()));
        }
        return values;
    }

    @Test
    void countsFailuresByErrno(@TempDir Path dir) {
        Path missing = dir.resolve("does-not-exist");
        KernelMetrics metrics = trace(false, () -> {
            for (int i = 0; i < 7; i++) {
                try (FileInputStream in = new FileInputStream(missing.toFile())) {
                    in.read();
                } catch (IOException expected) {
                    // ENOENT is the point
                }
            }
        });

        assertThat(metrics.syscall("openat").count()).isEqualTo(7);
        assertThat(metrics.syscall("openat").errors()).isEqualTo(7);
        assertThat(metrics.syscall("openat").errorsByErrno()).containsExactly(Map.entry("ENOENT", 7L));
    }

    @Test
    void latencyHistogramMatchesKnownSleeps() {
        KernelMetrics metrics = trace(false, () -> {
            for (int i = 0; i < 20; i++) {
                Clib.INSTANCE.usleep(2000);
            }
        });

        var sleeps = metrics.syscall("clock_nanosleep");
        assertThat(sleeps.count()).isEqualTo(20);
        assertThat(sleeps.latencyNanos().getTotalCount()).isEqualTo(20);
        assertThat(sleeps.latencyNanos().getMinValue()).isGreaterThanOrEqualTo(1_980_000); // 2 ms less the 1% bucket width
        assertThat((double) sleeps.latencyNanos().getValueAtPercentile(50)).isCloseTo(2_100_000, within(1_000_000.0));
    }

    @Test
    void childThreadCountsOnlyWhenFollowingChildren() throws Exception {
        Runnable spawnWriter = () -> {
            Thread child = new Thread(() -> {
                try (FileOutputStream devNull = new FileOutputStream("/dev/null")) {
                    writeToDevNull(devNull, 25, 1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            child.start();
            try {
                child.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        KernelMetrics followed = trace(true, spawnWriter);
        KernelMetrics notFollowed = trace(false, spawnWriter);

        assertThat(followed.syscall("write").count()).isEqualTo(25);
        assertThat(followed.diagnostics().followedChildren()).isEqualTo(1);
        assertThat(followed.syscall("clone3").count() + followed.syscall("clone").count()).isEqualTo(1);
        assertThat(notFollowed.syscall("write").count()).isZero();
        assertThat(notFollowed.syscall("clone3").count() + notFollowed.syscall("clone").count()).isEqualTo(1);
    }

    @Test
    void spawnedProcessCountsWhenFollowingChildren() {
        Runnable runTrue = () -> {
            try {
                new ProcessBuilder("/bin/true").start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        KernelMetrics followed = trace(true, runTrue);
        KernelMetrics notFollowed = trace(false, runTrue);

        // the JDK's jspawnhelper execs once, then execs /bin/true
        assertThat(followed.syscall("execve").count()).isGreaterThanOrEqualTo(1);
        assertThat(followed.syscall("exit_group").count()).isGreaterThanOrEqualTo(1);
        assertThat(notFollowed.syscall("execve").count()).isZero();
    }

    @Test
    void concurrentSlotsEachSeeOnlyTheirOwnThreads() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch allTracking = new CountDownLatch(threads);
        try (FileOutputStream devNull = new FileOutputStream("/dev/null")) {
            Future<?>[] results = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int writes = 100 * (t + 1);
                results[t] = pool.submit(() -> {
                    writeToDevNull(devNull, 10, 1);
                    try (TraceSlot slot = KernelTracer.shared().openSlot()) {
                        slot.trackThread(Threads.currentTid(), true);
                        slot.start();
                        allTracking.countDown();
                        allTracking.await();
                        writeToDevNull(devNull, writes, 3);
                        slot.stop();
                        KernelMetrics metrics = slot.metrics();
                        assertThat(metrics.syscall("write").count()).isEqualTo(writes);
                        assertThat(metrics.bytesWritten()).isEqualTo(3L * writes);
                    }
                    return null;
                });
            }
            for (Future<?> result : results) {
                result.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void programsAreAttachedOnlyWhileASlotIsOpenAndForTheDetachDelay() throws InterruptedException {
        KernelTracer tracer = KernelTracer.shared();
        java.time.Duration defaultDelay = tracer.detachDelay();
        try {
            tracer.setDetachDelay(java.time.Duration.ZERO);
            try (TraceSlot slot = tracer.openSlot()) {
                assertThat(tracer.attached()).isTrue();
            }
            assertThat(tracer.attached()).isFalse();

            tracer.setDetachDelay(java.time.Duration.ofMillis(200));
            try (TraceSlot slot = tracer.openSlot()) {
                assertThat(tracer.attached()).isTrue();
            }
            assertThat(tracer.attached()).as("still attached during the delay").isTrue();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (tracer.attached() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(tracer.attached()).as("detached after the delay").isFalse();
        } finally {
            tracer.setDetachDelay(defaultDelay);
        }
    }

    @Test
    void nothingIsCountedOutsideStartAndStop() {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            Clib.INSTANCE.getppid();
            slot.start();
            slot.stop();
            Clib.INSTANCE.getppid();
            assertThat(slot.metrics().totalSyscalls()).isZero();
        }
    }
}
