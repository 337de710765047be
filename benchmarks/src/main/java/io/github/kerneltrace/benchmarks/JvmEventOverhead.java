package io.github.kerneltrace.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.github.kerneltrace.probes.KernelTracer;
import io.github.kerneltrace.probes.Threads;
import io.github.kerneltrace.probes.TraceSlot;

/**
 * (i) What HotSpot's USDT probes cost while JVM events are counted ({@code @KernelTrace(jvmEvents = true)}):
 * nanoseconds per {@code unpark(self); park()} pair, which makes no system call and hits both
 * thread__park probes, beside bpftrace doing the same job (the two probes for this process, a
 * count and a histogram of park times), in one run:
 * <ol>
 *   <li>untraced: nothing attached;</li>
 *   <li>counted: a slot tracks this thread and counts JVM events; it must count every park;</li>
 *   <li>other thread: the probes attached, this thread not tracked: what the JVM's other threads pay;</li>
 *   <li>bpftrace: usdt probes on park begin and end, a count and a hist(); it must count every park.</li>
 * </ol>
 * Rounds alternate the modes; medians are reported. Then the one-off cost of attaching the probes
 * (the first slot that asks) and of detaching them (closing it with detach delay 0).
 * Usage: {@code JvmEventOverhead [parks] [rounds]}.
 */
public final class JvmEventOverhead {

    private enum Mode { UNTRACED, COUNTED, OTHER_THREAD, BPFTRACE }

    public static void main(String[] args) throws Exception {
        int parks = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        KernelTracer tracer = KernelTracer.shared();
        tracer.setDetachDelay(Duration.ZERO); // untraced rounds run with nothing attached
        String libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so").toString();
        parkLoop(parks); // JIT
        double[] medians = AlternatingRounds.measureAndPrint(Mode.class, rounds, "unpark+park of the JVM, ns per pair",
                "%8.1f", JvmEventOverhead::describe, mode -> run(tracer, libjvm, parks, mode));
        double untraced = medians[Mode.UNTRACED.ordinal()];
        System.out.printf("(i) added per park (2 USDT probe hits): counted %+.0f ns, other thread %+.0f ns, bpftrace %+.0f ns%n",
                medians[Mode.COUNTED.ordinal()] - untraced, medians[Mode.OTHER_THREAD.ordinal()] - untraced,
                medians[Mode.BPFTRACE.ordinal()] - untraced);

        List<Double> attachMs = new ArrayList<>();
        List<Double> detachMs = new ArrayList<>();
        for (int cycle = 0; cycle < rounds; cycle++) {
            try (TraceSlot warm = tracer.openSlot()) { // the tracepoint families attached: only the probes' own cost below
                TraceSlot slot = tracer.openSlot();
                slot.trackThread(Threads.currentTid(), false);
                long start = System.nanoTime();
                slot.countJvmEvents();
                attachMs.add((System.nanoTime() - start) / 1e6);
                start = System.nanoTime();
                slot.close();
                while (tracer.jvmProbesAttached()) {
                    Thread.sleep(1);
                }
                detachMs.add((System.nanoTime() - start) / 1e6);
            }
        }
        System.out.printf("(i) JVM event probes, median of %d cycles: attach %.1f ms, detach %.0f ms (on the detach thread)%n",
                rounds, AlternatingRounds.median(attachMs), AlternatingRounds.median(detachMs));
    }

    private static String describe(Mode mode) {
        switch (mode) {
            case UNTRACED: return "(i) untraced, nothing attached";
            case COUNTED: return "(i) counted thread, jvmEvents";
            case OTHER_THREAD: return "(i) other thread, probes attached";
            default: return "(i) bpftrace usdt park begin+end, count+hist";
        }
    }

    private static double run(KernelTracer tracer, String libjvm, int parks, Mode mode) throws Exception {
        switch (mode) {
            case UNTRACED:
                if (tracer.jvmProbesAttached()) {
                    throw new IllegalStateException("JVM event probes still attached during an untraced round");
                }
                return parkLoop(parks);
            case BPFTRACE:
                long pid = ProcessHandle.current().pid();
                // the same job: both probes for this process, a count and a histogram of park times
                try (OtherTracers.Bpftrace bpftrace = new OtherTracers.Bpftrace(
                        "usdt:" + libjvm + ":hotspot:thread__park__begin /pid == " + pid + "/ { @parks = count(); @start[tid] = nsecs; } "
                        + "usdt:" + libjvm + ":hotspot:thread__park__end /@start[tid]/ { @nanos = hist(nsecs - @start[tid]);"
                        + " delete(@start[tid]); }")) {
                    double ns = parkLoop(parks);
                    long counted = bpftrace.stopAndCount("parks");
                    if (counted < parks) {
                        throw new IllegalStateException("bpftrace counted " + counted + " of " + parks + " parks");
                    }
                    return ns;
                }
            default:
                try (TraceSlot slot = tracer.openSlot()) {
                    slot.trackThread(Threads.currentTid(), false);
                    slot.countJvmEvents();
                    if (mode == Mode.OTHER_THREAD) {
                        double[] ns = new double[1];
                        Thread other = new Thread(() -> ns[0] = parkLoop(parks), "untracked");
                        other.start();
                        other.join();
                        return ns[0];
                    }
                    slot.start();
                    double ns = parkLoop(parks);
                    slot.stop();
                    long seen = slot.metrics().jvm().parks();
                    if (seen != parks) {
                        throw new IllegalStateException("counted " + seen + " parks of " + parks);
                    }
                    return ns;
                }
        }
    }

    private static double parkLoop(int parks) {
        Thread self = Thread.currentThread();
        long start = System.nanoTime();
        for (int i = 0; i < parks; i++) {
            LockSupport.unpark(self);
            LockSupport.park();
        }
        return (System.nanoTime() - start) / (double) parks;
    }


    private JvmEventOverhead() {
    }
}
