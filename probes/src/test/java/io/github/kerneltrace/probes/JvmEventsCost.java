package io.github.kerneltrace.probes;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * What HotSpot's USDT probes cost a park while attached: a park whose permit is already there
 * ({@code unpark(self); park()}: no system call, both thread__park probes fire) timed in a loop,
 * in rounds alternating: no probes; probes attached and the thread counted; probes attached and
 * the thread not tracked (what every other thread of the JVM pays). Not a JUnit test:
 * <pre>
 * mvn -B -o -q test-compile -pl probes -am
 * mvn -o -q dependency:build-classpath -pl probes -Dmdep.outputFile=cp.txt
 * java -cp probes/target/classes:probes/target/test-classes:$(cat probes/cp.txt) \
 *     io.github.kerneltrace.probes.JvmEventsCost 200000 7
 * </pre>
 * Prints the median over rounds of ns per unpark+park pair for each case, and of the time the
 * probes take to attach (the first slot that asks) and to detach (delay zero).
 */
public final class JvmEventsCost {

    private JvmEventsCost() {
    }

    public static void main(String[] args) throws Exception {
        int parks = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        KernelTracer tracer = KernelTracer.shared();
        tracer.setDetachDelay(java.time.Duration.ofSeconds(60)); // attached once, not per round
        loop(parks); // JIT
        double[] none = new double[rounds];
        double[] counted = new double[rounds];
        double[] untracked = new double[rounds];
        double[] attachMillis = new double[rounds];
        double[] detachMillis = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            none[round] = loop(parks);
            try (TraceSlot slot = tracer.openSlot()) {
                slot.trackThread(Threads.currentTid(), false);
                long attaching = System.nanoTime();
                slot.countJvmEvents();
                attachMillis[round] = (System.nanoTime() - attaching) / 1e6;
                slot.start();
                counted[round] = loop(parks);
                slot.stop();
                long seen = slot.metrics().jvm().parks();
                if (seen != parks) {
                    throw new AssertionError("counted " + seen + " parks of " + parks);
                }
                double[] result = new double[1];
                Thread other = new Thread(() -> result[0] = loop(parks), "untracked");
                other.start();
                other.join();
                untracked[round] = result[0];
            }
            // the probes stay attached for the delay: the untraced rounds run after it
            long detaching = System.nanoTime();
            waitDetached(tracer);
            detachMillis[round] = (System.nanoTime() - detaching) / 1e6;
        }
        System.out.printf("ns per unpark+park: no probes %.0f, probes attached and counted %.0f, attached but thread"
                + " not tracked %.0f (median of %d rounds of %d)%n", median(none), median(counted), median(untracked), rounds, parks);
        System.out.printf("attach %.1f ms, detach %.0f ms (medians)%n", median(attachMillis), median(detachMillis));
    }

    private static void waitDetached(KernelTracer tracer) throws InterruptedException {
        tracer.setDetachDelay(java.time.Duration.ZERO);
        try (TraceSlot slot = tracer.openSlot()) {
            slot.trackThread(Threads.currentTid(), false);
            slot.countJvmEvents();
        }
        while (tracer.jvmProbesAttached()) {
            Thread.sleep(10);
        }
        tracer.setDetachDelay(java.time.Duration.ofSeconds(60));
    }

    private static double loop(int parks) {
        Thread self = Thread.currentThread();
        long start = System.nanoTime();
        for (int i = 0; i < parks; i++) {
            LockSupport.unpark(self);
            LockSupport.park();
        }
        return (System.nanoTime() - start) / (double) parks;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
