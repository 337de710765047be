package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** The per-family assertions reached from {@code assertThat(metrics)}: same checks, descriptions and soft assertions carried over. */
class FamilyNavigationTest {

    private static final KernelMetrics METRICS = FakeTracingBackend.CANNED;
    private static final KernelMetrics SCHEDULED = FakeTracingBackend.SCHEDULED;
    private static final KernelMetrics MEMORY = FakeTracingBackend.MEMORY;
    private static final String TOP = "Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1";

    @Test
    void eachFamilyPassesWhenItsMetricsHold() {
        assertThatCode(() -> {
            assertThat(METRICS).syscall("write").hasCount(3).hasAtMostCalls(3).hasLatencyAtMost(99, "2ms");
            assertThat(METRICS).syscall("fdatasync").isNotCalled();
            assertThat(METRICS).syscalls().hasAtMostCalls(7).hasBytesWrittenAtMost("3B").hasBytesReadAtMost("0");
            assertThat(SCHEDULED).scheduler().hasAtMostVoluntarySwitches(10).hasRunQueueLatencyAtMost(99, "46us");
            assertThat(MEMORY).memory().hasHeapAllocationAtMost("20000320").hasNativeBytesOutstandingAtMost("4244");
        }).doesNotThrowAnyException();
    }

    @Test
    void eachFamilyFailsWithTheSameMessageAsTheFlatAssertion() {
        assertThatThrownBy(() -> assertThat(METRICS).syscall("write").hasCount(1))
                .hasMessage("Expected 1 write calls but the test made 3%n" + TOP, new Object[0]);
        assertThatThrownBy(() -> assertThat(METRICS).syscalls().hasAtMostCalls(6))
                .hasMessage("Expected at most 6 system calls but the test made 7%n" + TOP, new Object[0]);
        assertThatThrownBy(() -> assertThat(SCHEDULED).scheduler().hasAtMostVoluntarySwitches(3))
                .hasMessageStartingWith("Expected at most 3 voluntary context switches but the test blocked 10 times")
                .hasMessageContaining(TOP)
                .hasMessageEndingWith("Scheduler: 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms,"
                        + " run-queue p99 45.1us (12 waits), off-CPU 20.4ms");
        assertThatThrownBy(() -> assertThat(MEMORY).memory().hasNoNativeLeaks())
                .hasMessageStartingWith("Expected no native memory outstanding but the test left 4.1 KiB (4244 B) allocated")
                .hasMessageContaining("3 blocks outstanding, largest first:")
                .hasMessageContaining("Memory: heap 19.1 MiB");
    }

    @Test
    void anUnknownSystemCallFailsAtTheNavigation() {
        assertThatThrownBy(() -> assertThat(METRICS).syscall("wirte"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wirte");
    }

    @Test
    void theDescriptionCarriesOverToTheFamily() {
        assertThatThrownBy(() -> assertThat(SCHEDULED).as("worker").scheduler().migrations().isZero())
                .hasMessageContaining("[worker: CPU migrations (scheduler: 10 voluntary + 2 involuntary switches");
        assertThatThrownBy(() -> assertThat(METRICS).as("append").syscall("write").count().isLessThan(2))
                .hasMessageContaining("[append: write calls (top system calls: write 3 (3 B)");
        assertThatThrownBy(() -> assertThat(MEMORY).as("cache").memory().hasAtMostPageFaults(10))
                .hasMessageStartingWith("[cache] Expected at most 10 page faults but the test took 2012 (1 major)");
    }

    @Test
    void softAssertionsCollectEveryFamilysFailures() {
        KernelTraceSoftAssertions softly = new KernelTraceSoftAssertions();
        softly.assertThat(SCHEDULED).syscall("write").hasCount(1);
        softly.assertThat(SCHEDULED).scheduler().doesNotBlock().hasAtMostVoluntarySwitches(3);
        softly.assertThat(SCHEDULED).as("worker").scheduler().migrations().isZero();
        softly.assertThat(MEMORY).memory().hasNoNativeLeaks();
        softly.assertThat(MEMORY).hasAtMostPageFaults(10); // the flat form, collected too
        softly.assertThat(METRICS).syscall("write").hasCount(3); // passes: nothing collected
        softly.assertThat(List.of(1)).isEmpty(); // AssertJ's own, through the same object

        List<String> messages = softly.assertionErrorsCollected().stream().map(Throwable::getMessage).toList();
        org.assertj.core.api.Assertions.assertThat(messages).hasSize(7);
        org.assertj.core.api.Assertions.assertThat(messages.get(0)).startsWith("Expected 1 write calls but the test made 3");
        org.assertj.core.api.Assertions.assertThat(messages.get(1)).startsWith("Expected the test not to block but it blocked 10 times");
        org.assertj.core.api.Assertions.assertThat(messages.get(2)).startsWith("Expected at most 3 voluntary context switches");
        org.assertj.core.api.Assertions.assertThat(messages.get(3)).contains("[worker: CPU migrations (scheduler:");
        org.assertj.core.api.Assertions.assertThat(messages.get(4)).startsWith("Expected no native memory outstanding");
        org.assertj.core.api.Assertions.assertThat(messages.get(5)).startsWith("Expected at most 10 page faults");
        org.assertj.core.api.Assertions.assertThat(messages.get(6)).contains("Expecting empty");
        assertThatThrownBy(softly::assertAll).isInstanceOf(AssertionError.class);
    }

    @Test
    void aFamilyAssertCanBeProxiedByPlainSoftAssertions() {
        SoftAssertions softly = new SoftAssertions();
        softly.proxy(SchedulerAssert.class, KernelMetrics.class, SCHEDULED).doesNotBlock();
        softly.proxy(MemoryAssert.class, KernelMetrics.class, MEMORY).hasNoNativeLeaks();
        org.assertj.core.api.Assertions.assertThat(softly.assertionErrorsCollected()).hasSize(2);
    }
}
