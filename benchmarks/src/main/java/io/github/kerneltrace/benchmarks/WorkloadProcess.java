package io.github.kerneltrace.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of a C workload from src/main/c, started with {@code --wait}: it prints
 * {@code ready <pid>}, waits for a line on stdin (so that a tracer can register it first), runs,
 * and prints its result (nanoseconds per operation) as its last line.
 */
final class WorkloadProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final int pid;

    WorkloadProcess(String program, long operations) throws IOException {
        this(List.of(), program, operations);
    }

    /** The workload started under another program, e.g. {@code strace -c -f -o <file>}. */
    WorkloadProcess(List<String> under, String program, long operations) throws IOException {
        List<String> command = new ArrayList<>(under);
        command.addAll(List.of(program, Long.toString(operations), "--wait"));
        process = new ProcessBuilder(command).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            throw new IllegalStateException(program + " did not start: " + ready);
        }
        pid = Integer.parseInt(ready.substring("ready ".length()).trim());
    }

    int pid() {
        return pid;
    }

    /** Lets the workload run and waits for its result. */
    double run() throws IOException {
        in.write("go\n");
        in.flush();
        return Double.parseDouble(out.readLine().trim());
    }

    @Override
    public void close() throws IOException {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            in.close();
            out.close();
        }
    }
}
