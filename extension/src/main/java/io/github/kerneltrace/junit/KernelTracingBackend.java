package io.github.kerneltrace.junit;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.github.kerneltrace.probes.KernelSupport;
import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.ProbeFamily;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** Traced runs on the real kernel: one {@link TraceSlot} of the JVM-wide {@link KernelTracer} per run. */
final class KernelTracingBackend implements TracingBackend {

    @Override
    public Optional<String> unavailableReason() {
        KernelSupport support = KernelSupport.detect();
        return support.available() ? Optional.empty() : Optional.of(support.reason());
    }

    @Override
    public String kernelDescription() {
        return KernelSupport.detect().describe();
    }

    @Override
    public boolean countsThreadsOfThisJvm() {
        return true;
    }

    @Override
    public TraceRun open(CountingPlan plan) {
        int tid = Threads.currentTid();
        KernelTracer tracer = KernelTracer.shared();
        // A thread counts in one slot at a time, so tracing the whole process excludes all other slots.
        TraceSlot slot = plan.scope() == Scope.PROCESS ? tracer.openExclusiveSlot() : tracer.openSlot();
        try {
            if (plan.needsScheduler()) {
                // the kernel may have refused the scheduler programs alone: then say so, never count without them
                slot.require(ProbeFamily.SCHEDULER);
            }
            slot.recordLatency(plan.latency());
            if (plan.parallelExecution() && plan.scope() != Scope.PROCESS) {
                // The pool's other workers, woken or started when this test blocks, run other tests.
                // They share this thread's kernel name (ForkJoinPool-1-worker-3: "ForkJoinPool-1-").
                slot.excludeThreadsNamedLike(tid);
            }
            switch (plan.scope()) {
                case TEST -> slot.trackThread(tid, true, plan.followHandOffs());
                case THREAD -> slot.trackThread(tid, false);
                case PROCESS -> slot.trackProcess();
            }
            if (plan.nativeAllocations()) {
                // After tracking, before counting starts, as the slot requires; this attaches the
                // allocator uprobes unless another traced test already has.
                slot.countNativeAllocations();
            }
            if (plan.jvmEvents()) {
                // likewise: attaches HotSpot's USDT probes unless another traced test already has
                try {
                    slot.countJvmEvents();
                } catch (io.github.kerneltrace.probes.TracingUnavailableException e) {
                    throw new io.github.kerneltrace.probes.TracingUnavailableException(e.getMessage()
                            + " (asked for by @KernelTrace(jvmEvents = true) or a JVM-event limit such as @MaxGcPauses;"
                            + " without them the test runs with its other figures)", e);
                }
            }
            try {
                // after tracking, before counting starts: the links are this slot's, detached after it closes
                slot.declareProbes(plan.probes());
            } catch (IllegalArgumentException badDeclaration) {
                throw new KernelTraceConfigurationException(DeclaredProbes.attachFailure(plan.probes(), badDeclaration.getMessage()));
            }
        } catch (RuntimeException | Error e) {
            slot.close();
            throw e;
        }
        return new SlotRun(slot);
    }

    private record SlotRun(TraceSlot slot) implements TraceRun {

        @Override
        public void start() {
            slot.start();
        }

        @Override
        public void stop() {
            slot.stop();
        }

        @Override
        public KernelMetrics metrics() {
            return slot.metrics();
        }

        @Override
        public Set<Long> javaThreadIds() {
            Set<Long> ids = new HashSet<>();
            slot.countedThreadsOfThisJvm().forEach(tid -> ids.add((long) tid));
            return ids;
        }

        @Override
        public void close() {
            slot.close();
        }
    }
}
