package io.github.kerneltrace.benchmarks;

import java.time.Duration;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Cost of the scheduler (and system-call) programs on a context-switch-heavy workload: two threads
 * of a C process passing a byte through pipes (pingpong.c), nanoseconds per round trip:
 * untraced; traced (both threads, followed from the process's start, every metric on); and
 * bystander (programs attached for another thread, the workload not tracked). Rounds alternate
 * the modes; medians are reported.
 * Usage: {@code ContextSwitchOverhead <path of pingpong> [round trips] [rounds]}.
 */
public final class ContextSwitchOverhead {

    private enum Mode { UNTRACED, BYSTANDER, TRACED }

    public static void main(String[] args) throws Exception {
        String pingpong = args[0];
        long trips = args.length > 1 ? Long.parseLong(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        KernelTracer tracer = KernelTracer.shared();
        tracer.setDetachDelay(Duration.ZERO); // untraced rounds run with nothing attached
        run(pingpong, trips / 10, tracer, Mode.UNTRACED);
        AlternatingRounds.measureAndPrint(Mode.class, rounds, "pipe ping-pong, ns per round trip", "%8.0f",
                ContextSwitchOverhead::describe, mode -> run(pingpong, trips, tracer, mode));
    }

    private static String describe(Mode mode) {
        switch (mode) {
            case UNTRACED: return "(e) untraced, no program attached";
            case BYSTANDER: return "(e) other process while a test is traced";
            default: return "(e) traced: both threads, all metrics";
        }
    }

    private static double run(String pingpong, long trips, KernelTracer tracer, Mode mode) throws Exception {
        try (WorkloadProcess workload = new WorkloadProcess(pingpong, trips)) {
            TraceSlot slot = mode == Mode.UNTRACED ? null : tracer.openSlot();
            try {
                if (mode == Mode.TRACED) {
                    slot.trackThread(workload.pid(), true); // the responder thread is created after this
                } else if (mode == Mode.BYSTANDER) {
                    slot.trackThread(Threads.currentTid(), false);
                }
                if (slot != null) {
                    slot.start();
                }
                double nsPerTrip = workload.run();
                if (mode == Mode.TRACED) {
                    slot.stop();
                    KernelMetrics metrics = slot.metrics();
                    long reads = metrics.syscall("read").count();
                    if (reads < 2 * trips) {
                        throw new IllegalStateException("traced ping-pong made " + 2 * trips + " reads, slot counted " + reads);
                    }
                }
                return nsPerTrip;
            } finally {
                if (slot != null) {
                    slot.close();
                }
            }
        }
    }

    private ContextSwitchOverhead() {
    }
}
