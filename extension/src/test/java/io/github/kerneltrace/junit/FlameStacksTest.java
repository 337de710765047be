package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import io.github.kerneltrace.probes.Threads;

/**
 * Real JFR events of a workload that writes, allocates, sleeps and computes in known amounts,
 * recorded by a short {@link Recording} of this test's own, folded into flame graph stacks: each
 * amount is found under the method that made it, at the line that made it, and nowhere else.
 */
class FlameStacksTest {

    static final int WRITES = 10;
    static final int ARRAYS = 4;
    /** Larger than a TLAB can be (G1 allocates arrays of half a region or more outside them; regions here are 4 MiB). */
    static final int ARRAY_BYTES = 8 << 20;
    static final int SLEEPS = 3;
    static final long SLEEP_MILLIS = 20;

    @TempDir
    Path directory;

    /** The source line of the write in {@link #writeTenTimes}, set when it runs. */
    private int writeLine;
    private int allocationLine;

    @Test
    void writesAreCountedAtTheLineThatWrote() throws Exception {
        List<RecordedEvent> events = record("jdk.FileWrite", () -> writeTenTimes(directory.resolve("out")));

        FlameStacks writes = FlameStacks.of(Profile.WRITES, events, FlameStacksTest.class.getName(),
                "writesAreCountedAtTheLineThatWrote");

        assertThat(writes.events()).isEqualTo(WRITES);
        assertThat(writes.weight()).isEqualTo(WRITES);
        // Each stack starts at this test method (JUnit's frames below it are cut), goes through the
        // lambda and the workload, and ends in the JDK's write on JDK 17; JDK 22 and later emit the
        // event from the JDK's own code, whose frames the stack leaves out: it ends at the workload.
        assertThat(writes.stacks()).hasSize(1);
        assertThat(writes.stacks().keySet().iterator().next()).contains(";FlameStacksTest$$Lambda.run_[");
        String stack = writes.stacks().keySet().iterator().next();
        assertThat(stack).startsWith("FlameStacksTest.writesAreCountedAtTheLineThatWrote:")
                .contains(";FlameStacksTest.writeTenTimes:" + writeLine + "_[");
        if (Runtime.version().feature() < 22) {
            assertThat(stack).contains("FileOutputStream.write");
        } else {
            assertThat(stack).endsWith(";FlameStacksTest.writeTenTimes:" + writeLine + "_[0]");
        }
        assertThat(writes.stacks().get(stack)).isEqualTo(WRITES);
        assertThat(writes.collapsed()).isEqualTo(stack + " " + WRITES + "\n");
    }

    @Test
    void allocationIsWeightedInBytesUnderTheAllocatingMethod() throws Exception {
        List<RecordedEvent> events = record(Profile.ALLOCATION.eventNames(), this::allocateFourArrays);

        FlameStacks allocation = FlameStacks.of(Profile.ALLOCATION, events, FlameStacksTest.class.getName(),
                "allocationIsWeightedInBytesUnderTheAllocatingMethod");

        // An 8 MiB array does not fit a TLAB: each is one event outside it, weighing the array's
        // size (16 bytes of header).
        long arrays = byMethod(allocation, "FlameStacksTest.allocateFourArrays:" + allocationLine + "_[");
        assertThat(arrays).isEqualTo(ARRAYS * (ARRAY_BYTES + 16L));
        assertThat(allocation.stacks().keySet()).anyMatch(stack -> stack.endsWith(";byte[]"));
    }

    @Test
    void waitsAreWeightedByTheirDuration() throws Exception {
        List<RecordedEvent> events = record("jdk.ThreadSleep", FlameStacksTest::sleepThreeTimes);

        FlameStacks offCpu = FlameStacks.of(Profile.OFF_CPU, events, FlameStacksTest.class.getName(),
                "waitsAreWeightedByTheirDuration");

        assertThat(offCpu.events()).isEqualTo(SLEEPS);
        long slept = byMethod(offCpu, "FlameStacksTest.sleepThreeTimes:");
        // Thread.sleep sleeps at least as asked; a loaded machine may add a few milliseconds each.
        assertThat(slept).isBetween(SLEEPS * SLEEP_MILLIS * 1000, SLEEPS * (SLEEP_MILLIS + 30) * 1000);
        assertThat(offCpu.stacks().keySet()).allMatch(stack -> stack.endsWith(";[Java Thread Sleep]"));
        assertThat(offCpu.unit()).isEqualTo("µs");
    }

    @Test
    void cpuSamplesFallInTheMethodThatComputes() throws Exception {
        List<RecordedEvent> events = record("jdk.ExecutionSample", () -> compute(300));

        FlameStacks cpu = FlameStacks.of(Profile.CPU, events, FlameStacksTest.class.getName(),
                "cpuSamplesFallInTheMethodThatComputes");

        // 300 ms at one sample a millisecond: JDK 17 took 0.8 per ms of a busy loop here; a loaded machine fewer.
        assertThat(cpu.events()).isGreaterThan(50);
        assertThat(byMethod(cpu, "FlameStacksTest.compute:")).isGreaterThan(cpu.events() * 9 / 10);
    }

    /** Events of other kinds are not folded into a profile that does not draw them. */
    @Test
    void aProfileTakesOnlyItsOwnEvents() throws Exception {
        List<RecordedEvent> events = record("jdk.ThreadSleep", FlameStacksTest::sleepThreeTimes);

        assertThat(FlameStacks.of(Profile.WRITES, events, FlameStacksTest.class.getName(), "x").events()).isZero();
        assertThat(FlameStacks.of(Profile.OFF_CPU, events, FlameStacksTest.class.getName(), "x").events()).isEqualTo(SLEEPS);
    }

    @Test
    void classesReadAsJavaSpellsThem() {
        assertThat(FlameStacks.typeName("[B")).isEqualTo("byte[]");
        assertThat(FlameStacks.typeName("[[Ljava.lang.String;")).isEqualTo("java.lang.String[][]");
        assertThat(FlameStacks.typeName("java.util.ArrayList")).isEqualTo("java.util.ArrayList");
        assertThat(FlameStacks.simpleName("com.example.SegmentLog$Batch")).isEqualTo("SegmentLog$Batch");
        assertThat(FlameStacks.simpleName("com.example.SegmentLog$$Lambda$14.1716932897")).isEqualTo("SegmentLog$$Lambda");
    }

    /** The sum of the stacks that pass through {@code frame}. */
    static long byMethod(FlameStacks stacks, String frame) {
        return stacks.stacks().entrySet().stream()
                .filter(entry -> entry.getKey().contains(frame))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /**
     * The events of this thread from a recording of {@code event} (stacks on, every duration, execution
     * sampled every millisecond) around {@code workload}.
     */
    static List<RecordedEvent> record(String event, Workload workload) throws Exception {
        return record(List.of(event), workload);
    }

    static List<RecordedEvent> record(List<String> events, Workload workload) throws Exception {
        Path file = Files.createTempFile("flame-stacks-", ".jfr");
        try (Recording recording = new Recording()) {
            for (String event : events) {
                recording.enable(event).withThreshold(Duration.ZERO).withPeriod(Duration.ofMillis(1)).withStackTrace();
            }
            recording.start();
            workload.run();
            recording.stop();
            recording.dump(file);
            long thread = Threads.currentTid();
            return RecordingFile.readAllEvents(file).stream()
                    .filter(recorded -> JfrRecorder.osThreadId(recorded) == thread)
                    .collect(Collectors.toList());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    interface Workload {
        void run() throws Exception;
    }

    private void writeTenTimes(Path file) throws IOException {
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            for (int i = 0; i < WRITES; i++) {
                writeLine = new Throwable().getStackTrace()[0].getLineNumber() + 1;
                out.write(new byte[] {'x', '\n'});
            }
        }
    }

    private void allocateFourArrays() {
        byte[][] arrays = new byte[ARRAYS][];
        for (int i = 0; i < ARRAYS; i++) {
            allocationLine = new Throwable().getStackTrace()[0].getLineNumber() + 1;
            arrays[i] = new byte[ARRAY_BYTES];
        }
        sink = arrays;
    }

    static volatile Object sink;

    private static void sleepThreeTimes() throws InterruptedException {
        for (int i = 0; i < SLEEPS; i++) {
            Thread.sleep(SLEEP_MILLIS);
        }
    }

    private static void compute(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100_000; i++) {
                x = x * 31 + i;
            }
        }
        sink = x;
    }
}
