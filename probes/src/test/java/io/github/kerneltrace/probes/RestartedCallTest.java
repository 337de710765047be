package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.SyscallMetrics;

/**
 * A system call interrupted by a signal and restarted by the kernel is counted as docs/metrics.md
 * says: each entry is a call (as strace -c counts), the -ERESTARTSYS exit is a restart, not an error.
 * The workload is src/test/c/restarted_readv.c, built here with gcc.
 */
class RestartedCallTest {

    @Test
    void aRestartedCallIsTwoCallsOneRestartAndNoError(@TempDir Path dir) throws Exception {
        TracingAssumptions.requireTracing();
        Path program = dir.resolve("restarted_readv");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", program.toString(), "src/test/c/restarted_readv.c")
                .inheritIO().start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc builds the workload").isZero();

        KernelMetrics metrics;
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.start();
            Process workload = new ProcessBuilder(program.toString()).start();
            assertThat(workload.waitFor(30, TimeUnit.SECONDS)).isTrue();
            slot.stop();
            assertThat(workload.exitValue()).as("the workload's readv got its 5 bytes").isZero();
            metrics = slot.metrics();
        }

        SyscallMetrics readv = metrics.syscall("readv");
        assertThat(readv.count()).as("entries: the interrupted one and the restarted one").isEqualTo(2);
        assertThat(readv.errors()).isZero();
        assertThat(readv.bytes()).isEqualTo(5);
        assertThat(metrics.diagnostics().restartedCalls()).isEqualTo(1);
        assertThat(metrics.syscall("tgkill").count()).as("the signal that interrupted it").isEqualTo(1);
    }
}
