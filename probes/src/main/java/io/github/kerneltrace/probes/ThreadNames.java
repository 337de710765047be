package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's name ({@code comm}) of a thread of this process; Java threads carry their Java name's first 15 bytes. */
final class ThreadNames {

    private ThreadNames() {
    }

    /** The name's bytes as the kernel keeps them (no trailing newline); empty when the thread has ended. */
    static byte[] bytesOf(int tid) {
        try {
            byte[] comm = Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/comm"));
            int length = comm.length > 0 && comm[comm.length - 1] == '\n' ? comm.length - 1 : comm.length;
            return java.util.Arrays.copyOf(comm, length);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The name, or "" when the thread has ended (or belongs to another process). */
    static String of(int tid) {
        try {
            String comm = Files.readString(Path.of("/proc/self/task/" + tid + "/comm"));
            return comm.endsWith("\n") ? comm.substring(0, comm.length() - 1) : comm;
        } catch (IOException e) {
            return "";
        }
    }
}
