package io.github.kerneltrace.sample;

import static io.github.kerneltrace.sample.KeyValueStoreKernelBudgetTest.ENTRIES;
import static io.github.kerneltrace.sample.KeyValueStoreKernelBudgetTest.key;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.junit.BaselineTolerance;
import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.KernelTraceSession;
import io.github.kerneltrace.junit.MaxContextSwitches;
import io.github.kerneltrace.junit.MaxRunQueueLatency;
import io.github.kerneltrace.junit.SwitchKind;

/**
 * The store's read path in scheduler terms: served from the page cache, reads never block; and
 * when the machine is overloaded, run-queue latency shows how long the reads waited for a CPU.
 */
@KernelTrace
class KeyValueStoreSchedulerBudgetTest {

    @TempDir
    static Path dir;

    /** One store for the class: the tests only read it, and warming it up is most of their cost. */
    static KeyValueStore store;

    /**
     * A store of 1024 entries, every record read 20 times: its pages are cached, its classes loaded
     * and its read path compiled by the JIT, whose compile requests would otherwise make the test
     * thread wait on the JVM's locks (futex) during the test.
     */
    @BeforeAll
    static void openWarmStore() throws IOException {
        KeyValueStoreKernelBudgetTest.writeLog(dir);
        store = KeyValueStore.open(dir, KeyValueStoreKernelBudgetTest.SYNC_ON_CLOSE);
        for (int round = 0; round < 20; round++) {
            readEveryEntry();
        }
        JitSignatureClasses.loadAhead(); // else the JIT may load one inside UnderCpuContention: a pread64 of 378 bytes
    }

    @AfterAll
    static void close() throws IOException {
        store.close();
    }

    static void readEveryEntry() throws IOException {
        for (int i = 0; i < ENTRIES; i++) {
            assertThat(store.get(key(i))).isPresent();
        }
    }

    @Test
    // 0 in practice: a pread of a cached page never sleeps. The slack of 2 is for the JVM, which
    // may park the thread at a safepoint; a read that went to the disk would exceed it at once.
    @MaxContextSwitches(value = 2, kind = SwitchKind.VOLUNTARY)
    void readsFromAWarmStoreDoNotBlock() throws IOException {
        readEveryEntry();
    }

    /** More spinning threads than CPUs: the reads must share the CPUs with them. */
    @Nested
    // The JVM's own futex calls on a starved thread (GC and safepoint hand-offs) vary with the
    // scheduling: 9 to 68 in 40 runs (docs/gate-quality.md), beyond the default relative 25% min 50.
    @BaselineTolerance(metric = "syscalls.futex.**", rule = "relative 100% min 100")
    class UnderCpuContention {

        final AtomicBoolean spin = new AtomicBoolean(true);
        final List<Thread> spinners = new ArrayList<>();

        @BeforeEach
        void startSpinners() {
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                Thread spinner = new Thread(() -> {
                    while (spin.get()) {
                        Thread.onSpinWait();
                    }
                }, "spinner-" + i);
                spinner.setDaemon(true);
                spinner.start();
                spinners.add(spinner);
            }
        }

        @AfterEach
        void stopSpinners() throws InterruptedException {
            spin.set(false);
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }

        @Test
        // Run-queue latency depends on the machine and its load: a coarse gate that catches a
        // starved thread (seconds), never a tight one. The report shows the measured p99.
        @MaxRunQueueLatency(percentile = 99, value = "250ms")
        void readsWaitForACpuButWithinACoarseBudget(KernelTraceSession trace) throws IOException {
            for (int round = 0; round < 20; round++) { // tens of ms of CPU: longer than a time slice
                readEveryEntry();
            }

            // the contention is visible: the reads were preempted and waited in a run queue
            assertThat(trace.metrics().scheduler().involuntarySwitches()).isPositive();
            assertThat(trace.metrics().scheduler().runQueueLatencyNanos().getTotalCount()).isPositive();
        }
    }
}
