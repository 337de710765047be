package io.github.kerneltrace.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.NativeAllocator;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.NativeFunction;

/**
 * (f) Cost of counting native allocations: nanoseconds per malloc+free pair of 64 bytes, done by a
 * C loop in this JVM (alloc_churn.c, loaded with JNA: the uprobes go into this process's C library,
 * and one JNA call runs the whole loop). Modes, side by side in one run:
 * <ol>
 *   <li>untraced: no uprobe attached (these rounds loop 100 times as often: a pair takes ~10 ns);</li>
 *   <li>floor: do-nothing BPF programs (floor.bpf.c) on the three places a pair hits, malloc's entry
 *       and return and free's entry: what the kernel's uprobe mechanism costs before any work;</li>
 *   <li>bystander: a slot counts native allocations (of another, idle thread), so KernelTrace's
 *       uprobes are attached, but the calling thread is not tracked: what every other thread of the
 *       JVM pays;</li>
 *   <li>traced: the calling thread is tracked by a slot that counts native allocations; the slot
 *       must have counted every pair.</li>
 * </ol>
 * Rounds alternate the modes; medians are reported. Then the one-off cost of attaching the uprobes
 * ({@code countNativeAllocations()} on an open slot while they are not attached) and of detaching
 * them (closing that slot with detach delay 0), median of several cycles.
 * Usage: {@code NativeAllocationOverhead <path of alloc_churn.so> <path of floor.bpf.o> [pairs] [rounds]}.
 */
public final class NativeAllocationOverhead {

    /** The C loop: {@code count} times malloc(size), touch, free; returns nanoseconds per pair. */
    interface Churn extends Library {
        double churn(int count, long size);
    }

    private static final long SIZE = 64;
    private static final int UNTRACED_FACTOR = 100;

    private enum Mode { UNTRACED, FLOOR, BYSTANDER, TRACED }

    public static void main(String[] args) throws Exception {
        Churn churn = Native.load(args[0], Churn.class);
        BpfObject floor = FloorPrograms.load(args[1]);
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 9;
        KernelTracer tracer = KernelTracer.shared();
        tracer.setDetachDelay(Duration.ZERO); // untraced rounds run with nothing attached
        String library = tracer.allocatorLibrary();
        int idleTid = IdleThread.start();

        churn.churn(pairs * UNTRACED_FACTOR, SIZE); // warm-up: allocator, CPU frequency
        double[] medians = AlternatingRounds.measureAndPrint(Mode.class, rounds, "malloc+free (64 B), ns per pair", "%8.1f",
                NativeAllocationOverhead::describe, mode -> run(churn, pairs, tracer, floor, library, idleTid, mode));
        double untraced = medians[Mode.UNTRACED.ordinal()];
        double traced = medians[Mode.TRACED.ordinal()];
        System.out.printf("(f) added per pair (3 probe hits): traced %+.0f ns (%.0fx), other thread %+.0f ns,"
                + " floor %+.0f ns%n", traced - untraced, traced / untraced,
                medians[Mode.BYSTANDER.ordinal()] - untraced, medians[Mode.FLOOR.ordinal()] - untraced);

        List<Double> attachMs = new ArrayList<>();
        List<Double> detachMs = new ArrayList<>();
        for (int cycle = 0; cycle < rounds; cycle++) {
            attachOnce(tracer, attachMs, detachMs);
        }
        System.out.printf("(f) allocator uprobes (11 on 6 functions), median of %d cycles: attach %.1f ms, detach %.1f ms%n",
                rounds, AlternatingRounds.median(attachMs), AlternatingRounds.median(detachMs));
    }

    private static String describe(Mode mode) {
        switch (mode) {
            case UNTRACED: return "(f) untraced, no uprobe attached";
            case FLOOR: return "    floor: do-nothing uprobes, same 3 hits";
            case BYSTANDER: return "(f) other thread, uprobes attached";
            default: return "(f) traced thread, native allocations";
        }
    }

    private static double run(Churn churn, int pairs, KernelTracer tracer, BpfObject floor, String library, int idleTid,
                              Mode mode) {
        if (mode == Mode.UNTRACED || mode == Mode.FLOOR) {
            if (tracer.uprobesAttached() || tracer.attached()) {
                throw new IllegalStateException("KernelTrace's programs still attached during a " + mode + " round");
            }
            if (mode == Mode.UNTRACED) {
                return churn.churn(pairs * UNTRACED_FACTOR, SIZE);
            }
            try {
                floor.attachUprobe("floor_uretprobe", library, "malloc", 0, true);
                floor.attachUprobe("floor_uprobe", library, "malloc", 0, false);
                floor.attachUprobe("floor_uprobe", library, "free", NativeAllocator.freeProbeOffset(), false); // where KernelTrace probes it
                return churn.churn(pairs, SIZE);
            } finally {
                floor.detachUprobes();
            }
        }
        try (TraceSlot slot = tracer.openSlot()) {
            slot.trackThread(mode == Mode.TRACED ? Threads.currentTid() : idleTid, true);
            slot.countNativeAllocations();
            if (!tracer.uprobesAttached()) {
                throw new IllegalStateException("countNativeAllocations() left the uprobes detached");
            }
            slot.start();
            double nsPerPair = churn.churn(pairs, SIZE);
            slot.stop();
            NativeAllocationMetrics counted = slot.metrics().memory().nativeAllocations();
            long mallocs = counted.calls(NativeFunction.MALLOC);
            long frees = counted.calls(NativeFunction.FREE);
            if (mode == Mode.TRACED && (mallocs < pairs || frees < pairs)) {
                throw new IllegalStateException("traced loop made " + pairs + " malloc+free pairs, slot counted "
                        + mallocs + " mallocs and " + frees + " frees");
            }
            if (mode == Mode.BYSTANDER && mallocs >= pairs) {
                throw new IllegalStateException("the bystander round counted the untracked loop's " + mallocs + " mallocs");
            }
            return nsPerPair;
        }
    }

    /**
     * Opens a slot (the system-call and scheduler programs attach), then times attaching the uprobes
     * alone, and closing the slot (detaching them, and the other programs, ~1 ms of it).
     */
    private static void attachOnce(KernelTracer tracer, List<Double> attachMs, List<Double> detachMs) {
        if (tracer.uprobesAttached()) {
            throw new IllegalStateException("uprobes still attached before an attach cycle");
        }
        TraceSlot slot = tracer.openSlot();
        try {
            long start = System.nanoTime();
            slot.countNativeAllocations();
            attachMs.add((System.nanoTime() - start) / 1e6);
            if (!tracer.uprobesAttached()) {
                throw new IllegalStateException("countNativeAllocations() left the uprobes detached");
            }
        } finally {
            long start = System.nanoTime();
            slot.close();
            detachMs.add((System.nanoTime() - start) / 1e6);
        }
        if (tracer.uprobesAttached()) {
            throw new IllegalStateException("uprobes still attached after the last slot closed (detach delay 0)");
        }
    }

    private NativeAllocationOverhead() {
    }
}
