package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.jna.Library;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * A nested signal handler left by longjmp, as async-profiler's crash protection leaves one (its
 * stack walk faults inside its SIGPROF handler; the SIGSEGV handler longjmps back): the outer
 * handler's rt_sigreturn ends it, the nested one never returns. Before each nesting level kept
 * the stack pointer it interrupted (signals.bpf.h), the thread's depth stayed at one after the
 * outer handler returned, and every call the thread made deeper in its stack than the point the
 * signal had interrupted was taken for a handler's for up to a second: not counted, and the
 * canary unseen ("the BPF programs do not see this test's thread", the profiled CI step, about
 * one run in 40).
 */
class NestedHandlerLeftByLongjmpTest {

    /** Signals HotSpot leaves alone (it suspends threads with SIGUSR2 and dumps them on SIGQUIT). */
    private static final int SIGURG = 23;
    private static final int SIGWINCH = 28;
    private static final int WRITES = 10;
    /** Java frames between the signal's point and the counted calls: far deeper than that point. */
    private static final int DEPTH = 400;

    interface NestedHandlers extends Library {
        int kt_install(int outer, int nested);

        int kt_raise(int outer);

        int kt_nested_handlers_left();
    }

    private NestedHandlers handlers;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @BeforeEach
    void buildHandlers() throws Exception {
        handlers = TestLibraries.load("nested_longjmp_handler", NestedHandlers.class);
        assertThat(handlers.kt_install(SIGURG, SIGWINCH)).isZero();
    }

    /** The handlers ran before the window: the canary and every later call deep in the stack count. */
    @Test
    void beforeTheWindowTheCanaryAndTheTestsCallsAreSeen() {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true); // the programs see this thread's signals from here
            int left = handlers.kt_nested_handlers_left();
            assertThat(handlers.kt_raise(SIGURG)).isZero();
            assertThat(handlers.kt_nested_handlers_left()).as("a nested handler left by longjmp").isEqualTo(left + 1);

            KernelMetrics metrics = SignalHandlerAcrossDetachTest.writesDeepInTheStack(DEPTH, slot, true, WRITES);

            assertThat(metrics.syscall("write").count()).as("the writes, deep in the stack").isEqualTo(WRITES);
            assertThat(metrics.diagnostics().signalHandlerCalls()).isZero();
        }
    }

    /** The handlers ran inside the window: their calls are set apart, the thread's own still count. */
    @Test
    void insideTheWindowTheHandlersCallsAreSetApartAndTheTestsCount() {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            assertThat(handlers.kt_raise(SIGURG)).isZero(); // the thread's own tgkill; the handler's is set apart
            KernelMetrics metrics = SignalHandlerAcrossDetachTest.writesDeepInTheStack(DEPTH, slot, false, WRITES);

            assertThat(metrics.syscall("write").count()).as("the writes, deep in the stack").isEqualTo(WRITES);
            assertThat(metrics.syscall("tgkill").count()).as("the thread's own raise, not the handler's").isEqualTo(1);
            assertThat(metrics.diagnostics().signalHandlerCalls()).as("the outer handler's raise and rt_sigreturn")
                    .isGreaterThanOrEqualTo(2);
        }
    }
}
