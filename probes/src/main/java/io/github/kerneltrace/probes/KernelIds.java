package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * This JVM's thread ids as the kernel's programs see them. In a container the JVM lives in its own
 * PID namespace: {@code gettid()} answers with that namespace's ids, while the programs compare
 * the kernel's (those of the initial namespace). A thread learns its kernel id by asking the
 * programs: it writes a request into the {@code identity} map and makes one system call, which
 * sys_enter answers in its context (bpf/pidns.bpf.h). The answer is also the proof that the
 * attached programs see this process's system calls at all.
 *
 * <p>Requests need the programs attached; {@link KernelTracer} asks while a slot is open. The
 * request area is guarded by this object's monitor.
 */
final class KernelIds {

    private static final Path PID_NAMESPACE = Path.of("/proc/self/ns/pid");

    private final Pointer identity;
    private final int namespaceInode = namespaceInode();
    /** Guarded by {@code this}. */
    private int lastRequest;
    /** The kernel's id of the JVM's process and the depth of its namespace, once known: written under {@code this}, read without (volatile). */
    private volatile Answer process;
    /** Each thread's own kernel id, once asked: confined to that thread. */
    private final ThreadLocal<Integer> kernelTid = new ThreadLocal<>();

    /** What the programs answered: the JVM's namespace depth, its process id and the asking thread's id there. */
    record Answer(int level, int kernelTgid, int kernelTid) {
    }

    KernelIds(Pointer identity) {
        this.identity = identity;
    }

    /** The kernel's id of the calling thread (asks once per thread). */
    int kernelTidOfCurrentThread() {
        Integer known = kernelTid.get();
        if (known == null) {
            known = ask(false).kernelTid();
        }
        return known;
    }

    /** The kernel's id of this JVM's process. */
    int kernelTgid() {
        return knownProcess().kernelTgid();
    }

    /** Whether the JVM runs in a PID namespace of its own (a container), so that its ids differ from the kernel's. */
    boolean inChildNamespace() {
        return knownProcess().level() > 0;
    }

    /**
     * The kernel's id of a thread this JVM knows by {@code tid}: of this process, or (outside a
     * container) any process.
     *
     * @throws IllegalArgumentException when the JVM runs in a PID namespace of its own and the
     *                                  thread is not one of its own
     */
    int kernelTid(int tid) {
        if (tid == Threads.currentTid()) {
            return kernelTidOfCurrentThread();
        }
        if (!inChildNamespace()) {
            return tid; // the initial namespace's ids are the kernel's
        }
        Integer kernel = threadsOfThisProcess().get(tid);
        if (kernel == null) {
            throw new IllegalArgumentException("thread " + tid + " is not a thread of this JVM; in a PID namespace of its"
                    + " own (a container) KernelTrace can register only this JVM's threads, and follows the processes they create");
        }
        return kernel;
    }

    /** Every thread of this JVM: its id here, and the kernel's. */
    synchronized Map<Integer, Integer> threadsOfThisProcess() {
        ask(true);
        int listed = identity.getInt(IDENTITY_LISTED);
        if (identity.getInt(IDENTITY_COMPLETE) == 0) {
            throw new TracingUnavailableException(listed == MAX_LISTED_THREADS
                    ? "this JVM has more than " + MAX_LISTED_THREADS + " threads, more than KernelTrace can list"
                            + " for scope PROCESS inside a PID namespace of its own; trace the test's threads (scope TEST)"
                    : "the kernel cannot list this JVM's threads for scope PROCESS inside a PID namespace of its own"
                            + " (that needs Linux 6.7 or later); trace the test's threads (scope TEST)");
        }
        Map<Integer, Integer> threads = new HashMap<>();
        for (int i = 0; i < listed; i++) {
            long entry = IDENTITY_THREADS + 8L * i;
            threads.put(identity.getInt(entry), identity.getInt(entry + 4));
        }
        return threads;
    }

    private Answer knownProcess() {
        Answer known = process;
        return known != null ? known : ask(false);
    }

    /**
     * Asks the programs for the calling thread's kernel ids (and with {@code listThreads}, every
     * thread's), by making one system call.
     *
     * @throws TracingUnavailableException when the programs do not answer: they do not see this
     *                                     process's system calls, and the message says the likely reason
     */
    synchronized Answer ask(boolean listThreads) {
        int tid = Threads.currentTid();
        int request = ++lastRequest == 0 ? ++lastRequest : lastRequest;
        identity.setInt(IDENTITY_NS_INUM, namespaceInode);
        identity.setInt(IDENTITY_NS_TID, tid);
        identity.setInt(IDENTITY_LIST_THREADS, listThreads ? 1 : 0);
        identity.setInt(IDENTITY_REQUEST, request); // last: the programs answer once they see it
        LibC.INSTANCE.getppid();
        if (identity.getInt(IDENTITY_ANSWER) != request) {
            identity.setInt(IDENTITY_REQUEST, identity.getInt(IDENTITY_ANSWER)); // withdrawn: no one else pays for it
            throw new TracingUnavailableException(unansweredReason(tid));
        }
        Answer answer = new Answer(identity.getInt(IDENTITY_LEVEL), identity.getInt(IDENTITY_TGID), identity.getInt(IDENTITY_TID));
        process = answer;
        kernelTid.set(answer.kernelTid());
        return answer;
    }

    /** One sentence on why the attached programs did not see this thread's system call. */
    private String unansweredReason(int tid) {
        String seen = "KernelTrace's BPF programs are attached but saw no system call of this JVM (its thread "
                + tid + " in PID namespace " + namespaceInode + " made one)";
        try {
            int procSelf = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/self")).toString());
            if (procSelf != LibC.INSTANCE.getpid()) {
                return seen + ": /proc belongs to another PID namespace than this JVM (/proc/self is " + procSelf
                        + ", getpid() is " + LibC.INSTANCE.getpid() + "); mount a /proc of the JVM's own namespace"
                        + " (unshare --pid --fork --mount-proc, or a container runtime's default)";
            }
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            // no /proc: the namespace inode was 0, which the programs never match
        }
        if (namespaceInode == 0) {
            return seen + ": /proc/self/ns/pid cannot be read, so this JVM's PID namespace is unknown; mount /proc";
        }
        return seen + "; another tool may have detached them, or the kernel does not run sys_enter programs for this process";
    }

    /** The inode number of this JVM's PID namespace, as the kernel names it ({@code pid:[4026531836]}). */
    private static int namespaceInode() {
        try {
            String link = Files.readSymbolicLink(PID_NAMESPACE).toString();
            return (int) Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
