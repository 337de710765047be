package io.github.kerneltrace.probes.libbpf;

import java.util.function.IntSupplier;

import com.sun.jna.Memory;

/**
 * Runs a native call with the calling thread's asynchronous signals blocked. The kernel's verifier
 * gives up with EAGAIN when the loading thread has a signal pending, and libbpf's few retries all
 * meet the next one under a sampling profiler (async-profiler at 100 µs: every load failed). A
 * blocked signal is delivered to another thread of the process, or to this one when the mask is
 * restored. The signals the JVM raises synchronously on a thread (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP: implicit null checks, safepoint polls) stay unblocked: the kernel kills a process that
 * blocks them when they fire.
 */
final class SignalsBlocked {

    private static final int[] SYNCHRONOUS = {4, 5, 7, 8, 11}; // SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV

    private SignalsBlocked() {
    }

    /** {@code call}'s result, computed with the other signals blocked on this thread. */
    static int during(IntSupplier call) {
        Memory blocked = new Memory(LibC.SIGSET_BYTES);
        Memory previous = new Memory(LibC.SIGSET_BYTES);
        LibC.INSTANCE.sigfillset(blocked);
        for (int signal : SYNCHRONOUS) {
            LibC.INSTANCE.sigdelset(blocked, signal);
        }
        if (LibC.INSTANCE.pthread_sigmask(LibC.SIG_BLOCK, blocked, previous) != 0) {
            return call.getAsInt(); // the mask is unchanged: load as before
        }
        try {
            return call.getAsInt();
        } finally {
            LibC.INSTANCE.pthread_sigmask(LibC.SIG_SETMASK, previous, null);
        }
    }
}
