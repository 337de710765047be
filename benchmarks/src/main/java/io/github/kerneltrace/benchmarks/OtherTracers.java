package io.github.kerneltrace.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tools users would otherwise pick to count a thread's system calls, run on the same workload
 * as KernelTrace in {@link SyscallOverhead}: bpftrace counting by system call for one thread id,
 * and {@code strace -c -f}. Each also reports its count, so that the benchmark checks that the
 * tool saw every call it was timed on.
 */
final class OtherTracers {

    private OtherTracers() {
    }

    /** A running bpftrace that counts the system calls of one thread by number, attached when constructed. */
    static final class Bpftrace implements AutoCloseable {

        private final Process process;
        private final BufferedReader out;

        /** Starts bpftrace for thread {@code tid} and returns once its probes are attached. */
        Bpftrace(int tid) throws IOException {
            this("tracepoint:raw_syscalls:sys_enter /tid == " + tid + "/ { @[args->id] = count(); }");
        }

        /** Starts bpftrace with these probes and returns once they are attached. */
        Bpftrace(String probes) throws IOException {
            requireTool("bpftrace");
            // BEGIN runs once every probe is attached: its line is the signal to start timing
            String script = "BEGIN { printf(\"attached\\n\"); } " + probes;
            process = new ProcessBuilder("bpftrace", "-e", script).redirectErrorStream(true).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                if (line.equals("attached")) {
                    return;
                }
                seen.append(line).append('\n'); // bpftrace 0.17 warns about RLIMIT_MEMLOCK and works anyway
            }
            throw new IllegalStateException("bpftrace did not attach:\n" + seen);
        }

        /** Stops bpftrace and returns how many calls numbered {@code nr} it counted. */
        long stopAndCount(int nr) throws IOException, InterruptedException {
            return stopAndRead(Pattern.compile("@\\[" + nr + "\\]: (\\d+)"));
        }

        /** Stops bpftrace and returns the value of its scalar map {@code @name} (a count()). */
        long stopAndCount(String name) throws IOException, InterruptedException {
            return stopAndRead(Pattern.compile("@" + name + ": (\\d+)"));
        }

        private long stopAndRead(Pattern entry) throws IOException, InterruptedException {
            // SIGINT: bpftrace prints its maps and exits. Once in a run (Temurin 25, JvmEventOverhead) it
            // went on waiting for events instead: the signal is sent again until it exits. Its output
            // is a few lines, which the pipe holds until they are read below.
            for (int attempt = 0; attempt < 5 && process.isAlive(); attempt++) {
                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            if (process.isAlive()) {
                throw new IllegalStateException("bpftrace did not stop on SIGINT");
            }
            long count = 0;
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = entry.matcher(line.trim());
                if (m.matches()) {
                    count = Long.parseLong(m.group(1));
                }
            }
            return count;
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            out.close();
        }
    }

    /** The command that runs a workload under {@code strace -c -f}, its summary written to {@code summary}. */
    static List<String> strace(Path summary) {
        requireTool("strace");
        return List.of("strace", "-c", "-f", "-o", summary.toString());
    }

    /** The calls of system call {@code name} in an {@code strace -c} summary (0: not listed). */
    static long straceCount(Path summary, String name) throws IOException {
        for (String line : Files.readAllLines(summary)) {
            String[] columns = line.trim().split("\\s+");
            // % time, seconds, usecs/call, calls, [errors,] syscall
            if (columns.length >= 5 && columns[columns.length - 1].equals(name)) {
                return Long.parseLong(columns[3]);
            }
        }
        return 0;
    }

    private static void requireTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new IllegalStateException(tool + " is not installed: benchmarks/run.sh installs it (apt-get install -y "
                + tool + "), or install it yourself");
    }
}
