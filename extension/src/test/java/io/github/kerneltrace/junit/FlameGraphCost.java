package io.github.kerneltrace.junit;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.github.kerneltrace.probes.Threads;

/**
 * What a test's flame graphs cost, piece by piece (the figures in docs/user-guide.md, "Flame
 * graphs"): {@code rounds} leases on {@link JfrRecorder} with every profile's settings around ten
 * small writes, one after the other in one JVM, each timed at the lease's opening, the dump and
 * reading of the window's events, and the lease's closing (on the test's thread; the last lease's
 * closing stops the recording, so each round starts it again), and at drawing its pages (on the
 * report writer's). The first round includes starting the Flight Recorder. Not a test; run after
 * {@code mvn -pl extension -am test-compile}:
 * <pre>
 * java -cp extension/target/test-classes:extension/target/classes:&lt;jfr-converter jar&gt;:&lt;probes jar&gt;:&lt;jna jar&gt; \
 *     io.github.kerneltrace.junit.FlameGraphCost 50
 * </pre>
 */
final class FlameGraphCost {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        Set<Profile> all = EnumSet.allOf(Profile.class);
        TracedTest test = new TracedTest("com.example.ATest", "writes", "writes()", "[method:writes()]", "ATest.writes()", false);
        Path directory = Files.createTempDirectory("flame-graph-cost");
        long[] open = new long[rounds];
        long[] read = new long[rounds];
        long[] close = new long[rounds];
        long[] draw = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            JfrRecorder.Lease lease = JfrRecorder.shared().open(FlameGraphs.settings(all));
            long t1 = System.nanoTime();
            Instant from = Instant.now();
            try (FileOutputStream out = new FileOutputStream(directory.resolve("file").toFile())) {
                for (int i = 0; i < 10; i++) {
                    out.write('x');
                }
            }
            RunWindow window = new RunWindow(from, Instant.now(), Set.of((long) Threads.currentTid()), false, List.of());
            long t2 = System.nanoTime();
            var events = window.events(); // read while the lease holds the recording
            long t3 = System.nanoTime();
            lease.close();
            long t4 = System.nanoTime();
            FlameGraphs.render(all, events, test, null, "com.example.ATest.writes.json");
            long t5 = System.nanoTime();
            open[round] = t1 - t0;
            read[round] = t3 - t2;
            close[round] = t4 - t3;
            draw[round] = t5 - t4;
        }
        System.out.printf("%s: first lease: open %.1f ms, dump and read %.1f ms, close %.1f ms, draw %.1f ms%n",
                System.getProperty("java.version"), open[0] / 1e6, read[0] / 1e6, close[0] / 1e6, draw[0] / 1e6);
        System.out.printf("median of the other %d: open %.2f ms, dump and read %.2f ms, close %.2f ms, draw %.2f ms%n",
                rounds - 1, laterMedian(open) / 1e6, laterMedian(read) / 1e6, laterMedian(close) / 1e6,
                laterMedian(draw) / 1e6);
    }

    private static long laterMedian(long[] nanos) {
        long[] later = Arrays.copyOfRange(nanos, 1, nanos.length);
        Arrays.sort(later);
        return later[later.length / 2];
    }

    private FlameGraphCost() {
    }
}
