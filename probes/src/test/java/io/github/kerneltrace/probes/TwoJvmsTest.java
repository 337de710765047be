package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Two JVMs on one host trace at the same time, each with its own copy of the programs and maps:
 * each counts exactly its own writes and none of the other's.
 */
class TwoJvmsTest {

    private static final int CHILD_WRITES = 30_000;
    private static final int PARENT_WRITES = 20_000;

    /** The child JVM: traces its own writes while the parent traces its own. */
    public static void main(String[] args) throws IOException {
        BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            devNull.write(new byte[1]); // warm up outside the count
            slot.trackThread(Threads.currentTid(), true);
            System.out.println("ready");
            System.out.flush();
            parent.readLine(); // "go": both JVMs now have their programs attached and slots open
            slot.start();
            for (int i = 0; i < CHILD_WRITES; i++) {
                devNull.write(new byte[1]);
            }
            slot.stop();
            System.out.println("writes " + slot.metrics().syscall("write").count());
        }
    }

    @Test
    void eachJvmCountsOnlyItsOwnThreads() throws Exception {
        TracingAssumptions.requireTracing();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                TwoJvmsTest.class.getName())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
             FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            assertThat(fromChild.readLine()).isEqualTo("ready");
            devNull.write(new byte[1]);
            slot.trackThread(Threads.currentTid(), true);
            toChild.write("go\n");
            toChild.flush();
            slot.start();
            for (int i = 0; i < PARENT_WRITES; i++) {
                devNull.write(new byte[1]);
            }
            slot.stop();
            String childResult = fromChild.readLine();

            assertThat(slot.metrics().syscall("write").count()).isEqualTo(PARENT_WRITES);
            assertThat(childResult).isEqualTo("writes " + CHILD_WRITES);
        } finally {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).isZero();
    }
}
