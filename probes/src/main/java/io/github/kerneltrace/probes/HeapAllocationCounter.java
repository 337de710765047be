package io.github.kerneltrace.probes;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import io.github.kerneltrace.probes.metrics.HeapAllocation;

/**
 * Java heap bytes allocated by a slot's threads, from the JVM's per-thread allocation counters.
 *
 * <p>The counting thread's figure is exact: its counter is read last thing before counting starts
 * and first thing after it stops. Other tracked threads are Java threads found by name: HotSpot
 * names a thread's kernel task after the Java thread (its first 15 bytes) when it starts, and the
 * kernel's {@code comm} of each tracked thread id is that name. Threads that ended before counting
 * stopped cannot be read any more (the JVM drops their counter): the BPF programs read the counter
 * of those started inside the window as they end (bpf/exited_heap.bpf.h, {@link ExitedThreadHeap});
 * {@link HeapAllocation} says how many others were not counted.
 *
 * <p>Confined to one {@link TraceSlot}: every call runs under that slot's monitor.
 */
final class HeapAllocationCounter {

    private static final int COMM_LENGTH = 15;
    private static final com.sun.management.ThreadMXBean THREADS = threadBean();
    /** {@code getTotalThreadAllocatedBytes()}, JDK 21 and later: includes threads that ended. */
    private static final Method TOTAL = totalMethod();

    private boolean othersCounted;
    private boolean wholeProcess;
    private boolean started;
    private Thread countingThread;
    private long countingThreadStart;
    /** The counting thread's bytes over every start-stop window so far (a test may read its metrics midway). */
    private long countingThreadBytes;
    private Map<Long, Long> othersAtStart = Map.of();
    private long totalAtStart;
    private long totalAtStop;
    private Thread[] threadsAtStop = new Thread[0];
    private long[] othersAtStop = new long[0];

    static boolean supported() {
        return THREADS != null;
    }

    /**
     * Takes the baselines. Call last before counting starts. Counting may stop and start again:
     * the counting thread's figure then covers the windows only; other threads' (which cannot be
     * paused) run from the first start to the last stop, as the kernel's counts of them do.
     *
     * @param othersTracked whether threads other than the calling one are tracked already (their
     *                      figures need a baseline; threads created later start from 0)
     * @param wholeProcess  whether every thread of the JVM is
     */
    void start(boolean othersTracked, boolean wholeProcess) {
        if (THREADS == null) {
            return;
        }
        if (started) {
            countingThreadStart = THREADS.getCurrentThreadAllocatedBytes();
            return;
        }
        started = true;
        countingThread = Thread.currentThread();
        this.wholeProcess = wholeProcess;
        othersAtStart = Map.of();
        if (othersTracked || wholeProcess) {
            long[] ids = THREADS.getAllThreadIds();
            long[] bytes = THREADS.getThreadAllocatedBytes(ids);
            othersAtStart = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                othersAtStart.put(ids[i], bytes[i]);
            }
        }
        totalAtStart = wholeProcess ? total() : -1;
        countingThreadStart = THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Reads the counters again. Call first after counting stops.
     *
     * @param othersTracked whether the slot tracks threads other than the calling one (registered,
     *                      or followed when the test created them): only then are the others read
     */
    void stop(boolean othersTracked) {
        if (THREADS == null) {
            return;
        }
        countingThreadBytes += THREADS.getCurrentThreadAllocatedBytes() - countingThreadStart;
        othersCounted = othersTracked || wholeProcess;
        threadsAtStop = new Thread[0];
        othersAtStop = new long[0];
        if (othersCounted) {
            totalAtStop = wholeProcess ? total() : -1;
            threadsAtStop = liveThreads();
            long[] ids = new long[threadsAtStop.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = threadsAtStop[i].getId();
            }
            othersAtStop = THREADS.getThreadAllocatedBytes(ids);
        }
    }

    /**
     * The heap allocation of the counting thread plus the Java threads among {@code otherThreads}.
     *
     * @param otherThreads   kernel {@code comm} of each other tracked thread of this JVM still known to the
     *                       kernel, by thread id
     * @param exitedThreads  tracked threads of this JVM that ended since counting started
     * @param exitedHeap     the heap of those the programs read as they ended, and how many
     * @param heapCountedAtEnd  threads of {@code otherThreads} that are ending and among {@code exitedHeap}'s
     * @param endingHeapCounted  threads among {@code exitedHeap}'s still tracked: not yet among {@code exitedThreads}
     */
    HeapAllocation result(Map<Integer, String> otherThreads, long exitedThreads, SlotMemory.ExitedHeap exitedHeap,
            Set<Integer> heapCountedAtEnd, int endingHeapCounted) {
        if (THREADS == null) {
            return HeapAllocation.UNSUPPORTED;
        }
        long bytes = countingThreadBytes;
        int counted = 1;
        if (wholeProcess && totalAtStart >= 0 && totalAtStop >= 0) {
            return new HeapAllocation(totalAtStop - totalAtStart, othersAtStop.length, 0, true);
        }
        // the ended threads whose counter the programs read: not matched by name again
        bytes += exitedHeap.bytes();
        counted += (int) exitedHeap.threads();
        long endedUncounted = exitedThreads - (exitedHeap.threads() - endingHeapCounted);
        Map<String, Integer> unclaimedNames = new HashMap<>();
        for (Map.Entry<Integer, String> other : otherThreads.entrySet()) {
            if (!heapCountedAtEnd.contains(other.getKey())) {
                unclaimedNames.merge(other.getValue(), 1, Integer::sum);
            }
        }
        // Java threads by the kernel's name for them (15 bytes): "pool-1-thread-10" is "pool-1-thread-1" there
        Map<String, List<Integer>> candidates = new HashMap<>();
        for (int i = 0; i < threadsAtStop.length; i++) {
            Thread thread = threadsAtStop[i];
            if (thread != countingThread && othersAtStop[i] >= 0) {
                candidates.computeIfAbsent(kernelName(thread.getName()), name -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<String, List<Integer>> named : candidates.entrySet()) {
            List<Integer> threads = named.getValue();
            int tracked = wholeProcess ? threads.size() : unclaimedNames.getOrDefault(named.getKey(), 0);
            if (tracked == 0 || threads.size() > tracked) {
                continue; // not the test's, or more Java threads than tracked ones share the name: never guess
            }
            for (int i : threads) {
                bytes += othersAtStop[i] - othersAtStart.getOrDefault(threadsAtStop[i].getId(), 0L);
                counted++;
            }
            if (!wholeProcess) {
                unclaimedNames.merge(named.getKey(), -threads.size(), Integer::sum);
            }
        }
        // the rest were no (longer) live Java threads, or shared their kernel name with an untracked one
        int unmatched = 0;
        for (int unclaimed : unclaimedNames.values()) { // a loop, not a stream: a cold test pays for every lambda linked
            unmatched += unclaimed;
        }
        return new HeapAllocation(bytes, counted, (int) Math.max(0, endedUncounted) + unmatched, true);
    }

    /** A Java thread name as the kernel shows it: its first 15 bytes of UTF-8. */
    static String kernelName(String javaName) {
        byte[] utf8 = javaName.getBytes(StandardCharsets.UTF_8);
        return utf8.length <= COMM_LENGTH ? javaName
                : new String(Arrays.copyOf(utf8, COMM_LENGTH), StandardCharsets.UTF_8);
    }

    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count;
        while ((count = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        return Arrays.copyOf(threads, count);
    }

    private static long total() {
        try {
            return TOTAL == null ? -1 : (long) TOTAL.invoke(THREADS);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                    && bean.isThreadAllocatedMemorySupported()) {
                if (!bean.isThreadAllocatedMemoryEnabled()) {
                    bean.setThreadAllocatedMemoryEnabled(true);
                }
                return bean;
            }
        } catch (RuntimeException | LinkageError e) {
            // a JVM without com.sun.management: heap allocation is reported as unsupported
        }
        return null;
    }

    private static Method totalMethod() {
        try {
            return com.sun.management.ThreadMXBean.class.getMethod("getTotalThreadAllocatedBytes");
        } catch (NoSuchMethodException e) {
            return null; // before JDK 21
        }
    }
}
