package io.github.kerneltrace.junit;

import static io.github.kerneltrace.junit.KernelTraceAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

class KernelMetricsAssertTest {

    private static final KernelMetrics METRICS = FakeTracingBackend.CANNED;
    private static final KernelMetrics SCHEDULED = FakeTracingBackend.SCHEDULED;
    private static final KernelMetrics MEMORY = FakeTracingBackend.MEMORY;
    private static final String TOP = "Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1";

    @Test
    void passesWhenTheMetricsHold() {
        assertThatCode(() -> assertThat(METRICS)
                .hasSyscallCount("write", 3)
                .hasAtMostSyscalls("openat", 2)
                .doesNotCall("fdatasync")
                .hasSyscallLatencyAtMost("fsync", 99, "5ms")
                .hasBytesWrittenAtMost("3B")
                .hasBytesReadAtMost("0"))
                .doesNotThrowAnyException();
    }

    @Test
    void countFailureNamesTheSyscallAndListsTheTopCalls() {
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallCount("write", 1))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected 1 write calls but the test made 3%n" + TOP, new Object[0]);
    }

    @Test
    void conveniencesFailWithTheMeasuredValue() {
        assertThatThrownBy(() -> assertThat(METRICS).hasAtMostSyscalls("openat", 1))
                .hasMessageStartingWith("Expected at most 1 openat calls but the test made 2");
        assertThatThrownBy(() -> assertThat(METRICS).doesNotCall("lseek"))
                .hasMessageStartingWith("Expected no lseek calls but the test made 1");
        assertThatThrownBy(() -> assertThat(METRICS).hasNoSyscallErrors())
                .hasMessageStartingWith("Expected no failed system calls but 1 failed").hasMessageContaining(TOP);
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallLatencyAtMost("fsync", 99, "2ms"))
                .hasMessageStartingWith("Expected fsync p99 latency at most 2ms but it was 4.11ms");
        assertThatThrownBy(() -> assertThat(METRICS).hasBytesWrittenAtMost("2B"))
                .hasMessageStartingWith("Expected at most 2 B written but the test wrote 3 B");
    }

    @Test
    void metricAssertionsAreDescribedWithTheTopCalls() {
        assertThatThrownBy(() -> assertThat(METRICS).syscallCount("write").isLessThan(2))
                .hasMessageContaining("[write calls (top system calls: write 3 (3 B), openat 2");
        assertThatThrownBy(() -> assertThat(METRICS).totalSyscalls().isZero())
                .hasMessageContaining("[system calls (top system calls:");
        assertThatThrownBy(() -> assertThat(METRICS).syscallErrors("openat").isZero())
                .hasMessageContaining("[openat errors (");
        assertThatThrownBy(() -> assertThat(METRICS).bytesWritten().isEqualTo(4))
                .hasMessageContaining("[bytes written (");
        assertThatThrownBy(() -> assertThat(METRICS).bytesRead().isPositive())
                .hasMessageContaining("[bytes read (");
        assertThatThrownBy(() -> assertThat(METRICS).syscallLatency("fsync", 99).isLessThan(1_000_000))
                .hasMessageContaining("[fsync p99 latency in nanoseconds (");
    }

    @Test
    void schedulerConveniencesPassWhenTheMetricsHold() {
        // SCHEDULED: 10 voluntary and 2 involuntary switches, run-queue p99 45.1us.
        assertThatCode(() -> assertThat(SCHEDULED)
                .hasAtMostVoluntarySwitches(10)
                .hasRunQueueLatencyAtMost(99, "46us")
                .hasRunQueueLatencyAtMost(50, "5us"))
                .doesNotThrowAnyException();
        assertThatCode(() -> assertThat(METRICS).doesNotBlock()).as("a test without switches").doesNotThrowAnyException();
    }

    @Test
    void schedulerConveniencesFailWithTheMeasuredValueTheTopCallsAndTheScheduler() {
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasAtMostVoluntarySwitches(3))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected at most 3 voluntary context switches but the test blocked 10 times%n" + TOP
                        + "%n" + SchedulerLimitsTest.SCHEDULER_LINE, new Object[0]);
        assertThatThrownBy(() -> assertThat(SCHEDULED).doesNotBlock())
                .hasMessageStartingWith("Expected the test not to block but it blocked 10 times (off-CPU 20.4ms)")
                .hasMessageEndingWith(SchedulerLimitsTest.SCHEDULER_LINE);
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasRunQueueLatencyAtMost(100, "10us"))
                .hasMessageStartingWith("Expected run-queue p100 latency at most 10us but it was 45.1us");
    }

    @Test
    void schedulerMetricAssertionsAreDescribedWithWhatTheSchedulerDid() {
        String scheduler = "(scheduler: 10 voluntary + 2 involuntary switches, 1 migration, on-CPU 3.1ms,";
        assertThatThrownBy(() -> assertThat(SCHEDULED).voluntarySwitches().isLessThan(10))
                .hasMessageContaining("[voluntary context switches " + scheduler)
                .hasMessageContaining("off-CPU 20.4ms; top system calls: write 3 (3 B), openat 2")
                .hasMessageContaining("Expecting actual:%n  10L%nto be less than:%n  10L", new Object[0]);
        assertThatThrownBy(() -> assertThat(SCHEDULED).involuntarySwitches().isZero())
                .hasMessageContaining("[involuntary context switches " + scheduler);
        assertThatThrownBy(() -> assertThat(SCHEDULED).contextSwitches().isEqualTo(10))
                .hasMessageContaining("[context switches (scheduler:").hasMessageContaining("12L");
        assertThatThrownBy(() -> assertThat(SCHEDULED).migrations().isZero())
                .hasMessageContaining("[CPU migrations (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).onCpuNanos().isLessThan(3_000_000))
                .hasMessageContaining("[on-CPU time in nanoseconds (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).offCpuNanos().isLessThan(20_000_000))
                .hasMessageContaining("[off-CPU time in nanoseconds (scheduler:");
        assertThatThrownBy(() -> assertThat(SCHEDULED).runQueueLatency(99.9).isLessThan(10_000))
                .hasMessageContaining("[run-queue p99.9 latency in nanoseconds (scheduler:")
                .hasMessageContaining("45055");
        assertThatThrownBy(() -> assertThat(SCHEDULED).as("worker").migrations().isZero())
                .hasMessageContaining("[worker: CPU migrations (scheduler:");
    }

    @Test
    void memoryConveniencesPassWhenTheMetricsHold() {
        // MEMORY: 20,000,320 heap bytes; 6 native allocations of 7244 bytes, 4244 outstanding; 2012 faults; 8 MiB growth.
        assertThatCode(() -> assertThat(MEMORY)
                .hasHeapAllocationAtMost("20000320")
                .hasAtMostNativeAllocations(6)
                .hasNativeAllocatedBytesAtMost("7244")
                .hasNativeBytesOutstandingAtMost("4244")
                .hasAtMostPageFaults(2012)
                .hasAddressSpaceGrowthAtMost("8MiB"))
                .doesNotThrowAnyException();
        assertThatCode(() -> assertThat(MEMORY).minorFaults().isEqualTo(2011)).doesNotThrowAnyException();
    }

    @Test
    void memoryConveniencesFailWithTheMeasuredValueTheTopCallsAndTheMemoryFigures() {
        assertThatThrownBy(() -> assertThat(MEMORY).hasHeapAllocationAtMost("1MiB"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected at most 1.0 MiB (1048576 B) of heap allocation but the test allocated"
                        + " 19.1 MiB (20000320 B)%n" + TOP + "%n" + MemoryLimitsTest.MEMORY_LINE, new Object[0]);
        assertThatThrownBy(() -> assertThat(MEMORY).hasAtMostNativeAllocations(5))
                .hasMessageStartingWith("Expected at most 5 native allocations but the test made 6")
                .hasMessageEndingWith(MemoryLimitsTest.MEMORY_LINE);
        assertThatThrownBy(() -> assertThat(MEMORY).hasNativeAllocatedBytesAtMost("4KiB"))
                .hasMessageStartingWith("Expected at most 4.0 KiB (4096 B) of native allocation but the test allocated 7.1 KiB (7244 B)");
        assertThatThrownBy(() -> assertThat(MEMORY).hasNativeBytesOutstandingAtMost("4KiB"))
                .hasMessageStartingWith("Expected at most 4.0 KiB (4096 B) of native memory outstanding but the test left"
                        + " 4.1 KiB (4244 B) allocated");
        assertThatThrownBy(() -> assertThat(MEMORY).hasAtMostPageFaults(2000))
                .hasMessageStartingWith("Expected at most 2000 page faults but the test took 2012 (1 major)");
        assertThatThrownBy(() -> assertThat(MEMORY).hasAddressSpaceGrowthAtMost("1MiB"))
                .hasMessageStartingWith("Expected the address space to grow by at most 1.0 MiB (1048576 B) but it grew by 8.0 MiB (8388608 B)");
    }

    @Test
    void noNativeLeaksListsTheLargestOutstandingBlocks() {
        assertThatThrownBy(() -> assertThat(MEMORY).hasNoNativeLeaks())
                .isInstanceOf(AssertionError.class)
                .hasMessage("Expected no native memory outstanding but the test left 4.1 KiB (4244 B) allocated%n"
                        + "  3 blocks outstanding, largest first:%n"
                        + "    4.0 KiB (4096 B) from malloc at 0x7f0000001000 on thread 4242 (main)%n"
                        + "    100 B from calloc at 0x7f0000002000 on thread 4250 (ended)%n"
                        + "    48 B from malloc at 0x7f0000003000 on thread 4242 (main)%n"
                        + TOP + "%n" + MemoryLimitsTest.MEMORY_LINE, new Object[0]);
    }

    @Test
    void memoryMetricAssertionsAreDescribedWithTheMemoryFigures() {
        String memory = "(memory: heap 19.1 MiB (2 threads; 1 thread the test started ended before the test did and was not counted),";
        assertThatThrownBy(() -> assertThat(MEMORY).heapAllocatedBytes().isLessThan(1))
                .hasMessageContaining("[heap bytes allocated " + memory)
                .hasMessageContaining("; top system calls: write 3 (3 B)")
                .hasMessageContaining("20000320L");
        assertThatThrownBy(() -> assertThat(MEMORY).nativeAllocations().isZero())
                .hasMessageContaining("[native allocations (memory:");
        assertThatThrownBy(() -> assertThat(MEMORY).nativeAllocatedBytes().isZero())
                .hasMessageContaining("[native bytes allocated (memory:");
        assertThatThrownBy(() -> assertThat(MEMORY).nativeBytesOutstanding().isZero())
                .hasMessageContaining("[native bytes outstanding (memory:").hasMessageContaining("4244L");
        assertThatThrownBy(() -> assertThat(MEMORY).pageFaults().isZero())
                .hasMessageContaining("[page faults (memory:").hasMessageContaining("2012L");
        assertThatThrownBy(() -> assertThat(MEMORY).majorFaults().isZero())
                .hasMessageContaining("[major page faults (memory:");
        assertThatThrownBy(() -> assertThat(MEMORY).addressSpaceGrowthBytes().isNegative())
                .hasMessageContaining("[address-space growth in bytes (memory:");
        assertThatThrownBy(() -> assertThat(MEMORY).as("cache").minorFaults().isZero())
                .hasMessageContaining("[cache: minor page faults (memory:");
    }

    @Test
    void memoryAssertionsOnFiguresThatWereNotMeasuredFailInsteadOfComparingAZero() {
        // CANNED did not count native allocations.
        String notCounted = "Native allocations cannot be checked: native allocations were not counted for this test;"
                + " turn counting on with @KernelTrace(nativeAllocations = true) or a native-allocation limit";
        assertThatThrownBy(() -> assertThat(METRICS).hasNoNativeLeaks()).hasMessage(notCounted);
        assertThatThrownBy(() -> assertThat(METRICS).hasAtMostNativeAllocations(100)).hasMessage(notCounted);
        assertThatThrownBy(() -> assertThat(METRICS).nativeAllocations()).hasMessage(notCounted);
        KernelMetrics withoutHeapCounters = new KernelMetrics(List.of(), 0, 0, KernelMetrics.Diagnostics.NONE,
                SchedulerMetrics.NONE, new MemoryMetrics(HeapAllocation.UNSUPPORTED, NativeAllocationMetrics.NOT_COUNTED, 0, 0, 0, 0));
        assertThatThrownBy(() -> assertThat(withoutHeapCounters).hasHeapAllocationAtMost("1GiB"))
                .hasMessage("Heap allocation was not measured: " + MemoryFamily.HEAP_UNSUPPORTED);
        assertThatThrownBy(() -> assertThat(withoutHeapCounters).heapAllocatedBytes())
                .hasMessageStartingWith("Heap allocation was not measured: this JVM cannot count heap allocation per thread");
    }

    @Test
    void malformedSizesAreBugsInTheTest() {
        assertThatThrownBy(() -> assertThat(MEMORY).hasHeapAllocationAtMost("10 megs"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed size \"10 megs\"");
    }

    @Test
    void badPercentilesAndDurationsAreBugsInTheTest() {
        assertThatThrownBy(() -> assertThat(SCHEDULED).runQueueLatency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("percentile 0.0 is outside (0, 100]; use e.g. 99 or 99.9");
        assertThatThrownBy(() -> assertThat(SCHEDULED).hasRunQueueLatencyAtMost(99, "soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("malformed duration \"soon\"");
    }

    @Test
    void anUnknownSyscallNameIsABugInTheTest() {
        assertThatThrownBy(() -> assertThat(METRICS).hasSyscallCount("wrtie", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown system call \"wrtie\"");
    }
}
