package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.Libbpf;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * One family the kernel refuses leaves the others working, and says why: the real kernel refuses
 * a family's program (made a socket filter, which the verifier rejects, or attached to a
 * tracepoint the kernel lacks), and the system-call family still counts exactly, while a test
 * that requires the refused family is told the reason. Each case loads a tracer of its own (not
 * the shared one), which detaches as soon as its slot closes.
 */
class ProbeFamiliesTest {

    private static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;
    private static final int WRITES = 1000;
    private static final int PARKS = 5;

    @BeforeAll
    static void requireTracing() {
        TracingAssumptions.requireTracing();
    }

    @Test
    void everyProgramOfTheObjectBelongsToOneFamilyInBothAttachModes() {
        BpfObject object = BpfObject.open(Libbpf.get(), "grouping", ProgramLoader.objectBytes());
        try {
            List<String> programs = object.programNames();
            assertThat(programs).allSatisfy(program -> assertThat(ProbeFamily.of(program))
                    .as("the family of program %s (ProbeFamily groups the object's programs by name)", program).isNotNull());
            List<String> expected = new ArrayList<>();
            for (ProbeFamily family : ProbeFamily.values()) {
                expected.addAll(family.tracepoints() ? family.programs("tp_btf") : family.programs(""));
                if (family.tracepoints()) {
                    expected.addAll(family.programs("raw_tp"));
                }
            }
            assertThat(programs).as("the object's programs, as ProbeFamily names them").containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            object.close();
        }
    }

    @Test
    void aSchedulerProgramTheVerifierRejectsLeavesSystemCallsCountingExactly() {
        KernelTracer tracer = KernelTracer.load(turnIntoSocketFilter("tp_btf_sched_switch", "raw_tp_sched_switch"));
        tracer.setDetachDelay(Duration.ZERO);

        assertThat(tracer.refusedFamilies()).containsOnlyKeys(ProbeFamily.SCHEDULER);
        assertThat(tracer.refusedFamilies().get(ProbeFamily.SCHEDULER))
                .startsWith("the kernel refused the scheduler programs (")
                .contains("tp_btf: tp_btf_sched_switch: ").contains("raw_tp: raw_tp_sched_switch: ");
        assertThat(tracer.attachMode(ProbeFamily.SCHEDULER)).isNull();
        assertThat(tracer.attachMode(ProbeFamily.SYSCALLS)).isIn("tp_btf", "raw_tp");
        assertSystemCallsCountAndTheSchedulerIsRefused(tracer);
    }

    @Test
    void aSchedulerHookTheKernelLacksLeavesSystemCallsCountingExactly() {
        KernelTracer tracer = KernelTracer.load(object -> { });
        tracer.setDetachDelay(Duration.ZERO);
        String program = tracer.attachMode(ProbeFamily.SCHEDULER) + "_sched_waking";
        tracer.retarget(program, "kerneltrace_no_such_tracepoint");
        assertThat(tracer.refusedFamilies()).as("before the first attach").isEmpty();

        assertSystemCallsCountAndTheSchedulerIsRefused(tracer);

        assertThat(tracer.refusedFamilies()).containsOnlyKeys(ProbeFamily.SCHEDULER);
        assertThat(tracer.refusedFamilies().get(ProbeFamily.SCHEDULER))
                .startsWith("the kernel refused to attach the scheduler programs (cannot attach BPF program " + program
                        + " to raw tracepoint kerneltrace_no_such_tracepoint: ");
        assertThat(tracer.attached()).as("detached with its slot").isFalse();
    }

    @Test
    void anAllocatorProgramTheVerifierRejectsLeavesTheTracepointFamiliesWorking() {
        KernelTracer tracer = KernelTracer.load(turnIntoSocketFilter("malloc_enter"));
        tracer.setDetachDelay(Duration.ZERO);

        assertThat(tracer.refusedFamilies()).containsOnlyKeys(ProbeFamily.NATIVE_ALLOCATIONS);
        try (TraceSlot slot = tracer.openSlot()) {
            System.out.println("[families] refused: " + tracer.refusedFamilies());
            slot.trackThread(Threads.currentTid(), false);
            assertThatThrownBy(slot::countNativeAllocations).isInstanceOf(TracingUnavailableException.class)
                    .hasMessageStartingWith("native allocations cannot be counted: the kernel refused the native"
                            + " allocations programs (malloc_enter: ");
            KernelMetrics metrics = countWritesAndParks(slot);

            assertThat(metrics.syscall("write").count()).isEqualTo(WRITES);
            assertThat(metrics.scheduler().voluntarySwitches()).as("the scheduler family still works").isGreaterThanOrEqualTo(PARKS);
        }
    }

    @Test
    void theSystemCallFamilyRefusedInBothModesMeansNoTracingWithTheVerifiersWords() {
        assertThatThrownBy(() -> KernelTracer.load(turnIntoSocketFilter("tp_btf_sys_enter", "raw_tp_sys_enter")))
                .isInstanceOf(TracingUnavailableException.class)
                .hasMessageStartingWith("the kernel refused KernelTrace's BPF programs (tp_btf: the kernel refused to load the"
                        + " BPF programs (EINVAL: Invalid argument); libbpf said:")
                .hasMessageContaining("; raw_tp: the kernel refused to load the BPF programs (EACCES: Permission denied);")
                .hasMessageContaining("raw_tp_sys_enter").hasMessageContaining("invalid bpf_context access");
    }

    private static void assertSystemCallsCountAndTheSchedulerIsRefused(KernelTracer tracer) {
        try (TraceSlot slot = tracer.openSlot()) {
            System.out.println("[families] refused: " + tracer.refusedFamilies());
            slot.trackThread(Threads.currentTid(), true);
            slot.require(ProbeFamily.SYSCALLS);
            KernelMetrics metrics = countWritesAndParks(slot);

            assertThat(metrics.syscall("write").count()).isEqualTo(WRITES);
            assertThat(metrics.syscall("write").latencyNanos().getTotalCount()).isEqualTo(WRITES);
            assertThat(metrics.bytesWritten()).isEqualTo(WRITES * 10L);
            assertThat(metrics.scheduler().voluntarySwitches()).as("no scheduler program ran").isZero();
            assertThatThrownBy(() -> slot.require(ProbeFamily.SCHEDULER)).isInstanceOf(TracingUnavailableException.class)
                    .hasMessageStartingWith("the kernel refused ").hasMessageContaining("scheduler programs")
                    .hasMessageEndingWith("; the scheduler metrics cannot be measured here, while the other families' can");
        }
    }

    /** Writes 10 bytes {@code WRITES} times and parks {@code PARKS} times, counted. */
    private static KernelMetrics countWritesAndParks(TraceSlot slot) {
        try (FileOutputStream devNull = new FileOutputStream("/dev/null")) {
            byte[] tenBytes = new byte[10];
            devNull.write(tenBytes); // class loading and JIT outside the window
            slot.start();
            for (int i = 0; i < WRITES; i++) {
                devNull.write(tenBytes);
            }
            for (int i = 0; i < PARKS; i++) {
                LockSupport.parkNanos(1_000_000);
            }
            slot.stop();
            return slot.metrics();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seam: the named programs become socket filters, whose context the verifier will not let them read. */
    private static Consumer<BpfObject> turnIntoSocketFilter(String... programs) {
        return object -> {
            for (String program : programs) {
                object.setProgramType(program, BPF_PROG_TYPE_SOCKET_FILTER);
            }
        };
    }
}
