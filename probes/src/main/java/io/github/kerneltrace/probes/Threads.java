package io.github.kerneltrace.probes;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * Kernel thread ids. A Java thread's kernel id (what BPF sees) is not
 * {@code Thread.threadId()}: it comes from {@code gettid()}.
 */
public final class Threads {

    // A platform thread keeps its kernel thread for life, so one gettid() per thread suffices.
    private static final ThreadLocal<Integer> CURRENT_TID = ThreadLocal.withInitial(LibC.INSTANCE::gettid);

    private Threads() {
    }

    /** The kernel thread id of the calling thread. */
    public static int currentTid() {
        return CURRENT_TID.get();
    }

    /** The kernel process id of this JVM. */
    public static int processId() {
        return (int) ProcessHandle.current().pid();
    }
}
