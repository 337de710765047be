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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JVMs in PID namespaces of their own (as in containers), traced at the same time: one a level
 * down, one two levels down. Their test threads have the same ids there; each counts exactly its
 * own writes, a child thread's, and none of the other's.
 */
class PidNamespacesTest {

    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    /** In its own namespace: traces this thread's writes and a child thread's, then prints what it saw. */
    public static void main(String[] args) throws Exception {
        int writes = Integer.parseInt(args[0]);
        BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            devNull.write(new byte[1]); // warm up outside the count
            slot.trackThread(Threads.currentTid(), true);
            KernelIds.Answer ids = KernelTracer.shared().ids().ask(false);
            System.out.println("ready tid " + Threads.currentTid() + " level " + ids.level() + " kernel tid " + ids.kernelTid());
            System.out.flush();
            parent.readLine(); // "go": both JVMs trace at once
            slot.start();
            for (int i = 0; i < writes; i++) {
                devNull.write(new byte[1]);
            }
            Thread child = new Thread(() -> {
                try {
                    devNull.write(new byte[3]);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            child.start();
            child.join();
            slot.stop();
            System.out.println("writes " + slot.metrics().syscall("write").count());
        }
    }

    @BeforeAll
    static void requireTracingAndUnshare() {
        TracingAssumptions.requireTracing();
        assertThat(UNSHARE).as("util-linux unshare, which CI installs").exists();
    }

    @Test
    void twoJvmsInNamespacesOfTheirOwnWithTheSameThreadIdsCountOnlyTheirOwnWrites() throws Exception {
        Child oneLevel = Child.start(1, 30_000);
        Child twoLevels = Child.start(2, 20_000);
        try {
            String first = oneLevel.readLine();
            String second = twoLevels.readLine();
            assertThat(first).startsWith("ready tid ");
            assertThat(second).startsWith("ready tid ");
            int firstLevel = Integer.parseInt(first.split(" ")[4]);
            assertThat(firstLevel).as("a namespace below this test's").isGreaterThanOrEqualTo(1);
            assertThat(Integer.parseInt(second.split(" ")[4])).isEqualTo(firstLevel + 1);
            // the same id inside each namespace: the kernel must still tell the threads apart
            assertThat(first.split(" ")[2]).isEqualTo(second.split(" ")[2]);
            assertThat(first.split(" ")[7]).isNotEqualTo(second.split(" ")[7]);
            oneLevel.go();
            twoLevels.go();

            assertThat(oneLevel.readLine()).isEqualTo("writes " + (30_000 + 1));
            assertThat(twoLevels.readLine()).isEqualTo("writes " + (20_000 + 1));
        } finally {
            oneLevel.finish();
            twoLevels.finish();
        }
    }

    /** A JVM started {@code levels} PID namespaces down, each with its own /proc. */
    private record Child(Process process, BufferedReader out, Writer in) {

        static Child start(int levels, int writes) throws IOException {
            List<String> command = new ArrayList<>();
            for (int i = 0; i < levels; i++) {
                command.addAll(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), PidNamespacesTest.class.getName(), String.valueOf(writes)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new Child(process, new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
                    new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        String readLine() throws IOException {
            return out.readLine();
        }

        void go() throws IOException {
            in.write("go\n");
            in.flush();
        }

        void finish() throws Exception {
            in.close();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        }
    }

}
