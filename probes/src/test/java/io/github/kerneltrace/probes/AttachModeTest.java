package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both ways of hooking the tracepoints count exactly, system calls and scheduler events alike:
 * tp_btf (preferred) and raw_tp (the fallback for kernels that refuse tp_btf), each forced in a
 * fresh JVM with {@code -Dkerneltrace.attachMode}. A bad value is refused with a reason.
 */
class AttachModeTest {

    private static final int WRITES = 4321;
    private static final int SLEEPS = 7;

    /** The child JVM: prints how it attached and how many writes it counted. */
    public static void main(String[] args) throws IOException {
        KernelSupport support = KernelSupport.detect();
        System.out.println(support);
        if (!support.available()) {
            return;
        }
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            devNull.write(new byte[1]);
            slot.trackThread(Threads.currentTid(), false);
            slot.start();
            for (int i = 0; i < WRITES; i++) {
                devNull.write(new byte[1]);
            }
            for (int i = 0; i < SLEEPS; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            slot.stop();
            var metrics = slot.metrics();
            System.out.println("writes " + metrics.syscall("write").count());
            System.out.println("voluntary switches " + metrics.scheduler().voluntarySwitches()
                    + ", wake-ups " + metrics.scheduler().wakeups());
        }
    }

    private static String runChild(String attachMode) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "-Dkerneltrace.attachMode=" + attachMode,
                "-cp", System.getProperty("java.class.path"), AttachModeTest.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(output).isZero();
        return output;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tp_btf", "raw_tp"})
    void eachAttachModeCountsExactly(String attachMode) throws Exception {
        TracingAssumptions.requireTracing();

        String output = runChild(attachMode);

        assertThat(output).contains("KernelTrace available: libbpf 1.").contains(", " + attachMode + ", ")
                .contains("writes " + WRITES);
        // each park blocks once; a fresh JVM may block its thread once more (a safepoint), and
        // every block is woken again
        java.util.regex.Matcher scheduler = java.util.regex.Pattern
                .compile("voluntary switches (\\d+), wake-ups (\\d+)").matcher(output);
        assertThat(scheduler.find()).as(output).isTrue();
        assertThat(Long.parseLong(scheduler.group(1))).isBetween((long) SLEEPS, SLEEPS + 2L)
                .isEqualTo(Long.parseLong(scheduler.group(2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kprobe"})
    void anUnknownAttachModeIsRefusedWithTheReason(String attachMode) throws Exception {
        TracingAssumptions.requireTracing();

        assertThat(runChild(attachMode)).contains("KernelTrace unavailable: the system property kerneltrace.attachMode"
                + " is \"kprobe\"; use tp_btf or raw_tp");
    }
}
