package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Events;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * The real "cannot trace" path, end to end: no stand-in backend, but a JVM that truly lacks the
 * privileges. {@link UnavailableTracingPolicyTest} covers the policy with a simulated backend;
 * this test proves the real kernel detection feeds that policy.
 *
 * <p>As root, the parent starts a child JVM under {@code setpriv}, which drops CAP_SYS_ADMIN,
 * CAP_BPF and CAP_PERFMON (exactly what tracing needs) from the bounding and inheritable sets, so
 * the child cannot get them back. The child ({@link #main}) runs {@link Fixture} through the
 * Jupiter engine three times, by default, with {@code kerneltrace.require=true} and with
 * {@code kerneltrace.traceAll=true} (autodetection on), and prints one
 * machine-readable line per run; the parent checks those lines.
 */
class WithoutPrivilegesTest {

    /** The sentence {@code KernelSupport} gives when the capabilities are missing. */
    private static final String REASON = "KernelTrace cannot trace here: tracing needs root or the capabilities"
            + " CAP_BPF and CAP_PERFMON, and this JVM has neither";

    /** One line per run, e.g. {@code default: traced=ABORTED untraced=SUCCESSFUL tracedBodyRan=false error=... reason=...}. */
    private static final Pattern RUN_LINE = Pattern.compile(
            "(?m)^(default|required|traceAll): traced=(\\w+) untraced=(\\w+) tracedBodyRan=(\\w+) error=(\\S+) reason=(.*)$");

    @Test
    void skipsByDefaultAndFailsWhenRequiredWithTheReason(@TempDir Path dir) throws Exception {
        // Only meaningful where the parent itself can trace: then the child's failure to trace is
        // caused by the dropped capabilities alone, not by a missing BTF or libbpf.
        RealKernel.requireTracing();

        String output = runWithoutTracingCapabilities(dir);

        Matcher byDefault = runLine(output, "default");
        assertThat(byDefault.group(2)).as("traced test, by default\n" + output).isEqualTo("ABORTED");
        assertThat(byDefault.group(5)).as(output).isEqualTo("org.opentest4j.TestAbortedException");
        assertThat(byDefault.group(6)).as(output)
                .startsWith(REASON)
                .endsWith("The test is skipped; set kerneltrace.require=true to fail instead.");

        Matcher required = runLine(output, "required");
        assertThat(required.group(2)).as("traced test, with kerneltrace.require=true\n" + output).isEqualTo("FAILED");
        assertThat(required.group(5)).as(output).isEqualTo(TracingUnavailableException.class.getName());
        assertThat(required.group(6)).as(output)
                .startsWith(REASON)
                .endsWith("The test fails because kerneltrace.require=true.");

        for (Matcher run : List.of(byDefault, required)) {
            // Other tests are unaffected, and the traced one never runs untraced.
            assertThat(run.group(3)).as("untraced test, " + run.group(1) + "\n" + output).isEqualTo("SUCCESSFUL");
            assertThat(run.group(4)).as("traced body ran, " + run.group(1) + "\n" + output).isEqualTo("false");
        }
    }

    @Test
    void withTraceAllTestsWithoutAnnotationsRunUntracedAfterOneLine(@TempDir Path dir) throws Exception {
        RealKernel.requireTracing();

        String output = runWithoutTracingCapabilities(dir);

        Matcher traceAll = runLine(output, "traceAll");
        assertThat(traceAll.group(2)).as("annotated test: skipped as always\n" + output).isEqualTo("ABORTED");
        assertThat(traceAll.group(3)).as("test without annotations: ran untraced\n" + output).isEqualTo("SUCCESSFUL");
        assertThat(traceAll.group(4)).as(output).isEqualTo("false");
        assertThat(output.lines().filter(line -> line.contains("Tests without KernelTrace annotations run untraced")))
                .as(output).singleElement().asString()
                .startsWith("[kerneltrace] " + REASON);
    }

    /** Starts the child JVM without the tracing capabilities; returns its output once it exited normally. */
    private static String runWithoutTracingCapabilities(Path dir) throws IOException, InterruptedException {
        // No -D options: the child's "default" run really sees the default configuration, whatever
        // the parent was started with (kerneltrace.require=true in CI, say).
        return ChildJvm.run(dir.resolve("child.log"), List.of("setpriv",
                "--bounding-set", "-sys_admin,-bpf,-perfmon", "--inh-caps", "-sys_admin,-bpf,-perfmon"),
                List.of(), WithoutPrivilegesTest.class);
    }

    private static Matcher runLine(String output, String run) {
        Matcher matcher = RUN_LINE.matcher(output);
        while (matcher.find()) {
            if (matcher.group(1).equals(run)) {
                return matcher;
            }
        }
        throw new AssertionError("the child printed no \"" + run + ":\" line:\n" + output);
    }

    /** Runs in the child JVM (without the capabilities): runs {@link Fixture} three times and prints the outcomes. */
    public static void main(String[] args) throws IOException {
        // For the reader of a failure: shows that setpriv really dropped the capabilities.
        Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Cap")).forEach(line -> System.out.println("child " + line));
        report("default", Map.of());
        report("required", Map.of("kerneltrace.require", "true"));
        report("traceAll", Map.of("junit.jupiter.extensions.autodetection.enabled", "true",
                KernelTraceAutodetected.TRACE_ALL, "true", "kerneltrace.summary", "true"));
    }

    private static void report(String run, Map<String, String> configuration) {
        Fixture.tracedBodyRan = false;
        EngineExecutionResults results = Fixtures.run(Fixture.class, configuration);
        Events tests = results.testEvents();
        Throwable error = tests.finished().stream()
                .filter(event -> event.getTestDescriptor().getDisplayName().startsWith("traced("))
                .findFirst()
                .flatMap(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable())
                .orElse(null);
        System.out.println(run + ": traced=" + Fixtures.statusOf(tests, "traced")
                + " untraced=" + Fixtures.statusOf(tests, "untraced")
                + " tracedBodyRan=" + Fixture.tracedBodyRan
                + " error=" + (error == null ? "none" : error.getClass().getName())
                + " reason=" + (error == null ? "" : String.valueOf(error.getMessage()).replace('\n', ' ')));
    }

    /** Run only by the child, through the engine; surefire excludes the "fixture" tag. */
    @Tag("fixture")
    static class Fixture {

        static volatile boolean tracedBodyRan;

        @Test
        @KernelTrace
        void traced() {
            tracedBodyRan = true;
        }

        @Test
        void untraced() {
        }
    }
}
