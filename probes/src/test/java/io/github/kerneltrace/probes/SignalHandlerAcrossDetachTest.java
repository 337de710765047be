package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Library;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * A signal handler in progress while the programs are detached: they saw the signal's delivery,
 * not its handler's rt_sigreturn. Before the attach epoch (signals.bpf.h), the thread kept its
 * handler depth across the detachment, and after the next attach every system call it made deeper
 * in its stack than the point the signal had interrupted was taken for the handler's: not counted,
 * and the canary of its next test unseen ("the BPF programs do not see this test's thread"), which
 * a profiled CI run met once in about 40 (a profiler's signals arrive every 100 µs).
 */
class SignalHandlerAcrossDetachTest {

    /** Not one HotSpot uses (SIGUSR2 suspends threads, SIGQUIT dumps them). */
    private static final int SIGURG = 23;
    private static final int WRITES = 10;
    /** Java frames between the signal's point and the counted calls: far deeper than that point. */
    private static final int DEPTH = 400;

    interface SpinningHandler extends Library {
        int kt_install(int sig);

        int kt_raise_and_spin(int sig);

        int kt_inside();

        void kt_release();
    }

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @Test
    void aHandlerThatReturnedWhileDetachedDoesNotSwallowTheNextTestsCalls() throws Exception {
        SpinningHandler handler = TestLibraries.load("spinning_handler", SpinningHandler.class);
        assertThat(handler.kt_install(SIGURG)).isZero();
        KernelTracer tracer = KernelTracer.shared();
        Duration delay = tracer.detachDelay();
        tracer.setDetachDelay(Duration.ZERO);
        try {
            TraceSlot first = tracer.openSlot();
            CompletableFuture<KernelMetrics> secondTest = CompletableFuture.supplyAsync(() -> {
                first.trackThread(Threads.currentTid(), true);
                // the programs see this delivery; the handler spins until released
                handler.kt_raise_and_spin(SIGURG);
                try (TraceSlot slot = tracer.openSlot()) { // the programs attach again
                    slot.trackThread(Threads.currentTid(), true);
                    return writesDeepInTheStack(DEPTH, slot, true, WRITES);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (handler.kt_inside() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(handler.kt_inside()).as("the thread is inside its handler").isEqualTo(1);
            first.close(); // the last open slot: the programs detach now
            assertThat(tracer.attached()).isFalse();
            handler.kt_release(); // its rt_sigreturn, unseen

            KernelMetrics second = secondTest.get(30, TimeUnit.SECONDS);
            assertThat(second.syscall("write").count()).as("the second test's writes, deep in its stack").isEqualTo(WRITES);
            assertThat(second.diagnostics().signalHandlerCalls()).isZero();
        } finally {
            tracer.setDetachDelay(delay);
        }
    }

    /**
     * {@code depth} frames down, far below where a signal interrupted the thread: opens the slot's
     * window if {@code start} (the canary), makes {@code writes} one-byte writes, stops, and
     * returns the counts. Also NestedHandlerLeftByLongjmpTest's.
     */
    static KernelMetrics writesDeepInTheStack(int depth, TraceSlot slot, boolean start, int writes) {
        if (depth > 0) {
            return writesDeepInTheStack(depth - 1, slot, start, writes);
        }
        try (FileOutputStream devNull = new FileOutputStream("/dev/null")) {
            if (start) {
                slot.start();
            }
            for (int i = 0; i < writes; i++) {
                devNull.write(1);
            }
            slot.stop();
            return slot.metrics();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
