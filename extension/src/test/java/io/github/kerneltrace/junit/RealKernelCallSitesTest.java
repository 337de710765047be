package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;

/**
 * The Java call sites in failure messages, on real runs (real kernel, real Flight Recorder): a
 * write budget broken by a write per record names the writing line for the writes the kernel
 * counted; an allocation budget names the allocating method; a contended lock names the
 * {@code synchronized} line; two tests running at once each see only their own sites; a baseline
 * recorded with sites shows the site grown in a regression; a passing test shows none.
 */
class RealKernelCallSitesTest {

    /** Lines the fixtures recorded where they write, allocate or lock, by name: the oracle. */
    static final Map<String, Integer> LINES = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void kernelCanTrace() {
        RealKernel.requireTracing();
    }

    @Test
    void aWritePerRecordNamesTheWritingLineForTheWritesTheKernelCounted() {
        RealKernel.Run run = RealKernel.run(Writes.class, Map.of(KernelTraceConfiguration.REQUIRE, "true"), 2);
        Throwable failure = run.throwableOf("aWritePerRecord");
        assertThat(failure).isInstanceOf(KernelLimitExceededError.class);
        String message = failure.getMessage();
        assertThat(message).contains("write calls: limit 1, measured 100");
        String site = "RealKernelCallSitesTest$Writes.writeRecord(RealKernelCallSitesTest.java:" + LINES.get("writeRecord")
                + ") ← RealKernelCallSitesTest$Writes.aWritePerRecord(RealKernelCallSitesTest.java:" + LINES.get("aWritePerRecord") + ")";
        // all 100 writes the kernel counted, at that line, listed right under the breach
        assertThat(message).contains("\n  - write calls: limit 1, measured 100  (@MaxSyscalls(value = 1, syscall = \"write\"))"
                + "\n      call sites: 100 of 100 write calls explained (in a re-run with the Flight Recorder on)"
                + "\n        100 × " + site + "\n");
        assertThat(run.statusOf("oneWrite")).as("a passing test").isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void theSitesAreARerunsAndSaySo() {
        RealKernel.Run run = RealKernel.run(Repeated.class, Map.of(KernelTraceConfiguration.REQUIRE, "true"), 1);
        assertThat(run.throwableOf("writesMoreEachRun").getMessage())
                .contains("write calls: limit 1, measured 20  (@MaxSyscalls(value = 1, syscall = \"write\"))")
                // runs write 10, 20, 30 times: the median is the second's; the sites are a fourth run's,
                // with the Flight Recorder on, so no counted run has its work in its figures
                .contains("\n      call sites: 40 of 40 write calls explained (in a re-run with the Flight Recorder on)\n"
                        + "        40 × RealKernelCallSitesTest$Repeated.writesMoreEachRun(RealKernelCallSitesTest.java:");
    }

    @Test
    void anAllocationBudgetNamesTheAllocatingMethod() {
        RealKernel.Run run = RealKernel.run(Allocates.class, Map.of(KernelTraceConfiguration.REQUIRE, "true"), 1);
        String message = run.throwableOf("allocatesTenMegabytes").getMessage();
        assertThat(message).contains("heap allocated: limit 64.0 KiB");
        Matcher top = Pattern.compile("\n +call sites: ([0-9.]+ MiB) .*\n +([0-9.]+ MiB) \\([0-9]+ B\\) × ([^\n]+)")
                .matcher(message);
        assertThat(top.find()).as("a call-site block with its top site in %s", message).isTrue();
        assertThat(top.group(3)).startsWith("RealKernelCallSitesTest$Allocates.allocateBuffers(RealKernelCallSitesTest.java:"
                + LINES.get("allocateBuffers") + ")");
    }

    @Test
    void aContendedLockNamesTheLockSite() {
        RealKernel.Run run = RealKernel.run(Locks.class, Map.of(KernelTraceConfiguration.REQUIRE, "true"), 1);
        String message = run.throwableOf("waitsForAHeldLock").getMessage();
        // HotSpot takes the stack once the monitor is entered: the frame's line is the synchronized
        // statement's, or the first statement inside it
        Matcher site = Pattern.compile("× RealKernelCallSitesTest\\$Locks.enterHeldLock\\(RealKernelCallSitesTest.java:(\\d+)\\)"
                + " ← RealKernelCallSitesTest\\$Locks.waitsForAHeldLock\\(").matcher(message);
        assertThat(message).contains("voluntary context switches: limit 0");
        assertThat(site.find()).as("the lock site in %s", message).isTrue();
        assertThat(Integer.parseInt(site.group(1))).isBetween(LINES.get("enterHeldLock"), LINES.get("enterHeldLock") + 1);
    }

    @Test
    void concurrentTestsSeeOnlyTheirOwnSites() {
        RealKernel.Run run = RealKernel.run(Concurrent.class, Map.of(KernelTraceConfiguration.REQUIRE, "true",
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"), 2);
        String left = run.throwableOf("writesFromTheLeft").getMessage();
        String right = run.throwableOf("writesFromTheRight").getMessage();
        assertThat(Concurrent.overlapped).as("the two tests ran at once").isTrue();
        assertThat(left).contains("call sites: 20 of 20 write calls explained (in a re-run with the Flight Recorder on)\n")
                .contains("20 × RealKernelCallSitesTest$Concurrent.left(").doesNotContain("RealKernelCallSitesTest$Concurrent.right(");
        assertThat(right).contains("call sites: 30 of 30 write calls explained (in a re-run with the Flight Recorder on)\n")
                .contains("30 × RealKernelCallSitesTest$Concurrent.right(").doesNotContain("RealKernelCallSitesTest$Concurrent.left(");
    }

    @Test
    void aBaselineKeepsTheSitesAndARegressionShowsTheSiteGrown(@TempDir Path directory) throws IOException {
        Path file = directory.resolve(Batches.class.getName() + ".baseline");
        Batches.writePerRecord = false;
        RealKernel.run(Batches.class, Map.of(KernelTraceConfiguration.REQUIRE, "true",
                ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "update"), 1);
        // update mode records the values, never re-running a test: no call sites yet
        String values = Files.readString(file);
        assertThat(values).contains("\nappendsABatch() :: syscalls.write.count = 1 exact\n").doesNotContain(" :: site ");
        RealKernel.run(Batches.class, Map.of(KernelTraceConfiguration.REQUIRE, "true",
                ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "sites"), 1);
        // sites mode adds them from a re-run of each test, and leaves the values as they were
        assertThat(Files.readString(file).lines().filter(line -> !line.contains(" :: site ")))
                .containsExactlyElementsOf(values.lines().toList());
        String flushLine = "RealKernelCallSitesTest$Batches.flush(RealKernelCallSitesTest.java:" + LINES.get("flush") + ")";
        assertThat(Files.readString(file)).contains("\nappendsABatch() :: site syscalls.write.count = 1 at " + flushLine
                + " ← RealKernelCallSitesTest$Batches.append(RealKernelCallSitesTest.java:" + LINES.get("flushBatch") + ")\n");

        Batches.writePerRecord = true;
        String message = RealKernel.run(Batches.class, Map.of(KernelTraceConfiguration.REQUIRE, "true",
                        ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, "compare"), 1)
                .throwableOf("appendsABatch").getMessage();
        String append = " ← RealKernelCallSitesTest$Batches.append(RealKernelCallSitesTest.java:" + LINES.get("flushEach") + ")";
        assertThat(message).contains("\n  - syscalls.write.count: 1 → 100 (+99, exact)"
                + "\n      call sites: 100 of 100 write calls explained (in a re-run with the Flight Recorder on)"
                + "\n        100 × " + flushLine + append
                + "\n      call sites against the baseline:"
                + "\n        grown 1 → 100: " + flushLine + append + "\n");
    }

    /** The line of the caller's next statement: fixtures mark where they write, on the line before. */
    static void markNextLine(String name) {
        markLine(name, 1);
    }

    /** The line {@code below} lines under the caller's. */
    static void markLine(String name, int below) {
        LINES.put(name, StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(RealKernelCallSitesTest.class.getName()))
                .findFirst().orElseThrow().getLineNumber()) + below);
    }

    @Tag("fixture")
    @KernelTrace
    static class Writes {

        @TempDir
        Path dir;
        FileChannel channel;
        final ByteBuffer record = ByteBuffer.allocateDirect(16);

        @BeforeEach
        void open() throws IOException {
            channel = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            writeRecord(); // warm: the first write loads classes, outside the traced method
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        void aWritePerRecord() throws IOException {
            for (int i = 0; i < 100; i++) {
                markNextLine("aWritePerRecord");
                writeRecord();
            }
        }

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        void oneWrite() throws IOException {
            writeRecord();
        }

        void writeRecord() throws IOException {
            record.clear();
            markNextLine("writeRecord");
            channel.write(record);
        }

        @AfterEach
        void close() throws IOException {
            channel.close();
        }
    }

    @Tag("fixture")
    @KernelTrace(repetitions = 3)
    static class Repeated {

        @TempDir
        Path dir;
        int runs;

        @Test
        @MaxSyscalls(value = 1, syscall = "write")
        void writesMoreEachRun() throws IOException {
            runs++;
            try (FileChannel channel = FileChannel.open(dir.resolve("log" + runs), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                for (int i = 0; i < 10 * runs; i++) {
                    channel.write(ByteBuffer.wrap(new byte[8]));
                }
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Allocates {

        static volatile Object kept;

        @BeforeEach
        void warm() {
            allocateBuffers(4);
        }

        @Test
        @MaxHeapAllocation("64KiB")
        void allocatesTenMegabytes() {
            allocateBuffers(10 * 1024);
        }

        static void allocateBuffers(int kibibytes) {
            markLine("allocateBuffers", 2); // not in the loop: it allocates too
            for (int i = 0; i < kibibytes / 4; i++) {
                kept = new byte[4096];
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Locks {

        static final Object LOCK = new Object();

        @Test
        @MaxContextSwitches(value = 0, kind = SwitchKind.VOLUNTARY)
        void waitsForAHeldLock() throws InterruptedException {
            CountDownLatch held = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                synchronized (LOCK) {
                    held.countDown();
                    sleep(50);
                }
            });
            holder.start();
            held.await();
            enterHeldLock();
            holder.join();
        }

        static void enterHeldLock() {
            markNextLine("enterHeldLock");
            synchronized (LOCK) {
                LOCK.notifyAll();
            }
        }

        static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Concurrent {

        static final CyclicBarrier BOTH_STARTED = new CyclicBarrier(2);
        static final CyclicBarrier BOTH_WROTE = new CyclicBarrier(2);
        static volatile boolean overlapped;

        @TempDir
        Path dir;

        @Test
        @MaxSyscalls(value = 0, syscall = "write")
        void writesFromTheLeft() throws Exception {
            try (FileChannel channel = open("left")) {
                BOTH_STARTED.await(30, TimeUnit.SECONDS); // a timeout: not run in parallel fails, never hangs
                left(channel, 20);
                BOTH_WROTE.await(30, TimeUnit.SECONDS);
            }
        }

        @Test
        @MaxSyscalls(value = 0, syscall = "write")
        void writesFromTheRight() throws Exception {
            try (FileChannel channel = open("right")) {
                BOTH_STARTED.await(30, TimeUnit.SECONDS); // a timeout: not run in parallel fails, never hangs
                right(channel, 30);
                BOTH_WROTE.await(30, TimeUnit.SECONDS);
                overlapped = true;
            }
        }

        private FileChannel open(String name) throws IOException {
            return FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }

        static void left(FileChannel channel, int writes) throws IOException {
            for (int i = 0; i < writes; i++) {
                channel.write(ByteBuffer.wrap(new byte[8]));
            }
        }

        static void right(FileChannel channel, int writes) throws IOException {
            for (int i = 0; i < writes; i++) {
                channel.write(ByteBuffer.wrap(new byte[8]));
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Batches {

        static volatile boolean writePerRecord;

        @TempDir
        Path dir;
        FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(100 * 16);

        @BeforeEach
        void open() throws IOException {
            channel = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            append(); // warm
        }

        @Test
        void appendsABatch() throws IOException {
            append();
        }

        void append() throws IOException {
            buffer.clear();
            for (int i = 0; i < 100; i++) {
                buffer.put(new byte[16]);
                if (writePerRecord) {
                    markNextLine("flushEach");
                    flush();
                }
            }
            markNextLine("flushBatch");
            flush();
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) {
                markNextLine("flush");
                channel.write(buffer);
            }
            buffer.clear();
        }

        @AfterEach
        void close() throws IOException {
            channel.close();
        }
    }
}
