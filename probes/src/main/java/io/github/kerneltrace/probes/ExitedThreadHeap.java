package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.jna.JNIEnv;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.BpfLink;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * Counts the heap of a test's threads that end inside its window (bpf/exited_heap.bpf.h): finds
 * where HotSpot keeps what the program reads, hands it to the program, and attaches the program
 * to HotSpot's USDT probe {@code hotspot:thread__stop} in this JVM.
 *
 * <p>The current Thread* lies in thread-local storage at a fixed distance from the thread pointer
 * ({@code pthread_self()}, the fsbase register on x86_64): HotSpot stores it there for
 * {@code Thread::current()}. The distance is found by searching the first words above the thread
 * pointer for a pointer into the current JavaThread, recognized by its OSThread's thread id, on
 * two threads (which must agree). The JavaThread's address is bracketed through this thread's
 * {@code JNIEnv*}, which lies inside it. Every read of memory not known to be mapped goes
 * through {@code /proc/self/mem}, so a wrong guess is an error, never a crash.
 *
 * <p>The link is never detached: it fires once per ended Java thread of this JVM only, and
 * detaching a uprobe stalls the detaching thread about 100 ms. Guarded by this object's monitor.
 */
final class ExitedThreadHeap {

    static final String PROGRAM = "java_thread_stop_heap";
    /** Where the thread-pointer search looks: struct pthread, above the thread pointer, is larger. */
    private static final int SEARCH_BYTES = 2048;
    /** How far into a JavaThread its JNIEnv lies, at most (a few hundred bytes in JDK 17 and 25). */
    private static final long JNI_ENVIRONMENT_WITHIN = 4096;

    /** Where the program finds an ending thread's allocation counter (struct hotspot_offsets). */
    record Offsets(long threadPointer, int osthread, int threadId, int allocatedBytes, int tlabStart, int tlabTop) {
    }

    private interface Natives extends Library {
        Natives INSTANCE = Native.load("c", Natives.class);

        /** The calling thread's thread pointer (glibc: its struct pthread, which fsbase points to). */
        long pthread_self();
    }

    /** JNA passes a JNIEnv* for JNIEnv.CURRENT in direct mapping only. */
    private static final class DirectLibC {
        static {
            Native.register("c");
        }

        /** {@code memset(p, 0, 0)} returns {@code p}. */
        static native long memset(JNIEnv env, int value, long count);
    }

    private final BpfObject object;
    private BpfLink link;
    /** Why ended threads' heap is not counted here, or null (not tried yet, or attached). */
    private String unavailable;

    ExitedThreadHeap(BpfObject object) {
        this.object = object;
    }

    /**
     * Attaches unless done; the first call locates the offsets. Never throws: a JVM or machine
     * where this cannot work keeps today's behaviour (ended threads reported as not counted).
     *
     * @return null once attached, or why the heap of ended threads is not counted
     */
    synchronized String attach() {
        if (link != null || unavailable != null) {
            return unavailable;
        }
        try {
            if (!"amd64".equals(System.getProperty("os.arch"))) {
                throw new IllegalStateException("the thread pointer is read on x86_64 only, and this is "
                        + System.getProperty("os.arch"));
            }
            Offsets offsets = locate();
            writeOffsets(offsets);
            Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
            link = object.attachUsdt(PROGRAM, LibC.INSTANCE.getpid(), libjvm.toString(), "hotspot", "thread__stop", 0);
        } catch (IllegalStateException | UnsatisfiedLinkError e) {
            unavailable = "the heap of threads that end before the test does cannot be read here (" + e.getMessage() + ")";
        }
        return unavailable;
    }

    private void writeOffsets(Offsets at) {
        Memory key = new Memory(4);
        key.setInt(0, 0);
        Memory value = new Memory(HOTSPOT_OFFSETS_SIZE);
        value.clear();
        value.setLong(HOTSPOT_THREAD_POINTER, at.threadPointer());
        value.setInt(HOTSPOT_OSTHREAD, at.osthread());
        value.setInt(HOTSPOT_THREAD_ID, at.threadId());
        value.setInt(HOTSPOT_ALLOCATED_BYTES, at.allocatedBytes());
        value.setInt(HOTSPOT_TLAB_START, at.tlabStart());
        value.setInt(HOTSPOT_TLAB_TOP, at.tlabTop());
        value.setInt(HOTSPOT_READY, 1);
        object.map("hotspot_offsets").update(key, value);
    }

    /**
     * This JVM's offsets: the fields from HotSpot's own table, the thread-local slot by search.
     *
     * @throws IllegalStateException naming what was not found
     */
    static Offsets locate() {
        HotSpotVMStructs structs = HotSpotVMStructs.ofThisJvm();
        int osthread = (int) structs.offset("_osthread", "JavaThread", "Thread");
        int threadId = (int) structs.offset("_thread_id", "OSThread");
        int tlab = (int) structs.offset("_tlab", "Thread");
        Offsets found = new Offsets(0, osthread, threadId, (int) structs.offset("_allocated_bytes", "Thread"),
                tlab + (int) structs.offset("_start", "ThreadLocalAllocBuffer"),
                tlab + (int) structs.offset("_top", "ThreadLocalAllocBuffer"));
        List<Long> here = threadPointerCandidates(found);
        AtomicReference<List<Long>> there = new AtomicReference<>(List.of());
        Thread second = new Thread(() -> there.set(threadPointerCandidates(found)), "kerneltrace-thread-pointer");
        second.start();
        try {
            second.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while locating HotSpot's current-thread slot", e);
        }
        List<Long> agreed = new ArrayList<>(here);
        agreed.retainAll(there.get());
        if (agreed.isEmpty()) {
            throw new IllegalStateException("HotSpot's current-thread slot was not found near the thread pointer (this thread: "
                    + here + ", a second one: " + there.get() + ")");
        }
        return new Offsets(agreed.get(0), osthread, threadId, found.allocatedBytes(), found.tlabStart(), found.tlabTop());
    }

    /** Distances from the calling thread's thread pointer at which a pointer to its JavaThread lies. */
    private static List<Long> threadPointerCandidates(Offsets at) {
        long threadPointer = Natives.INSTANCE.pthread_self();
        // memset(p, 0, 0) returns p: here, the calling thread's JNIEnv*, which JNA passes for JNIEnv.CURRENT
        long jniEnv = DirectLibC.memset(JNIEnv.CURRENT, 0, 0);
        int tid = LibC.INSTANCE.gettid();
        List<Long> candidates = new ArrayList<>();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
            ByteBuffer words = read(mem, threadPointer, SEARCH_BYTES);
            for (int i = 0; i + 8 <= SEARCH_BYTES; i += 8) {
                long javaThread = words.getLong(i);
                if (javaThread != 0 && jniEnv - javaThread >= 0 && jniEnv - javaThread < JNI_ENVIRONMENT_WITHIN
                        && isThread(mem, javaThread, tid, at)) {
                    candidates.add((long) i);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's memory through /proc/self/mem: " + e.getMessage(), e);
        }
        return candidates;
    }

    /** Whether {@code javaThread}'s OSThread has the thread id {@code tid}. */
    private static boolean isThread(RandomAccessFile mem, long javaThread, int tid, Offsets at) {
        try {
            long osthread = read(mem, javaThread + at.osthread(), 8).getLong(0);
            return osthread != 0 && read(mem, osthread + at.threadId(), 4).getInt(0) == tid;
        } catch (IOException e) {
            return false; // not mapped: not it
        }
    }

    private static ByteBuffer read(RandomAccessFile mem, long address, int length) throws IOException {
        byte[] bytes = new byte[length];
        mem.seek(address);
        mem.readFully(bytes);
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
}
