package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * Declared probes through the extension on the real kernel: limits, assertions, the JSON report and
 * bad declarations, against ../probes/src/test/c/declared.c (built here with gcc, loaded through
 * JNA, so mapped into this JVM as libdeclared.so and found by that name), HotSpot's
 * hotspot:thread__park__begin, and the tracepoint signal:signal_generate.
 */
class RealKernelDeclaredProbesTest {

    static final int CALLS = 100;
    static final long SLEEP_NANOS = 2_000_000;
    static final int PARKS = 25;
    static final int SIGNALS = 12;
    private static final int SIGURG = 23; // ignored by default, and by HotSpot

    interface Workload extends Library {
        int probed_call(int x);

        void probed_sleep(long nanos);
    }

    interface Signals extends Library {
        Signals C = Native.load("c", Signals.class);

        int kill(int pid, int signal);

        int getpid();
    }

    static Workload workload;

    @TempDir
    static Path reports;

    @BeforeAll
    static void buildWorkload() throws IOException, InterruptedException {
        RealKernel.requireTracing();
        Path library = Path.of("target", "test-native", "libdeclared.so").toAbsolutePath();
        Files.createDirectories(library.getParent());
        Process gcc = new ProcessBuilder("gcc", "-O0", "-shared", "-fPIC", "-o", library.toString(),
                "../probes/src/test/c/declared.c").inheritIO().start();
        assertThat(gcc.waitFor()).as("gcc building ../probes/src/test/c/declared.c (is gcc installed?)").isZero();
        workload = Native.load(library.toString(), Workload.class);
    }

    private static RealKernel.Run probes() {
        return RealKernel.run(Probes.class, Map.of("kerneltrace.reportDir", reports.toString()), 6);
    }

    @Test
    void aUserProbeCountsEveryCallOfTheTestAndItsLimitHolds() {
        RealKernel.Run run = probes();
        assertThat(run.statusOf("callsWithinLimit")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        ProbeMetrics calls = run.metrics("callsWithinLimit").probes().probe("calls");
        assertThat(calls.hits()).isEqualTo(CALLS);
        assertThat(calls.latencyNanos().getTotalCount()).isEqualTo(CALLS);
        assertThat(calls.target()).endsWith("/libdeclared.so").startsWith("uprobe probed_call in /");
    }

    @Test
    void aBreachedHitLimitFailsNamingTheProbe() {
        RealKernel.Run run = probes();
        assertThat(run.throwableOf("oneCallTooMany")).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("hits of probe calls").hasMessageContaining("@MaxProbeHits(probe = \"calls\", value = 10)")
                .hasMessageContaining("11");
    }

    @Test
    void aUserProbeTimesEachCall() {
        RealKernel.Run run = probes();
        assertThat(run.statusOf("sleepsWithinLatencyLimit")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        ProbeMetrics sleeps = run.metrics("sleepsWithinLatencyLimit").probes().probe("sleeps");
        assertThat(sleeps.hits()).isEqualTo(3);
        // nanosleep never returns early; the histogram keeps 3 significant digits
        assertThat(sleeps.latencyNanos().getMinValue()).isGreaterThanOrEqualTo(SLEEP_NANOS - SLEEP_NANOS / 1000);
    }

    @Test
    void aUsdtProbeAndATracepointCountTheTestThreadsEvents() {
        RealKernel.Run run = probes();
        assertThat(run.statusOf("parksAndSignals")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(run.metrics("parksAndSignals").probes().probe("parks").hits()).isEqualTo(PARKS);
        assertThat(run.metrics("parksAndSignals").probes().probe("signals").hits()).isEqualTo(SIGNALS);
    }

    @Test
    void theReportHasAProbesBlockAtTheMetricKeys() throws IOException {
        probes();
        Map<String, Object> json = JsonTree.parse(Files.readString(RealKernel.report(reports, Probes.class, "callsWithinLimit")));
        assertThat(JsonTree.at(json, "probes.calls.hits")).isEqualTo((long) CALLS);
        assertThat(JsonTree.at(json, "probes.calls.latencyNanos.count")).isEqualTo((long) CALLS);
        assertThat(JsonTree.at(json, "probes.calls.scope")).isEqualTo("TEST_THREADS");
    }

    @Test
    void badDeclarationsFailTheirTestBeforeItRunsAndLeaveTheOthers() {
        RealKernel.Run run = RealKernel.run(BadDeclarations.class, 9);
        assertThat(run.throwableOf("undeclaredProbe")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@MaxProbeHits(probe = \"nope\", value = 1)").hasMessageContaining("no probe named \"nope\"");
        assertThat(run.throwableOf("duplicateName")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@TracepointProbe(name = \"twice\")").hasMessageContaining("declared already");
        assertThat(run.throwableOf("malformedTracepoint")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("\"sched_process_fork\" is not category:name");
        assertThat(run.throwableOf("unknownLibrary")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("no library libnosuch is mapped into this JVM");
        // those the kernel refuses at attach time are named by their declaration too
        assertThat(run.throwableOf("unknownSymbol")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@UserProbe(name = \"nope\", library = \"").hasMessageContaining("libdeclared.so")
                .hasMessageContaining("no_such_function").hasMessageContaining("nm -D --defined-only");
        assertThat(run.throwableOf("unknownUsdtProbe")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@UsdtProbe(name = \"nope\", library = \"").hasMessageContaining("libjvm.so")
                .hasMessageContaining("hotspot:no__such__probe").hasMessageContaining("readelf -n")
                .hasMessageContaining("probes of provider hotspot; the most alike: ");
        assertThat(run.throwableOf("unknownTracepoint")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@TracepointProbe(name = \"nope\", tracepoint = \"sched:no_such_tracepoint\"): no tracepoint")
                .hasMessageContaining("/sys/kernel/tracing/available_events");
        assertThat(run.throwableOf("kernelProbe")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageContaining("@KernelProbe(name = \"kernel\", function = \"no_such_kernel_function\"): ")
                .satisfiesAnyOf(e -> assertThat(e).hasMessageContaining("CONFIG_KPROBES"),
                        e -> assertThat(e).hasMessageContaining("no_such_kernel_function"));
        assertThat(run.statusOf("goodOneBesideThem")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(run.metrics("goodOneBesideThem").probes().probe("calls").hits()).isEqualTo(1);
    }

    /**
     * A baseline gates a declared probe's hits like the system calls the code makes: recorded
     * exact, unchanged passes, one call more fails naming the probe. A probe counting the whole
     * host is not recorded: other processes' events are not the code's.
     */
    @Test
    void aBaselineGatesAProbesHitsExactlyAndLeavesHostWideOnesOut(@TempDir Path directory) throws IOException {
        Path file = directory.resolve(ProbedBaseline.class.getName() + ".baseline");
        ProbedBaseline.calls = 5;
        assertThat(baselineRun(directory, "update")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(Files.readString(file)).contains("\ncallsTheProbedFunction() :: probes.calls.hits = 5 exact\n")
                .doesNotContain("probes.hostSignals").doesNotContain("probes.calls.latencyNanos");

        assertThat(baselineRun(directory, "compare")).as("unchanged").isEqualTo(TestExecutionResult.Status.SUCCESSFUL);

        ProbedBaseline.calls = 6;
        Throwable regression = Fixtures.throwableOf(Fixtures.run(ProbedBaseline.class, baselineConfiguration(directory, "compare"))
                .testEvents(), "callsTheProbedFunction");
        assertThat(regression).isInstanceOf(KernelLimitExceededError.class)
                .hasMessageContaining("- probes.calls.hits: 5 → 6 (+1, exact)");
    }

    /** A run of its own each time (not RealKernel's cached one): the fixture's count changes between runs. */
    private static TestExecutionResult.Status baselineRun(Path directory, String mode) {
        return Fixtures.statusOf(Fixtures.run(ProbedBaseline.class, baselineConfiguration(directory, mode)).testEvents(),
                "callsTheProbedFunction");
    }

    private static Map<String, String> baselineConfiguration(Path directory, String mode) {
        return Map.of(KernelTraceConfiguration.REQUIRE, "true", ClassBaseline.DIRECTORY, directory.toString(),
                ClassBaseline.MODE, mode, "kerneltrace.reportDir", reports.toString());
    }

    @Tag("fixture")
    @KernelTrace
    static class ProbedBaseline {

        static volatile int calls;

        @Test
        @UserProbe(name = "calls", library = "libdeclared", function = "probed_call")
        @TracepointProbe(name = "hostSignals", tracepoint = "signal:signal_generate", scope = ProbeScope.HOST)
        void callsTheProbedFunction() {
            for (int i = 0; i < calls; i++) {
                workload.probed_call(i);
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class Probes extends RealKernel.Recorded {

        @Test
        @UserProbe(name = "calls", library = "libdeclared", function = "probed_call")
        @MaxProbeHits(probe = "calls", value = CALLS)
        void callsWithinLimit() {
            for (int i = 0; i < CALLS; i++) {
                workload.probed_call(i);
            }
        }

        @Test
        @UserProbe(name = "calls", library = "libdeclared", function = "probed_call")
        @MaxProbeHits(probe = "calls", value = 10)
        void oneCallTooMany() {
            for (int i = 0; i < 11; i++) {
                workload.probed_call(i);
            }
        }

        @Test
        @UserProbe(name = "sleeps", library = "libdeclared", function = "probed_sleep")
        @MaxProbeLatency(probe = "sleeps", percentile = 50, value = "1s")
        void sleepsWithinLatencyLimit() {
            for (int i = 0; i < 3; i++) {
                workload.probed_sleep(SLEEP_NANOS);
            }
        }

        @Test
        @UsdtProbe(name = "parks", library = "libjvm", provider = "hotspot", probe = "thread__park__begin")
        @TracepointProbe(name = "signals", tracepoint = "signal:signal_generate")
        void parksAndSignals() {
            for (int i = 0; i < PARKS; i++) {
                LockSupport.parkNanos(1000);
            }
            int pid = Signals.C.getpid();
            for (int i = 0; i < SIGNALS; i++) {
                Signals.C.kill(pid, SIGURG);
            }
        }

        @Test
        @UserProbe(name = "calls", library = "libdeclared", function = "probed_call")
        void assertsOnAProbeMidway(KernelTraceSession session) {
            workload.probed_call(1);
            KernelTraceAssertions.assertThat(session.metrics()).probe("calls").hits().isEqualTo(1);
        }

        @Test
        void noProbesNoBlock() {
            workload.probed_call(1);
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class BadDeclarations extends RealKernel.Recorded {

        @Test
        @MaxProbeHits(probe = "nope", value = 1)
        void undeclaredProbe() {
        }

        @Test
        @TracepointProbe(name = "twice", tracepoint = "sched:sched_process_fork")
        @TracepointProbe(name = "twice", tracepoint = "sched:sched_process_exit")
        void duplicateName() {
        }

        @Test
        @TracepointProbe(name = "forks", tracepoint = "sched_process_fork")
        void malformedTracepoint() {
        }

        @Test
        @UserProbe(name = "deflate", library = "libnosuch", function = "deflate")
        void unknownLibrary() {
        }

        @Test
        @UserProbe(name = "nope", library = "libdeclared", function = "no_such_function")
        void unknownSymbol() {
        }

        @Test
        @UsdtProbe(name = "nope", library = "libjvm", provider = "hotspot", probe = "no__such__probe")
        void unknownUsdtProbe() {
        }

        @Test
        @TracepointProbe(name = "nope", tracepoint = "sched:no_such_tracepoint")
        void unknownTracepoint() {
        }

        @Test
        @KernelProbe(name = "kernel", function = "no_such_kernel_function")
        void kernelProbe() {
        }

        @Test
        @UserProbe(name = "calls", library = "libdeclared", function = "probed_call")
        void goodOneBesideThem() {
            workload.probed_call(1);
        }
    }
}
