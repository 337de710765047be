package io.github.kerneltrace.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.github.kerneltrace.probes.DeclaredProbe;
import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * (h) Cost of a declared user-space probe ({@code @UserProbe}: a uprobe and a uretprobe, hits and
 * entry-to-return latency): nanoseconds per call of a one-line C function (probe_target.c, loaded
 * with JNA; one JNA call runs the loop), beside bpftrace doing the same job (a uprobe and a
 * uretprobe for this process, the count and a latency histogram), in one run:
 * <ol>
 *   <li>untraced: nothing attached (these rounds loop 100 times as often);</li>
 *   <li>traced: a slot tracks this thread and declares the probe; it must count every call;</li>
 *   <li>other thread: the slot tracks another, idle thread: what the JVM's other threads pay;</li>
 *   <li>bpftrace: the same two probes, the count and a hist() of the latency; it must count every call.</li>
 * </ol>
 * Rounds alternate the modes; medians are reported. Then the one-off cost of declaring the probe
 * (attach, on an open slot) and of closing the slot (its links detached on the detach thread, so
 * off the test's path: the figure is the test thread's wait).
 * Usage: {@code DeclaredProbeOverhead <path of probe_target.so> [calls] [rounds]}.
 */
public final class DeclaredProbeOverhead {

    interface Target extends Library {
        double call_target(int count);
    }

    private static final int UNTRACED_FACTOR = 100;

    private enum Mode { UNTRACED, TRACED, OTHER_THREAD, BPFTRACE }

    public static void main(String[] args) throws Exception {
        String library = args[0];
        Target target = Native.load(library, Target.class);
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        KernelTracer tracer = KernelTracer.shared();
        tracer.setDetachDelay(Duration.ZERO);
        DeclaredProbe probe = DeclaredProbe.uprobe("target", List.of(library), "probe_target");
        int idleTid = IdleThread.start();

        target.call_target(calls * UNTRACED_FACTOR); // warm-up
        double[] medians = AlternatingRounds.measureAndPrint(Mode.class, rounds, "call of a probed C function, ns per call",
                "%8.1f", DeclaredProbeOverhead::describe, mode -> run(target, calls, tracer, probe, library, idleTid, mode));
        double untraced = medians[Mode.UNTRACED.ordinal()];
        System.out.printf("(h) added per call (uprobe + uretprobe, hits and latency): traced %+.0f ns, other thread %+.0f ns,"
                + " bpftrace %+.0f ns%n", medians[Mode.TRACED.ordinal()] - untraced,
                medians[Mode.OTHER_THREAD.ordinal()] - untraced, medians[Mode.BPFTRACE.ordinal()] - untraced);

        List<Double> declareMs = new ArrayList<>();
        List<Double> closeMs = new ArrayList<>();
        for (int cycle = 0; cycle < rounds; cycle++) {
            try (TraceSlot warm = tracer.openSlot()) { // the tracepoint families attached: only the probe's own cost below
                TraceSlot slot = tracer.openSlot();
                slot.trackThread(Threads.currentTid(), true);
                long start = System.nanoTime();
                slot.declareProbes(List.of(probe));
                declareMs.add((System.nanoTime() - start) / 1e6);
                start = System.nanoTime();
                slot.close();
                closeMs.add((System.nanoTime() - start) / 1e6);
            }
        }
        System.out.printf("(h) one @UserProbe (2 links), median of %d cycles: declare (attach) %.1f ms, close of its slot %.1f ms%n",
                rounds, AlternatingRounds.median(declareMs), AlternatingRounds.median(closeMs));
    }

    private static String describe(Mode mode) {
        switch (mode) {
            case UNTRACED: return "(h) untraced, nothing attached";
            case TRACED: return "(h) traced thread, @UserProbe";
            case OTHER_THREAD: return "(h) other thread, @UserProbe attached";
            default: return "(h) bpftrace uprobe+uretprobe, count+hist";
        }
    }

    private static double run(Target target, int calls, KernelTracer tracer, DeclaredProbe probe, String library,
                              int idleTid, Mode mode) throws Exception {
        if (mode == Mode.UNTRACED) {
            return target.call_target(calls * UNTRACED_FACTOR);
        }
        if (mode == Mode.BPFTRACE) {
            long pid = ProcessHandle.current().pid();
            // the same job: a uprobe and a uretprobe for this process, a count and a histogram of call times
            try (OtherTracers.Bpftrace bpftrace = new OtherTracers.Bpftrace(
                    "uprobe:" + library + ":probe_target /pid == " + pid + "/ { @calls = count(); @start[tid] = nsecs; } "
                    + "uretprobe:" + library + ":probe_target /@start[tid]/ { @latency = hist(nsecs - @start[tid]);"
                    + " delete(@start[tid]); }")) {
                double nsPerCall = target.call_target(calls);
                long counted = bpftrace.stopAndCount("calls");
                if (counted != calls) {
                    throw new IllegalStateException("bpftrace counted " + counted + " of " + calls + " calls");
                }
                return nsPerCall;
            }
        }
        try (TraceSlot slot = tracer.openSlot()) {
            slot.trackThread(mode == Mode.TRACED ? Threads.currentTid() : idleTid, true);
            slot.declareProbes(List.of(probe));
            slot.start();
            double nsPerCall = target.call_target(calls);
            slot.stop();
            ProbeMetrics counted = slot.metrics().probes().probe("target");
            long expected = mode == Mode.TRACED ? calls : 0;
            if (counted.hits() != expected || counted.latencyNanos().getTotalCount() != expected) {
                throw new IllegalStateException(mode + " round: " + calls + " calls, " + counted.hits() + " hits and "
                        + counted.latencyNanos().getTotalCount() + " latencies counted, expected " + expected);
            }
            return nsPerCall;
        }
    }

    private DeclaredProbeOverhead() {
    }
}
