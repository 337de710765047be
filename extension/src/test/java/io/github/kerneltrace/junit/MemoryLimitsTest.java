package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.TestAbortedException;

import io.github.kerneltrace.probes.TracingUnavailableException;
import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.MemoryMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;

/**
 * The memory limits against fixed metrics ({@link FakeTracingBackend#MEMORY}): parsing, which
 * tests fail and with what message, which tests count native allocations, reports. The same
 * limits on the real kernel are in {@link RealKernelMemoryTest}.
 */
class MemoryLimitsTest {

    static final String MEMORY_LINE = "Memory: heap 19.1 MiB (2 threads; 1 thread the test started ended before the test"
            + " did and was not counted), native 6 allocations of 7.1 KiB, 3 outstanding (4.1 KiB),"
            + " 2011 minor + 1 major page faults, mapped 8.0 MiB, unmapped 4.0 KiB";
    /** The outstanding blocks under a breach of an outstanding-bytes limit. */
    static final String BLOCKS = "      3 blocks outstanding, largest first:\n"
            + "        4.0 KiB (4096 B) from malloc at 0x7f0000001000 on thread 4242 (main)\n"
            + "        100 B from calloc at 0x7f0000002000 on thread 4250 (ended)\n"
            + "        48 B from malloc at 0x7f0000003000 on thread 4242 (main)";
    static final String TOP = "Top system calls: write 3 (3 B), openat 2 (1 error: ENOENT 1), fsync 1, lseek 1";

    @Test
    void listsEveryBreachedMemoryLimitWithTheLeakedBlocksThenTheTopCallsAndTheMemoryFigures() {
        EngineExecutionResults results = Fixtures.run(Measured.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "breachesAll"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessage("""
                        KernelTrace limits exceeded in Measured.breachesAll() [scope TEST]:
                          - heap allocated: limit 1.0 MiB (1048576 B), measured 19.1 MiB (20000320 B)  (@MaxHeapAllocation("1MiB"))
                              1 thread the test started ended before the test did and was not counted: the figure leaves out their allocation
                          - native allocations: limit 5, measured 6  (@MaxNativeAllocations(5))
                          - native bytes allocated: limit 4.0 KiB (4096 B), measured 7.1 KiB (7244 B)  (@MaxNativeAllocatedBytes("4KiB"))
                          - native bytes outstanding: limit 4.0 KiB (4096 B), measured 4.1 KiB (4244 B)  (@MaxNativeOutstanding("4KiB"))
                        """ + BLOCKS + """

                          - native bytes outstanding: limit 0 B, measured 4.1 KiB (4244 B)  (@NoNativeLeaks)
                        """ + BLOCKS + """

                          - page faults: limit 2000, measured 2012  (@MaxPageFaults(2000))
                          - major page faults: limit 0, measured 1  (@MaxPageFaults(value = 0, kind = MAJOR))
                          - minor page faults: limit 2010, measured 2011  (@MaxPageFaults(value = 2010, kind = MINOR))
                          - address-space growth: limit 1.0 MiB (1048576 B), measured 8.0 MiB (8388608 B)  (@MaxAddressSpaceGrowth("1MiB"))
                        """ + TOP + "\n" + MEMORY_LINE);
    }

    @Test
    void passesWithinLimitsAndTheLimitIsInclusive() {
        EngineExecutionResults results = Fixtures.run(Measured.class);

        assertThat(Fixtures.statusOf(results.testEvents(), "withinLimits")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void aNativeLimitAloneCountsNativeAllocationsAndOnlyTestsThatAskCountThem(@TempDir Path reports) throws Exception {
        FakeTracingBackend backend = NativeRequests.TRACING_BACKEND;
        int before = backend.openedCountingNative.get();
        Fixtures.run(NativeRequests.class, Map.of("kerneltrace.reportDir", reports.toString()));

        assertThat(backend.openedCountingNative.get() - before).as("runs that counted native allocations").isEqualTo(3);
        String prefix = NativeRequests.class.getName();
        assertThat(Files.readString(reports.resolve(prefix + ".limitAsks.json"))).contains("\"native\": {");
        assertThat(Files.readString(reports.resolve(prefix + ".flagAsks.json"))).contains("\"native\": {");
        assertThat(Files.readString(reports.resolve(prefix + ".composedLimitAsks.json"))).contains("\"native\": {");
        assertThat(Files.readString(reports.resolve(prefix + ".nobodyAsks.json"))).contains("\"native\": null,");
    }

    @Test
    void classAndComposedNativeLimitsApplyAndCount() {
        EngineExecutionResults results = Fixtures.run(NativeRequests.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "limitAsks"))
                .hasMessageContaining("- native bytes outstanding: limit 0 B, measured 4.1 KiB (4244 B)  (@NoNativeLeaks)");
        assertThat(Fixtures.throwableOf(results.testEvents(), "composedLimitAsks"))
                .hasMessageStartingWith("KernelTrace limits exceeded in NativeRequests.composedLimitAsks() [scope THREAD]:")
                .hasMessageContaining("- native allocations: limit 1, measured 6  (@MaxNativeAllocations(1))");
        assertThat(Fixtures.statusOf(results.testEvents(), "nobodyAsks")).isEqualTo(Status.SUCCESSFUL);
        assertThat(Fixtures.statusOf(results.testEvents(), "flagAsks")).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void aLimitTheMetricsCannotMeasureFailsSayingWhyInsteadOfPassing() {
        EngineExecutionResults results = Fixtures.run(NotMeasurable.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "heapLimitWithoutHeapCounters"))
                .isInstanceOf(KernelLimitExceededError.class)
                .hasMessage("KernelTrace limits exceeded or not measured in NotMeasurable.heapLimitWithoutHeapCounters()"
                        + " [scope TEST]:\n"
                        + "  - heap allocated: limit 1.0 GiB (1073741824 B), not measured: this JVM cannot count heap"
                        + " allocation per thread (com.sun.management.ThreadMXBean#isThreadAllocatedMemorySupported() is false);"
                        + " remove the heap limit or run the tests on a JVM that counts it, such as HotSpot"
                        + "  (@MaxHeapAllocation(\"1GiB\"))\n"
                        + "Top system calls: none\n"
                        + "Memory: heap not counted (unsupported by this JVM), native allocations not counted,"
                        + " 0 minor + 0 major page faults, mapped 0 B, unmapped 0 B");
        assertThat(Fixtures.throwableOf(results.testEvents(), "nativeLimitTheBackendDidNotCount"))
                .hasMessageContaining("- native bytes outstanding: limit 0 B, not measured: the tracing backend did not"
                        + " count native allocations for this test  (@NoNativeLeaks)");
    }

    @Test
    void aTestThatAsksForNativeAllocationsWhereTheyCannotBeCountedIsSkippedOrFailedWithTheReason() {
        EngineExecutionResults skipped = Fixtures.run(NativeRefused.class);
        EngineExecutionResults failed = Fixtures.run(NativeRefused.class, Map.of("kerneltrace.require", "true"));

        assertThat(Fixtures.throwableOf(skipped.testEvents(), "leakFree"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageStartingWith("KernelTrace cannot trace here: native allocations cannot be counted:"
                        + " no C library allocator found in this process. ");
        assertThat(Fixtures.throwableOf(failed.testEvents(), "leakFree"))
                .isInstanceOf(TracingUnavailableException.class)
                .hasMessageContaining("fails because kerneltrace.require=true");
        assertThat(Fixtures.statusOf(skipped.testEvents(), "heapOnly")).as("the uprobes are not needed").isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void badInputFailsOnlyThatTestBeforeItRunsNamingAnnotationValueAndWhatIsAccepted() {
        EngineExecutionResults results = Fixtures.run(BadInput.class);

        results.testEvents().assertStatistics(stats -> stats.started(7).succeeded(1).failed(6));
        String sizes = "use a number and an optional unit: B, KB, KiB, MB, MiB, GB, GiB"
                + " (KB = 1000 bytes, KiB = 1024 bytes; e.g. \"64KiB\", \"512KB\")";
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedHeap"))
                .isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@MaxHeapAllocation(value = \"10 megs\") on BadInput.malformedHeap(): malformed size \"10 megs\"; " + sizes);
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativeNativeAllocations")).hasMessage(
                "@MaxNativeAllocations(value = -1) on BadInput.negativeNativeAllocations(): negative limit -1; use 0 or more");
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativePageFaults")).hasMessage(
                "@MaxPageFaults(value = -2) on BadInput.negativePageFaults(): negative limit -2; use 0 or more");
        assertThat(Fixtures.throwableOf(results.testEvents(), "malformedOutstanding")).hasMessage(
                "@MaxNativeOutstanding(value = \"64k\") on BadInput.malformedOutstanding(): malformed size \"64k\"; " + sizes);
        assertThat(Fixtures.throwableOf(results.testEvents(), "negativeGrowth")).hasMessage(
                "@MaxAddressSpaceGrowth(value = \"-1MiB\") on BadInput.negativeGrowth(): malformed size \"-1MiB\"; " + sizes);
        assertThat(Fixtures.throwableOf(results.testEvents(), "everyProblemListed").getMessage().lines())
                .containsExactly(
                        "@MaxNativeAllocatedBytes(value = \"lots\") on BadInput.everyProblemListed(): malformed size \"lots\"; " + sizes,
                        "@MaxPageFaults(value = -3) on BadInput.everyProblemListed(): negative limit -3; use 0 or more");
        assertThat(BadInput.bodiesRun).as("bad tests must not run; the good one must").containsExactly("good");
        assertThat(BadInput.TRACING_BACKEND.opened).as("no slot for a test that cannot run").hasValue(1);
    }

    @Test
    void theJsonReportHasTheMemoryObjectAndTheMemoryLimits(@TempDir Path reports) throws Exception {
        Fixtures.run(Measured.class, Map.of("kerneltrace.reportDir", reports.toString()));

        String json = Files.readString(reports.resolve(Measured.class.getName() + ".breachesAll.json"));
        // Sizes 48, 100, 3 × 1000 and 4096 in the histogram of 2 significant digits: each bucket's top is shown.
        assertThat(json)
                .contains("\"schemaVersion\": 5,")
                .contains("""
                          "memory": {
                            "heap": {
                              "allocatedBytes": 20000320,
                              "threadsCounted": 2,
                              "threadsNotCounted": 1,
                              "supported": true
                            },
                            "native": {
                              "calls": {
                                "malloc": 5,
                                "calloc": 1,
                                "realloc": 0,
                                "free": 3,
                                "posix_memalign": 0,
                                "aligned_alloc": 0
                              },
                              "allocations": 6,
                              "allocatedBytes": 7244,
                              "frees": 3,
                              "freedBytes": 3000,
                              "outstandingAllocations": 3,
                              "outstandingBytes": 4244,
                              "failedAllocations": 0,
                              "lostAllocations": 0,
                              "sizeBytes": {
                                "count": 6,
                                "min": 48,
                                "p50": 1003,
                                "p90": 4127,
                                "p99": 4127,
                                "p999": 4127,
                                "max": 4127,
                                "mean": 1211.0
                              },
                              "largestOutstanding": [
                                {
                                  "address": "0x7f0000001000",
                                  "bytes": 4096,
                                  "function": "malloc",
                                  "tid": 4242,
                                  "thread": "main"
                                },
                                {
                                  "address": "0x7f0000002000",
                                  "bytes": 100,
                                  "function": "calloc",
                                  "tid": 4250,
                                  "thread": ""
                                },
                                {
                                  "address": "0x7f0000003000",
                                  "bytes": 48,
                                  "function": "malloc",
                                  "tid": 4242,
                                  "thread": "main"
                                }
                              ]
                            },
                            "pageFaults": {
                              "minor": 2011,
                              "major": 1,
                              "total": 2012
                            },
                            "addressSpace": {
                              "mappedBytes": 8392704,
                              "unmappedBytes": 4096,
                              "growthBytes": 8388608
                            }
                          },
                          "jvm": null,
                          "limits": [
                        """)
                .containsPattern("\\{\\s+\"metric\": \"memory.heap.allocatedBytes\",\\s+"
                        + "\"declaration\": \"@MaxHeapAllocation\\(\\\\\"1MiB\\\\\"\\)\",\\s+"
                        + "\"unit\": \"bytes\",\\s+\"limit\": 1048576,\\s+\"measured\": 20000320,\\s+\"breached\": true\\s+}")
                .containsPattern("\"metric\": \"memory.native.allocations\",\\s+[^}]*\"unit\": \"count\",\\s+"
                        + "\"limit\": 5,\\s+\"measured\": 6,")
                .containsPattern("\"metric\": \"memory.native.outstandingBytes\",\\s+\"declaration\": \"@NoNativeLeaks\",\\s+"
                        + "\"unit\": \"bytes\",\\s+\"limit\": 0,\\s+\"measured\": 4244,")
                .contains("\"metric\": \"memory.native.allocatedBytes\",")
                .contains("\"metric\": \"memory.pageFaults.total\",")
                .contains("\"metric\": \"memory.pageFaults.major\",")
                .contains("\"metric\": \"memory.pageFaults.minor\",")
                .contains("\"metric\": \"memory.addressSpace.growthBytes\",")
                .doesNotContain("notMeasured");
    }

    @Test
    void theJsonReportSaysWhyALimitWasNotMeasured(@TempDir Path reports) throws Exception {
        Fixtures.run(NotMeasurable.class, Map.of("kerneltrace.reportDir", reports.toString()));

        String json = Files.readString(reports.resolve(NotMeasurable.class.getName() + ".heapLimitWithoutHeapCounters.json"));
        assertThat(json)
                .contains("\"supported\": false")
                .containsPattern("\"metric\": \"memory.heap.allocatedBytes\",[^}]*\"measured\": 0,\\s+\"breached\": true,\\s+"
                        + "\"notMeasured\": \"this JVM cannot count heap allocation per thread");
    }

    @Test
    void publishesMemoryReportEntries() {
        EngineExecutionResults results = Fixtures.run(Measured.class);

        Map<String, String> entries = results.testEvents().reportingEntryPublished()
                .filter(event -> event.getTestDescriptor().getDisplayName().equals("withinLimits()"))
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .findFirst().orElseThrow();
        assertThat(entries)
                .containsEntry("kerneltrace.memory.heapAllocatedBytes", "20000320")
                .containsEntry("kerneltrace.memory.heapThreadsNotCounted", "1")
                .containsEntry("kerneltrace.memory.nativeAllocations", "6")
                .containsEntry("kerneltrace.memory.nativeOutstandingBytes", "4244")
                .containsEntry("kerneltrace.memory.minorFaults", "2011")
                .containsEntry("kerneltrace.memory.majorFaults", "1")
                .containsEntry("kerneltrace.memory.mappedBytes", "8392704")
                .containsEntry("kerneltrace.memory.unmappedBytes", "4096");
        assertThat(List.copyOf(entries.keySet())).last().as("the breach count stays last").isEqualTo("kerneltrace.limits.breached");
    }

    @Tag("fixture")
    @KernelTrace
    static class Measured {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.MEMORY));

        @Test
        @MaxHeapAllocation("1MiB")
        @MaxNativeAllocations(5)
        @MaxNativeAllocatedBytes("4KiB")
        @MaxNativeOutstanding("4KiB")
        @NoNativeLeaks
        @MaxPageFaults(2000)
        @MaxPageFaults(value = 0, kind = FaultKind.MAJOR)
        @MaxPageFaults(value = 2010, kind = FaultKind.MINOR)
        @MaxAddressSpaceGrowth("1MiB")
        void breachesAll() {
        }

        @Test
        @MaxHeapAllocation("20000320")
        @MaxNativeAllocations(6)
        @MaxNativeAllocatedBytes("7244")
        @MaxNativeOutstanding("4244")
        @MaxPageFaults(2012)
        @MaxPageFaults(value = 1, kind = FaultKind.MAJOR)
        @MaxPageFaults(value = 2011, kind = FaultKind.MINOR)
        @MaxAddressSpaceGrowth("8MiB")
        void withinLimits() {
        }
    }

    @KernelTrace(scope = Scope.THREAD)
    @MaxNativeAllocations(1)
    @Retention(RetentionPolicy.RUNTIME)
    @interface FewNativeAllocations {
    }

    @Tag("fixture")
    @KernelTrace
    static class NativeRequests {

        static final FakeTracingBackend TRACING_BACKEND = FakeTracingBackend.measuring(FakeTracingBackend.MEMORY);

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(TRACING_BACKEND);

        @Test
        @NoNativeLeaks
        void limitAsks() {
        }

        @Test
        @FewNativeAllocations
        void composedLimitAsks() {
        }

        @Test
        @KernelTrace(nativeAllocations = true)
        void flagAsks() {
        }

        @Test
        @MaxHeapAllocation("64MiB")
        @MaxPageFaults(3000)
        void nobodyAsks() {
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class NotMeasurable {

        /** A JVM without per-thread heap counters, and a backend that did not count native allocations although asked. */
        static final KernelMetrics UNMEASURED = new KernelMetrics(List.of(), 0, 0, KernelMetrics.Diagnostics.NONE,
                SchedulerMetrics.NONE, new MemoryMetrics(HeapAllocation.UNSUPPORTED, NativeAllocationMetrics.NOT_COUNTED,
                0, 0, 0, 0));

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(UNMEASURED));

        @Test
        @MaxHeapAllocation("1GiB")
        void heapLimitWithoutHeapCounters() {
        }

        @Test
        @NoNativeLeaks
        void nativeLimitTheBackendDidNotCount() {
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class NativeRefused {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(new FakeTracingBackend.RefusingNativeAllocations());

        @Test
        @NoNativeLeaks
        void leakFree() {
        }

        @Test
        @MaxHeapAllocation("64MiB")
        void heapOnly() {
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class BadInput {

        static final FakeTracingBackend TRACING_BACKEND = FakeTracingBackend.measuring(FakeTracingBackend.MEMORY);
        static final List<String> bodiesRun = new java.util.concurrent.CopyOnWriteArrayList<>();

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(TRACING_BACKEND);

        @Test
        @MaxHeapAllocation("10 megs")
        void malformedHeap() {
            bodiesRun.add("malformedHeap");
        }

        @Test
        @MaxNativeAllocations(-1)
        void negativeNativeAllocations() {
            bodiesRun.add("negativeNativeAllocations");
        }

        @Test
        @MaxPageFaults(value = -2, kind = FaultKind.MINOR)
        void negativePageFaults() {
            bodiesRun.add("negativePageFaults");
        }

        @Test
        @MaxNativeOutstanding("64k")
        void malformedOutstanding() {
            bodiesRun.add("malformedOutstanding");
        }

        @Test
        @MaxAddressSpaceGrowth("-1MiB")
        void negativeGrowth() {
            bodiesRun.add("negativeGrowth");
        }

        @Test
        @MaxNativeAllocatedBytes("lots")
        @MaxPageFaults(-3)
        void everyProblemListed() {
            bodiesRun.add("everyProblemListed");
        }

        @Test
        @MaxHeapAllocation("1GiB")
        @MaxNativeOutstanding("1MiB")
        @MaxPageFaults(5000)
        void good() {
            bodiesRun.add("good");
        }
    }
}
