package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The threads one slot counts: those user space registered (by their id in this JVM and the
 * kernel's), and whether the kernel may add more (children, borrowed pool threads, the whole
 * process). Registration writes the kernel's {@code tracked} map through {@link SlotMemory}.
 *
 * <p>Locking: owned by one {@link TraceSlot}; every method runs under that slot's monitor.
 */
final class SlotThreads {

    private final SlotMemory memory;
    private final KernelIds ids;
    private final int slot;
    /** The threads registered by user space: their id in this JVM, and the kernel's. */
    private final Map<Integer, Integer> registered = new LinkedHashMap<>();
    private boolean wholeProcess;
    /** Whether a registered thread follows hand-offs: then borrowed threads may join while counting. */
    private boolean followsHandOffs;

    SlotThreads(SlotMemory memory, KernelIds ids, int slot) {
        this.memory = memory;
        this.ids = ids;
        this.slot = slot;
    }

    /** Registers a thread of this JVM (or, outside a container, of any process) by its id here. */
    void register(int tid, boolean followChildren, boolean followHandOffs) {
        track(tid, ids.kernelTid(tid), kernelProcessOf(tid), SlotMemory.trackFlags(followChildren, followHandOffs));
        followsHandOffs |= followHandOffs;
    }

    /** Registers a thread under a kernel id the caller gives: a test seam for a thread the programs do not see. */
    void registerAsKernelId(int tid, int kernelTid, boolean followChildren) {
        track(tid, kernelTid, ids.kernelTgid(), SlotMemory.trackFlags(followChildren, false));
    }

    /** Registers every thread of this JVM; the kernel adds the threads and processes they create. */
    void registerProcess() {
        wholeProcess = true;
        int kernelTgid = ids.kernelTgid();
        // Threads may start while we register; read the thread list until it stops growing.
        Set<Integer> seen;
        do {
            seen = new LinkedHashSet<>(registered.keySet());
            threadsOfThisProcess().forEach((tid, kernelTid) -> {
                if (!registered.containsKey(tid)) {
                    track(tid, kernelTid, kernelTgid, SlotMemory.trackFlags(true, false)); // listed as ours: it may end meanwhile
                }
            });
        } while (!seen.equals(registered.keySet()));
    }

    private void track(int tid, int kernelTid, int kernelTgid, int flags) {
        // the registering thread is on a CPU right now; other threads' states are learnt from their next event
        long runningSince = tid == Threads.currentTid() ? System.nanoTime() : 0; // CLOCK_MONOTONIC, as bpf_ktime_get_ns()
        memory.track(slot, tid, kernelTid, kernelTgid, flags, runningSince);
        registered.put(tid, kernelTid);
    }

    /** The kernel's id of a registered thread, or 0 if {@code tid} is not registered. */
    int kernelTidOf(int tid) {
        Integer kernelTid = registered.get(tid);
        return kernelTid == null ? 0 : kernelTid;
    }

    boolean isRegistered(int tid) {
        return registered.containsKey(tid);
    }

    int registeredCount() {
        return registered.size();
    }

    boolean wholeProcess() {
        return wholeProcess;
    }

    boolean followsHandOffs() {
        return followsHandOffs;
    }

    /**
     * Whether threads other than the counting one are tracked: registered, followed, borrowed, or
     * the whole process. Allocates nothing: {@link TraceSlot#stop()} asks inside the heap figure.
     */
    boolean tracksOtherThreads() {
        return wholeProcess || registered.size() > 1 || memory.countsAddedThreads(slot);
    }

    /** The other counted threads of this JVM (kernel name by id), and how many tracked threads ended. */
    /**
     * @param heapCountedAtEnd  those of {@code namesByTid} that are ending, whose heap the programs
     *                          read as they did (bpf/exited_heap.bpf.h): not to be read again
     * @param endingHeapCounted tracked threads still listed (so not yet among {@code exitedThreads})
     *                          whose heap the programs read as they ended, named or not
     */
    record OtherThreads(Map<Integer, String> namesByTid, long exitedThreads, Set<Integer> heapCountedAtEnd,
            int endingHeapCounted) {
    }

    /**
     * The counted threads of this JVM other than {@code countingTid}, by the kernel's name for them,
     * with the number of tracked threads that ended: one picture of both, so that a thread that
     * exits while they are read is not missed by both or counted in both.
     */
    OtherThreads otherThreadsOfThisJvm(int countingTid) {
        Map<Integer, String> others = new HashMap<>();
        Set<Integer> heapCountedAtEnd = new HashSet<>();
        int endingHeapCounted = 0;
        long exited = memory.exitedThreads(slot);
        if (tracksOtherThreads()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                others.clear();
                heapCountedAtEnd.clear();
                endingHeapCounted = 0;
                for (SlotMemory.TrackedThread thread : memory.trackedThreads(slot)) {
                    if (thread.heapCountedAtEnd()) {
                        endingHeapCounted++;
                    }
                    String name = ThreadNames.of(thread.tid()); // "" for threads of other processes: no Java heap there
                    if (thread.counted() && thread.tid() != countingTid && !name.isEmpty()) {
                        others.put(thread.tid(), name);
                        if (thread.heapCountedAtEnd()) {
                            heapCountedAtEnd.add(thread.tid());
                        }
                    }
                }
                long exitedAfter = memory.exitedThreads(slot);
                if (exitedAfter == exited) {
                    break;
                }
                exited = exitedAfter;
            }
        }
        return new OtherThreads(others, exited, heapCountedAtEnd, endingHeapCounted);
    }

    /** Forgets every thread of the slot: the registered ones, and those the kernel added. */
    void unregisterAll() {
        registered.values().forEach(memory::untrack);
        SlotMemory.ThreadCounters counters = memory.threadCounters(slot);
        if (counters.kernelAddedThreads()) {
            memory.untrackAddedThreads(slot);
        }
        if (counters.foreignWakers() > 0) {
            memory.forgetForeignWakers(slot);
        }
    }

    /** The kernel's id of the process (tgid) a thread this JVM knows by {@code tid} belongs to. */
    private int kernelProcessOf(int tid) {
        if (tid == Threads.currentTid() || Files.exists(Path.of("/proc/self/task/" + tid))) {
            return ids.kernelTgid();
        }
        // another process: only outside a container (KernelIds.kernelTid refuses it inside), where ids are the kernel's
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("no thread with id " + tid + " is running");
    }

    /** This JVM's threads: their ids here and the kernel's (the same outside a container). */
    private Map<Integer, Integer> threadsOfThisProcess() {
        if (ids.inChildNamespace()) {
            return ids.threadsOfThisProcess();
        }
        Map<Integer, Integer> tids = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                tids.put(tid, tid);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list this process's threads in /proc/self/task", e);
        }
        return tids;
    }
}
