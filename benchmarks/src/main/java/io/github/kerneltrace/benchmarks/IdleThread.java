package io.github.kerneltrace.benchmarks;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.kerneltrace.probes.Threads;

/** A thread that only waits: what a benchmark's "other thread" rounds track, so that the measuring thread is not. */
final class IdleThread {

    private IdleThread() {
    }

    /** Starts a daemon thread that sleeps for ever; returns its kernel thread id. */
    static int start() throws InterruptedException {
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread idle = new Thread(() -> {
            tid.set(Threads.currentTid());
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "idle-tracked-thread");
        idle.setDaemon(true);
        idle.start();
        started.await();
        return tid.get();
    }
}
