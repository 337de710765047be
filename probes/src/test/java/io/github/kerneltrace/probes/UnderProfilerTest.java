package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import one.profiler.AsyncProfiler;

/**
 * A JVM under a sampling profiler loads the programs and counts exactly. async-profiler in CPU
 * mode at 100 µs sends the JVM's threads signals all the time; the verifier gives up with EAGAIN
 * when the loading thread has one pending, and before the loading thread blocked them every load
 * failed ("BPF program load failed: Resource temporarily unavailable").
 */
class UnderProfilerTest {

    /** Enough to run for tens of milliseconds of CPU: hundreds of profiler samples of the test's thread. */
    private static final int WRITES = 20_000;

    /** The profiled JVM: loads, traces its own writes and prints what it saw. */
    public static void main(String[] args) throws IOException {
        System.out.println(KernelSupport.detect());
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            for (int i = 0; i < WRITES; i++) {
                devNull.write(1);
            }
            slot.stop();
            KernelMetricsView metrics = new KernelMetricsView(slot);
            System.out.println("writes " + metrics.count("write"));
            // async-profiler's SIGPROF handler on this thread: read, gettid, ioctl, then rt_sigreturn
            System.out.println("handler calls counted " + (metrics.count("read") + metrics.count("gettid")
                    + metrics.count("ioctl") + metrics.count("rt_sigreturn")));
            System.out.println("signal handler calls " + metrics.metrics().diagnostics().signalHandlerCalls());
        }
    }

    /** The counts the profiled JVM prints. */
    private record KernelMetricsView(io.github.kerneltrace.probes.metrics.KernelMetrics metrics) {
        KernelMetricsView(TraceSlot slot) {
            this(slot.metrics());
        }

        long count(String syscall) {
            return metrics.syscall(syscall).count();
        }
    }

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @Test
    void loadsAndCountsExactlyUnderAsyncProfilerSamplingEvery100Microseconds(@TempDir Path work) throws Exception {
        Path agent = extractAgent(work);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String output = "";
        Process child = null;
        // JDK 17 under async-profiler at 100 µs now and then crashes in its JIT compiler
        // (CompilationPolicy::select_task, no KernelTrace frame): such a run is repeated, twice at most.
        for (int attempt = 0; attempt < 3; attempt++) {
            child = new ProcessBuilder(List.of(java.toString(),
                    "-agentpath:" + agent + "=start,event=cpu,interval=100us,file=" + work.resolve("profile.txt"),
                    "-cp", System.getProperty("java.class.path"), UnderProfilerTest.class.getName()))
                    .redirectErrorStream(true).start();
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            if (!output.contains("A fatal error has been detected by the Java Runtime Environment")) {
                break;
            }
            System.out.println("[under-profiler] the profiled JVM crashed; again. " + output.lines()
                    .dropWhile(line -> !line.contains("Problematic frame")).limit(2).toList());
        }

        assertThat(output).contains("Profiling started").contains("KernelTrace available: ").contains("writes " + WRITES);
        // the profiler's own calls, made in its signal handler on the test's thread, are not the test's
        assertThat(output).contains("handler calls counted 0");
        long inHandlers = Long.parseLong(output.lines().filter(line -> line.startsWith("signal handler calls "))
                .findFirst().orElseThrow().substring("signal handler calls ".length()));
        assertThat(inHandlers).as("calls made in the profiler's handler on the test's thread: sampled meanwhile")
                .isGreaterThan(20);
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(Files.readString(work.resolve("profile.txt"))).as("the profiler sampled meanwhile").isNotBlank();
    }

    /** The profiler's agent library for this machine, from the async-profiler jar on the test class path. */
    private static Path extractAgent(Path work) throws IOException {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
        try (InputStream library = AsyncProfiler.class.getResourceAsStream("/" + arch + "/libasyncProfiler.so")) {
            assertThat(library).as("libasyncProfiler.so for " + arch + " in the async-profiler jar").isNotNull();
            Path agent = work.resolve("libasyncProfiler.so");
            Files.copy(library, agent, StandardCopyOption.REPLACE_EXISTING);
            return agent;
        }
    }
}
