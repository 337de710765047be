package io.github.kerneltrace.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The demo regression {@code flushEveryFrame} (a write per record instead of one per batch), run
 * for real in a JVM of its own (the switch is read once per JVM) against the committed baseline:
 * the failure names the line of {@link SegmentLog#appendAll} that flushes each frame for at least
 * 95 of the 100 writes, and shows that call site grown 1 → 100 against the baseline, in the
 * message and in the test's JSON report.
 */
class FlushEveryFrameCallSitesTest {

    static final String TEST = "aBatchOf100AppendsIsOneWrite";

    @Test
    void theFailureNamesTheFlushingLineAndTheSiteGrownAgainstTheBaseline(@TempDir Path reports)
            throws IOException, InterruptedException {
        String output = runInChildJvm(reports);
        int flushLine = lineOf(Path.of("src/main/java/io/github/kerneltrace/sample/SegmentLog.java"),
                "flushWriteBuffer(); // the demo's broken batching");
        String site = "SegmentLog.flushWriteBuffer(SegmentLog.java:"; // then its line, ← the caller

        Matcher top = Pattern.compile("\n {8}(\\d+) × " + Pattern.quote(site) + "\\d+\\) ← SegmentLog\\.appendAll\\(SegmentLog\\.java:"
                + flushLine + "\\)\n").matcher(output);
        assertThat(top.find()).as("the flushing line %d among the call sites of\n%s", flushLine, output).isTrue();
        assertThat(Integer.parseInt(top.group(1))).isBetween(95, 100);
        assertThat(output).contains("  - write calls: limit 1, measured 100  (@MaxSyscalls(value = 1, syscall = \"write\"))\n"
                + "      call sites: ");

        // The differential view needs a comparable baseline: the committed one is this machine's kernel and JDK
        String baseline = Files.readString(Path.of("src/test/kerneltrace/" + SegmentLogKernelBudgetTest.SyncOnClose.class.getName()
                + ".baseline"));
        Assumptions.assumeTrue(baseline.contains("\nenvironment.kernel = " + System.getProperty("os.version") + "\n")
                && baseline.contains("\nenvironment.jdk = " + System.getProperty("java.vendor") + " "
                + System.getProperty("java.version") + "\n"), "the committed baseline was recorded on another kernel"
                + " or JDK: nothing to compare the call sites with here");
        assertThat(output).containsPattern("call sites against the baseline:\n {8}grown 1 → \\d+: " + Pattern.quote(site));

        Path json;
        try (Stream<Path> files = Files.list(reports)) {
            json = files.filter(file -> file.getFileName().toString().contains("SyncOnClose." + TEST))
                    .findFirst().orElseThrow(() -> new AssertionError("no JSON report in " + reports));
        }
        assertThat(Files.readString(json)).containsPattern("\"kind\": \"grown\",\\s+\"site\": \"" + Pattern.quote(site));
    }

    /** Runs the test in a JVM with the regression on; returns what it printed: the failures' messages. */
    private static String runInChildJvm(Path reports) throws IOException, InterruptedException {
        Path log = reports.resolve("child.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + DemoRegression.PROPERTY + "=flushEveryFrame", "-Dkerneltrace.require=true",
                "-Dkerneltrace.summary=false", "-Dkerneltrace.reportDir=" + reports,
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("the child JVM did not finish in 120 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child exit status\n" + output).isZero();
        return output;
    }

    private static int lineOf(Path source, String text) throws IOException {
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line of " + source + " contains " + text);
    }

    /** The child JVM: runs the one test through JUnit's launcher and prints its failure and the suppressed ones. */
    static final class Child {

        public static void main(String[] arguments) {
            List<Throwable> failures = new ArrayList<>();
            Launcher launcher = LauncherFactory.create();
            launcher.execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectMethod(SegmentLogKernelBudgetTest.SyncOnClose.class.getName() + "#" + TEST
                            + "(io.github.kerneltrace.junit.KernelTraceSession)"))
                    .configurationParameter("kerneltrace.require", "true")
                    .build(), new TestExecutionListener() {
                        @Override
                        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                            result.getThrowable().ifPresent(failures::add);
                        }
                    });
            if (failures.isEmpty()) {
                System.out.println("no failure: the regression was not caught");
                System.exit(1);
            }
            for (Throwable failure : failures) {
                System.out.println(failure.getMessage());
                for (Throwable suppressed : failure.getSuppressed()) {
                    System.out.println(suppressed.getMessage());
                }
            }
        }
    }
}
