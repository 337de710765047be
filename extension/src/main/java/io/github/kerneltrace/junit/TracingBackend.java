package io.github.kerneltrace.junit;

import java.util.Optional;

import io.github.kerneltrace.probes.TracingUnavailableException;

/**
 * Where traced runs come from. In production that is the kernel ({@link KernelTracingBackend});
 * this module's own tests substitute stand-ins to exercise the policy for machines that cannot
 * trace, which this machine cannot simulate otherwise.
 */
interface TracingBackend {

    /** Empty when tracing can run here, else one sentence saying why not. */
    Optional<String> unavailableReason();

    /** The tracing machinery in one line, for reports, e.g. {@code "libbpf 1.1.2, tp_btf, kernel 6.18.44"}. */
    String kernelDescription();

    /**
     * Opens a run that counts what {@code plan} says, relative to the calling thread. The run is
     * not counting yet.
     *
     * @throws TracingUnavailableException when tracing turns out not to work here, or a part the
     *                                     plan needs (native allocations, the scheduler programs)
     *                                     cannot be counted
     */
    TraceRun open(CountingPlan plan);

    /**
     * Whether its runs count real threads of this JVM, whose Java events the Flight Recorder can
     * show: a failing test's method is run once more for its call sites only then.
     */
    default boolean countsThreadsOfThisJvm() {
        return false;
    }
}
