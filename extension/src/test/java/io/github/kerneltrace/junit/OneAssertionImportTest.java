package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** One import serves KernelTrace's assertions and AssertJ's: this class compiles with it alone. */
class OneAssertionImportTest {

    @Test
    void kernelMetricsAndPlainValuesThroughTheSameImport() {
        assertThat(FakeTracingBackend.CANNED).hasSyscallCount("write", 3);
        assertThat(FakeTracingBackend.SCHEDULED).scheduler().hasAtMostVoluntarySwitches(10);
        assertThat(FakeTracingBackend.CANNED.syscalls()).containsKey("write"); // a map: AssertJ's
        assertThat(FakeTracingBackend.CANNED.totalSyscalls()).isEqualTo(7L);
        assertThat(List.of("write", "fsync")).contains("fsync");
    }
}
