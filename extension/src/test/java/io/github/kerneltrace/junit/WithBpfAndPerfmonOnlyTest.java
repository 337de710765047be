package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Events;

import io.github.kerneltrace.probes.Capabilities;
import io.github.kerneltrace.probes.KernelSupport;
import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.TracingUnavailableException;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.Libbpf;

/**
 * What the README's "CAP_BPF and CAP_PERFMON" gets a user on this kernel: a JVM run as a non-root
 * user ({@code nobody}) with exactly those two capabilities (setpriv, ambient capabilities) counts
 * system calls exactly and measures the scheduler, but cannot attach uprobes, which since Linux 6.16
 * need CAP_SYS_ADMIN: native allocations, and any uprobe attach, are refused with a message that
 * names CAP_SYS_ADMIN and the capabilities the JVM has.
 *
 * <p>The parent (root, in CI) copies its class path where {@code nobody} can read it and starts the
 * child ({@link #main}), which runs {@link Fixture} through the Jupiter engine with
 * {@code kerneltrace.require=true}, tries one uprobe attach of its own, and prints one line each.
 */
class WithBpfAndPerfmonOnlyTest {

    private static final Pattern LINE = Pattern.compile("(?m)^(\\w+): status=(\\w+) error=(\\S+) message=(.*)$");

    @Test
    void systemCallsAreExactAndUprobesAreRefusedNamingCapSysAdmin(@TempDir Path dir) throws Exception {
        RealKernel.requireTracing();
        Assumptions.assumeTrue(Files.readAllLines(Path.of("/proc/self/status")).contains("Uid:\t0\t0\t0\t0"),
                "switching to another user with setpriv needs root");
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"),
                "native allocations are counted on x86_64 only, so their refusal is about the architecture elsewhere");

        String output = runAsNobodyWithBpfAndPerfmon(dir);
        System.out.println(output); // which families work with CAP_BPF and CAP_PERFMON only, and what the others say

        assertThat(output).as("the child's capabilities").contains("CapEff:\t000000c000000000");
        assertThat(line(output, "syscalls").group(2)).as("system calls counted exactly\n" + output).isEqualTo("SUCCESSFUL");
        assertThat(line(output, "scheduler").group(2)).as("scheduler measured\n" + output).isEqualTo("SUCCESSFUL");

        Matcher nativeAllocations = line(output, "nativeAllocations");
        assertThat(nativeAllocations.group(2)).as("native allocations refused\n" + output).isEqualTo("FAILED");
        assertThat(nativeAllocations.group(3)).as(output).isEqualTo(TracingUnavailableException.class.getName());
        assertThat(nativeAllocations.group(4)).as("if this kernel let CAP_PERFMON attach uprobes (older than 6.16, without"
                        + " commit ba677dbe77af), Capabilities and docs/troubleshooting.md must say so\n" + output)
                .contains("native allocations cannot be counted: cannot attach a uretprobe to ")
                .contains("EACCES: Permission denied (uprobes and uretprobes need CAP_SYS_ADMIN")
                .contains("this JVM has CAP_PERFMON and CAP_BPF (CapEff 000000c000000000); run the tests as root,"
                        + " or add CAP_SYS_ADMIN");

        Map<String, String> uprobeKinds = Map.of("jvmEvents", "USDT probes (uprobes underneath)", "userProbe", "uprobes and uretprobes");
        uprobeKinds.forEach((test, kind) -> {
            Matcher refused = line(output, test);
            assertThat(refused.group(2)).as(test + " refused\n" + output).isEqualTo("FAILED");
            assertThat(refused.group(3)).as(output).isEqualTo(TracingUnavailableException.class.getName());
            assertThat(refused.group(4)).as(output).contains("EACCES: Permission denied (" + kind + " need CAP_SYS_ADMIN");
        });
        Matcher tracepoint = line(output, "tracepointProbe");
        assertThat(tracepoint.group(2)).as("a classic tracepoint refused\n" + output).isEqualTo("FAILED");
        assertThat(tracepoint.group(4)).as(output).contains("EACCES: Permission denied (classic tracepoints need CAP_BPF and"
                + " CAP_PERFMON, and read access to").contains("CAP_DAC_READ_SEARCH");
        Matcher endedThread = line(output, "endedThreadHeap");
        assertThat(endedThread.group(2)).as("the heap of a thread that ended, said to be uncounted\n" + output).isEqualTo("SUCCESSFUL");
        assertThat(line(output, "endedThreadHeapRefused").group(4)).as(output)
                .contains("EACCES: Permission denied (USDT probes (uprobes underneath) need CAP_SYS_ADMIN");

        Matcher uprobe = line(output, "uprobe");
        assertThat(uprobe.group(2)).as("a uprobe attach of the child's own\n" + output).isEqualTo("FAILED");
        assertThat(uprobe.group(4)).as(output)
                .startsWith("cannot attach a uprobe to getppid in ")
                .contains("EACCES: Permission denied (uprobes and uretprobes need CAP_SYS_ADMIN");
    }

    /** Starts the child as user nobody with CAP_BPF and CAP_PERFMON only; returns its output once it exited with 0. */
    private static String runAsNobodyWithBpfAndPerfmon(Path dir) throws IOException, InterruptedException {
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new AssertionError("setpriv is missing: install util-linux"));
        // nobody cannot read root's Maven repository or the build's target directories: a copy it can
        Path readable = Files.createDirectory(dir.resolve("classpath"));
        List<String> classPath = new ArrayList<>();
        int index = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path source = Path.of(entry);
            if (Files.exists(source)) {
                Path copy = readable.resolve(index++ + "-" + source.getFileName());
                copyTree(source, copy);
                classPath.add(copy.toString());
            }
        }
        Path work = Files.createDirectory(dir.resolve("work"));
        openToAll(dir);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx")); // reports, JNA's library
        Path log = dir.resolve("child.log");
        List<String> command = List.of(setpriv.toString(), "--reuid", "65534", "--regid", "65534", "--clear-groups",
                "--inh-caps", "-all,+bpf,+perfmon", "--ambient-caps", "+bpf,+perfmon",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-Duser.home=" + work, "-Djava.io.tmpdir=" + work, "-Djna.tmpdir=" + work,
                "-cp", String.join(java.io.File.pathSeparator, classPath), WithBpfAndPerfmonOnlyTest.class.getName());
        Process child = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("the child JVM did not finish in 120 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child exit status\n" + output).isZero();
        return output;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
            }
        }
    }

    /** Everyone may read the files and enter the directories under {@code root} (JUnit's temporary directories are private). */
    private static void openToAll(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static Matcher line(String output, String name) {
        Matcher matcher = LINE.matcher(output);
        while (matcher.find()) {
            if (matcher.group(1).equals(name)) {
                return matcher;
            }
        }
        throw new AssertionError("the child printed no \"" + name + ":\" line:\n" + output);
    }

    /** Runs in the child JVM (nobody, CAP_BPF and CAP_PERFMON): the fixture's tests, then one uprobe attach. */
    public static void main(String[] args) throws IOException {
        Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Cap")).forEach(line -> System.out.println("child " + line));
        System.out.println("child " + KernelSupport.detect());
        EngineExecutionResults results = Fixtures.run(Fixture.class, Map.of("kerneltrace.require", "true"));
        Events tests = results.testEvents();
        for (String test : List.of("syscalls", "scheduler", "nativeAllocations", "jvmEvents", "userProbe", "tracepointProbe",
                "endedThreadHeap")) {
            TestExecutionResult result = tests.finished().stream()
                    .filter(event -> event.getTestDescriptor().getDisplayName().startsWith(test + "("))
                    .findFirst().orElseThrow().getRequiredPayload(TestExecutionResult.class);
            print(test, result.getStatus().toString(), result.getThrowable().orElse(null));
        }
        print("endedThreadHeapRefused", "REFUSED", new IllegalStateException(
                KernelTracer.shared().refusedFamilies().get(io.github.kerneltrace.probes.ProbeFamily.EXITED_THREAD_HEAP)));
        try {
            attachUprobeToGetppid();
            print("uprobe", "SUCCESSFUL", null);
        } catch (IllegalStateException e) {
            print("uprobe", "FAILED", new IllegalStateException(Capabilities.explain(Capabilities.ProbeKind.UPROBE, e.getMessage())));
        }
    }

    private static void print(String name, String status, Throwable error) {
        System.out.println(name + ": status=" + status + " error=" + (error == null ? "none" : error.getClass().getName())
                + " message=" + (error == null ? "" : String.valueOf(error.getMessage()).replace('\n', ' ')));
    }

    /**
     * The attach a declared probe makes ({@link BpfObject#attachUprobe} with a cookie), with a program of
     * KernelTrace's own object loaded alone: a uprobe on this process's C library's {@code getppid}.
     */
    private static void attachUprobeToGetppid() throws IOException {
        byte[] elf;
        try (InputStream in = KernelSupport.class.getResourceAsStream("bpf/kerneltrace.bpf.o")) {
            elf = in.readAllBytes();
        }
        String libc = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.matches(".*/libc\\.so\\.6$")).map(line -> line.substring(line.indexOf('/')))
                .findFirst().orElseThrow();
        try (BpfObject object = BpfObject.open(Libbpf.get(), "kt_capabilities", elf)) {
            object.loadOnly("malloc_enter"::equals);
            object.load();
            object.attachUprobe("malloc_enter", (int) ProcessHandle.current().pid(), libc, "getppid", 0, false, 1).close();
        }
    }

    /** Run only by the child, through the engine; surefire excludes the "fixture" tag. */
    @Tag("fixture")
    @KernelTrace
    static class Fixture {

        private OutputStream devNull;

        @BeforeEach
        void openDevNull() throws IOException {
            devNull = new FileOutputStream("/dev/null");
            devNull.write(1); // warm up: the traced writes load no classes
        }

        @AfterEach
        void closeDevNull() throws IOException {
            devNull.close();
        }

        @Test
        void syscalls(KernelTraceSession session) throws IOException {
            for (int i = 0; i < 7; i++) {
                devNull.write(i);
            }
            assertThat(session.metrics()).hasSyscallCount("write", 7);
        }

        @Test
        void scheduler(KernelTraceSession session) throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                Thread.sleep(2);
            }
            assertThat(session.metrics().scheduler().voluntarySwitches()).isGreaterThanOrEqualTo(3);
        }

        @Test
        @KernelTrace(nativeAllocations = true)
        void nativeAllocations() {
        }

        @Test
        @KernelTrace(jvmEvents = true)
        void jvmEvents() {
        }

        @Test
        @UserProbe(name = "getppid", library = "libc", function = "getppid")
        void userProbe() {
        }

        @Test
        @TracepointProbe(name = "signals", tracepoint = "signal:signal_generate")
        void tracepointProbe() {
        }

        /** A child that allocates and ends inside the window: its heap needs HotSpot's thread__stop USDT probe. */
        @Test
        void endedThreadHeap(KernelTraceSession session) throws InterruptedException {
            Thread child = new Thread(() -> {
                byte[][] arrays = new byte[64][];
                for (int i = 0; i < arrays.length; i++) {
                    arrays[i] = new byte[16 * 1024];
                }
            });
            child.start();
            child.join();
            assertThat(session.metrics().memory().heap().threadsNotCounted()).as("the ended child, said to be uncounted").isEqualTo(1);
        }
    }
}
