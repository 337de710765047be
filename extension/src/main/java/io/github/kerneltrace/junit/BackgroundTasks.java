package io.github.kerneltrace.junit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs tasks in the order submitted on one daemon thread that is not woken for each task: while
 * tasks keep coming it looks for them every {@link #BATCH_NANOS} and runs what has queued up; only
 * the first task after an idle spell wakes it. A test thread that hands a task over therefore
 * makes no system call and is not preempted by the woken thread (a plain executor's wake-up per
 * task cost a cold traced test ~0.6 ms of wall time on a busy 2-CPU machine).
 */
final class BackgroundTasks {

    private static final System.Logger LOGGER = System.getLogger(BackgroundTasks.class.getName());

    /** How long queued tasks may wait for the thread while it is busy with earlier ones. */
    static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by the thread just before it parks with no deadline; whoever clears it must unpark it. */
    private final AtomicBoolean idle = new AtomicBoolean();
    private final Thread thread;

    BackgroundTasks(String threadName) {
        thread = new Thread(this::runForever, threadName);
        thread.setDaemon(true); // flushed by whoever needs the work done; must not keep the JVM alive
        thread.start();
    }

    /** Queues {@code task}; an exception it throws is logged and does not stop the later tasks. */
    void execute(Runnable task) {
        tasks.add(task);
        if (idle.get() && idle.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Waits until every task submitted before this call has run.
     *
     * @return false if that took longer than {@code timeoutMillis}
     */
    boolean awaitQueued(long timeoutMillis) throws InterruptedException {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        tasks.add(() -> reached.complete(null));
        idle.set(false);
        LockSupport.unpark(thread); // also cuts short a batch wait: the caller is waiting now
        try {
            reached.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // cannot happen: the marker completes normally
        }
    }

    private void runForever() {
        while (true) {
            boolean ranAny = false;
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                runLogged(task);
                ranAny = true;
            }
            if (ranAny) {
                LockSupport.parkNanos(this, BATCH_NANOS); // more are likely on the way: collect them
                continue;
            }
            idle.set(true);
            // Checked after announcing idleness: a task added before it is seen here, one added
            // after it finds idle set and unparks (the permit makes park return at once).
            if (tasks.isEmpty()) {
                LockSupport.park(this);
            }
            idle.set(false);
        }
    }

    private static void runLogged(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace background task failed", e);
        }
    }
}
