package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.io.IOException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The canary: counting never starts for a thread the programs do not see, which is what every
 * test inside a container looked like while threads were registered by their namespace's ids.
 */
class CanaryTest {

    /** Above any pid_max (at most 2^22): no thread has this kernel id. */
    private static final int NO_SUCH_KERNEL_THREAD = (1 << 22) + 17;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @Test
    void aTestThreadTheProgramsDoNotSeeIsRefusedBeforeCountingStarts() throws IOException {
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            // as inside a container before: registered by an id the programs never compare with
            slot.trackThreadAsKernelId(Threads.currentTid(), NO_SUCH_KERNEL_THREAD, true);

            assertThatThrownBy(slot::start)
                    .isInstanceOf(TracingUnavailableException.class)
                    .hasMessage("the BPF programs do not see this test's thread (id " + Threads.currentTid()
                            + " here, registered as kernel thread " + NO_SUCH_KERNEL_THREAD + "), so nothing it does"
                            + " would be counted");
            devNull.write(1);
            slot.stop();
            assertThat(slot.metrics().totalSyscalls()).as("nothing counts after a refused start").isZero();
        }
    }

    @Test
    void aTestThreadTheProgramsSeeStartsAndCounts() throws IOException {
        try (FileOutputStream devNull = new FileOutputStream("/dev/null");
             TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            devNull.write(1);
            slot.stop();

            assertThat(slot.metrics().syscall("write").count()).isEqualTo(1);
        }
    }

    @Test
    void theKernelsIdsOfThisJvmAreAnsweredByThePrograms() {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            KernelIds ids = KernelTracer.shared().ids();
            KernelIds.Answer answer = ids.ask(true);

            // the kernel's ids are what /proc shows only outside a container
            if (answer.level() == 0) {
                assertThat(answer.kernelTid()).isEqualTo(Threads.currentTid());
                assertThat(answer.kernelTgid()).isEqualTo(Threads.processId());
            } else {
                assertThat(answer.kernelTgid()).isNotEqualTo(Threads.processId());
            }
            assertThat(ids.threadsOfThisProcess()).containsEntry(Threads.currentTid(), answer.kernelTid())
                    .hasSizeGreaterThanOrEqualTo(Thread.activeCount());
        }
    }
}
