package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel's name ({@code comm}) of a thread of this process; Java threads carry their Java name's first 15 bytes. */
final class ThreadNames {

    private ThreadNames() {
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
