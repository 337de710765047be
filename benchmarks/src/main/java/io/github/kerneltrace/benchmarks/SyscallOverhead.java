package io.github.kerneltrace.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;
import io.github.kerneltrace.probes.libbpf.BpfObject;

/**
 * Per-call cost of a cheap system call ({@code getppid} in a C loop, see syscall_loop.c), measured
 * side by side in one run:
 * <ol>
 *   <li>untraced: no program attached;</li>
 *   <li>floor: two do-nothing programs on the same tracepoints (floor.bpf.c): the cost of any
 *       program there, before it does work;</li>
 *   <li>floor with a clock read in each: what timing a call costs at least on this machine, the
 *       part of KernelTrace's latency figure no bookkeeping can save;</li>
 *   <li>bystander: a slot is open for another thread, so the programs are attached, but the loop's
 *       process is not tracked: what every other process on the host pays while a test is traced;</li>
 *   <li>KernelTrace: the loop's own thread is tracked by a slot, counts only, then with latency;</li>
 *   <li>the tools users would otherwise pick: bpftrace counting by system call for the loop's
 *       thread id, and {@code strace -c -f} (on fewer calls: it is about a hundred times slower).</li>
 * </ol>
 * Every tracer's count is checked against the calls made. The modes alternate round by round so
 * that drifts of the machine hit them alike; the median of the rounds is reported, with its
 * difference to the floor.
 * Usage: {@code SyscallOverhead <path of syscall_loop> <path of floor.bpf.o> [calls] [rounds]}.
 */
public final class SyscallOverhead {

    private enum Mode { UNTRACED, FLOOR, FLOOR_CLOCK, BYSTANDER, COUNTED, TRACED, BPFTRACE, STRACE }

    /** strace stops the thread twice per call: this many times fewer calls keep a round short. */
    private static final int STRACE_CALLS_DIVISOR = 100;

    public static void main(String[] args) throws Exception {
        String loop = args[0];
        BpfObject floor = FloorPrograms.load(args[1]);
        long calls = args.length > 2 ? Long.parseLong(args[2]) : 5_000_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        KernelTracer tracer = KernelTracer.shared();
        int getppid = tracer.syscallTable().number("getppid").orElseThrow();
        // the untraced rounds must run with nothing attached: no lingering after a traced round
        tracer.setDetachDelay(java.time.Duration.ZERO);

        runLoop(loop, calls / 10, tracer, floor, Mode.UNTRACED, getppid); // warm the page cache and CPU frequency
        double[] medians = AlternatingRounds.measure(Mode.class, rounds,
                mode -> runLoop(loop, calls, tracer, floor, mode, getppid));
        double floorMedian = medians[Mode.FLOOR.ordinal()];
        System.out.printf("%-56s %9s %11s%n", "getppid, ns per call (median of " + rounds + " rounds)", "ns/call", "over floor");
        for (Mode mode : Mode.values()) {
            double value = medians[mode.ordinal()];
            System.out.printf("%-56s %9.1f %+11.1f%n", describe(mode, calls), value, value - floorMedian);
        }
    }

    private static String describe(Mode mode, long calls) {
        switch (mode) {
            case UNTRACED: return "(a) untraced, no program attached";
            case FLOOR: return "    floor: do-nothing raw_tp enter+exit pair";
            case FLOOR_CLOCK: return "    floor + a clock read at enter and at exit";
            case BYSTANDER: return "(b) other process while a test is traced";
            case COUNTED: return "(a) KernelTrace, traced thread, counts only";
            case TRACED: return "(a) KernelTrace, traced thread, counts + latency";
            case BPFTRACE: return "    bpftrace, count by syscall for one tid";
            default: return "    strace -c -f (" + stracedCalls(calls) + " calls per round)";
        }
    }

    private static long stracedCalls(long calls) {
        return Math.max(calls / STRACE_CALLS_DIVISOR, 1000);
    }

    private static double runLoop(String loop, long calls, KernelTracer tracer, BpfObject floor, Mode mode, int getppid)
            throws Exception {
        if (mode == Mode.STRACE) {
            return runStraced(loop, stracedCalls(calls));
        }
        try (WorkloadProcess workload = new WorkloadProcess(loop, calls)) {
            if (mode == Mode.BPFTRACE) {
                try (OtherTracers.Bpftrace bpftrace = new OtherTracers.Bpftrace(workload.pid())) {
                    double nsPerCall = workload.run();
                    requireCounted("bpftrace", calls, bpftrace.stopAndCount(getppid));
                    return nsPerCall;
                }
            }
            boolean kernelTrace = mode == Mode.BYSTANDER || mode == Mode.COUNTED || mode == Mode.TRACED;
            TraceSlot slot = kernelTrace ? tracer.openSlot() : null;
            if (!kernelTrace && tracer.attached()) {
                throw new IllegalStateException("programs still attached during an untraced round");
            }
            try {
                if (mode == Mode.TRACED || mode == Mode.COUNTED) {
                    slot.recordLatency(mode == Mode.TRACED);
                    slot.trackThread(workload.pid(), false);
                } else if (mode == Mode.BYSTANDER) {
                    slot.trackThread(Threads.currentTid(), false);
                }
                if (slot != null) {
                    slot.start();
                }
                if (mode == Mode.FLOOR) {
                    floor.attach("floor_sys_enter");
                    floor.attach("floor_sys_exit");
                } else if (mode == Mode.FLOOR_CLOCK) {
                    floor.attach("floor_clock_sys_enter");
                    floor.attach("floor_clock_sys_exit");
                }
                double nsPerCall = workload.run();
                if (mode == Mode.TRACED || mode == Mode.COUNTED) {
                    slot.stop();
                    requireCounted("KernelTrace", calls, slot.metrics().syscall("getppid").count());
                }
                return nsPerCall;
            } finally {
                floor.detachAll();
                if (slot != null) {
                    slot.close();
                }
            }
        }
    }

    private static double runStraced(String loop, long calls) throws Exception {
        Path summary = Files.createTempFile("strace-summary", ".txt");
        try {
            double nsPerCall;
            try (WorkloadProcess workload = new WorkloadProcess(OtherTracers.strace(summary), loop, calls)) {
                nsPerCall = workload.run();
            } // strace writes its summary when the loop has exited
            requireCounted("strace -c -f", calls, OtherTracers.straceCount(summary, "getppid"));
            return nsPerCall;
        } finally {
            Files.deleteIfExists(summary);
        }
    }

    private static void requireCounted(String tracer, long calls, long counted) {
        if (counted != calls) {
            throw new IllegalStateException("the loop made " + calls + " getppid calls, " + tracer + " counted " + counted);
        }
    }

    private SyscallOverhead() {
    }
}
