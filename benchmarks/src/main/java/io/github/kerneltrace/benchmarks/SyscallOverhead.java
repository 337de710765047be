package io.github.kerneltrace.benchmarks;


import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;

/**
 * Per-call cost of a cheap system call ({@code getppid} in a C loop, see syscall_loop.c), measured
 * side by side in one run:
 * <ol>
 *   <li>untraced: no KernelTrace program attached;</li>
 *   <li>floor: two do-nothing programs on the same tracepoints (floor.bpf.c): the cost of any
 *       program there, before it does work;</li>
 *   <li>traced: the loop's own thread is tracked by a slot (counts, bytes, latency histogram);</li>
 *   <li>bystander: a slot is open for another thread, so the programs are attached, but the loop's
 *       process is not tracked: what every other process on the host pays while a test is traced.</li>
 * </ol>
 * The three modes alternate round by round so that drifts of the machine hit them alike; the median
 * of the rounds is reported.
 * Usage: {@code SyscallOverhead <path of syscall_loop> <path of floor.bpf.o> [calls] [rounds]}.
 */
public final class SyscallOverhead {

    private enum Mode { UNTRACED, FLOOR, BYSTANDER, COUNTED, TRACED }

    public static void main(String[] args) throws Exception {
        String loop = args[0];
        BpfObject floor = FloorPrograms.load(args[1]);
        long calls = args.length > 2 ? Long.parseLong(args[2]) : 5_000_000;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        KernelTracer tracer = KernelTracer.shared();
        // the untraced rounds must run with nothing attached: no lingering after a traced round
        tracer.setDetachDelay(java.time.Duration.ZERO);

        runLoop(loop, calls / 10, tracer, floor, Mode.UNTRACED); // warm the page cache and CPU frequency
        AlternatingRounds.measureAndPrint(Mode.class, rounds, "getppid, ns per call", "%8.1f",
                SyscallOverhead::describe, mode -> runLoop(loop, calls, tracer, floor, mode));
    }

    private static String describe(Mode mode) {
        switch (mode) {
            case UNTRACED: return "(a) untraced, no program attached";
            case FLOOR: return "    floor: do-nothing raw_tp enter+exit pair";
            case COUNTED: return "(a) traced thread, counts only";
            case TRACED: return "(a) traced thread, counts + latency";
            default: return "(b) other process while a test is traced";
        }
    }

    private static double runLoop(String loop, long calls, KernelTracer tracer, BpfObject floor, Mode mode)
            throws Exception {
        try (WorkloadProcess workload = new WorkloadProcess(loop, calls)) {
            boolean kernelTrace = mode != Mode.UNTRACED && mode != Mode.FLOOR;
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
                }
                double nsPerCall = workload.run();
                if (mode == Mode.TRACED || mode == Mode.COUNTED) {
                    slot.stop();
                    long counted = slot.metrics().syscall("getppid").count();
                    if (counted != calls) {
                        throw new IllegalStateException("traced loop made " + calls + " getppid calls, slot counted " + counted);
                    }
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

    private SyscallOverhead() {
    }
}
