package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Optional;

import io.github.kerneltrace.probes.metrics.HeapAllocation;
import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;

/**
 * When memory limits can be checked, and what explains their breaches: a heap figure is missing
 * on a JVM without per-thread counters and incomplete when threads ended early; native figures
 * exist only when counted, and an outstanding-bytes figure is explained by its blocks.
 */
enum MemoryLimitContext implements LimitContext {

    /** Heap bytes: not measured without the JVM's counters; a breach says which threads were left out. */
    HEAP {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            return metrics.memory().heap().supported() ? Optional.empty() : Optional.of(MemoryFamily.HEAP_UNSUPPORTED);
        }

        @Override
        public List<String> breachDetails(KernelMetrics metrics) {
            HeapAllocation heap = metrics.memory().heap();
            String uncounted = MemoryFamily.uncountedThreads(heap);
            return uncounted.isEmpty() ? List.of() : List.of(uncounted + ": the figure leaves out their allocation");
        }
    },

    /** Allocation counts and bytes: the number says everything, once counted. */
    NATIVE {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            return nativeNotCounted(metrics);
        }

        @Override
        public boolean needsNativeAllocations() {
            return true;
        }
    },

    /** Outstanding bytes: a breach lists the largest blocks. */
    NATIVE_OUTSTANDING {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            return nativeNotCounted(metrics);
        }

        @Override
        public boolean needsNativeAllocations() {
            return true;
        }

        @Override
        public List<String> breachDetails(KernelMetrics metrics) {
            return MemoryFamily.outstandingBlocks(metrics.memory().nativeAllocations());
        }
    };

    /**
     * Native figures are all 0 when not counted: a limit on them must not pass on that. A native
     * limit asks for the counting itself, so only a tracing backend that ignored the request gets here.
     */
    private static Optional<String> nativeNotCounted(KernelMetrics metrics) {
        NativeAllocationMetrics allocations = metrics.memory().nativeAllocations();
        return allocations.counted() ? Optional.empty()
                : Optional.of("the tracing backend did not count native allocations for this test");
    }
}
