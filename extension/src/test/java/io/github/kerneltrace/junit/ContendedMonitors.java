package io.github.kerneltrace.junit;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.metrics.JvmEventMetrics;

/**
 * Main of a child JVM started with (or without) {@code -XX:+DTraceMonitorProbes}: the main thread
 * enters a monitor that another thread holds, a known number of times, while its JVM events are
 * counted; prints {@code contended=<n>} or {@code notCounted=<reason>}.
 */
final class ContendedMonitors {

    private static final Object LOCK = new Object();

    public static void main(String[] args) throws Exception {
        int times = Integer.parseInt(args[0]);
        Semaphore next = new Semaphore(0);
        CountDownLatch[] held = new CountDownLatch[times];
        for (int i = 0; i < times; i++) {
            held[i] = new CountDownLatch(1);
        }
        Thread holder = new Thread(() -> {
            try {
                for (int i = 0; i < times; i++) {
                    next.acquire();
                    synchronized (LOCK) {
                        held[i].countDown();
                        Thread.sleep(20); // far longer than HotSpot spins before it blocks
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "monitor-holder");
        holder.start();
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.countJvmEvents();
            slot.start();
            for (int i = 0; i < times; i++) {
                next.release();
                held[i].await();
                synchronized (LOCK) {
                    // entered once the holder let go: one contended enter
                }
            }
            slot.stop();
            JvmEventMetrics jvm = slot.metrics().jvm();
            System.out.println(jvm.monitorsCounted() ? "contended=" + jvm.contendedMonitorEnters()
                    : "notCounted=" + jvm.monitorsNotCountedReason());
        }
        holder.join();
    }
}
