package io.github.kerneltrace.junit;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a test's flame graphs cost, piece by piece (the figures in docs/user-guide.md, "Flame
 * graphs"): {@code rounds} recordings with every profile around ten small writes, one after the
 * other in one JVM, each timed at its start and its stop and write-out (on the test's thread) and
 * at reading it and drawing its pages (on the report writer's). Not a test; run after
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
        long[] start = new long[rounds];
        long[] close = new long[rounds];
        long[] draw = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            TestRecording recording = new TestRecording(all, Scope.TEST);
            long t0 = System.nanoTime();
            recording.start();
            long t1 = System.nanoTime();
            try (FileOutputStream out = new FileOutputStream(directory.resolve("file").toFile())) {
                for (int i = 0; i < 10; i++) {
                    out.write('x');
                }
            }
            recording.stop();
            long t2 = System.nanoTime();
            recording.close();
            long t3 = System.nanoTime();
            FlameGraphs.render(all, recording.events(), test, null, "com.example.ATest.writes.json");
            long t4 = System.nanoTime();
            start[round] = t1 - t0;
            close[round] = t3 - t2;
            draw[round] = t4 - t3;
        }
        System.out.printf("%s: first recording: start %.1f ms, stop and write-out %.1f ms, read and draw %.1f ms%n",
                System.getProperty("java.version"), start[0] / 1e6, close[0] / 1e6, draw[0] / 1e6);
        System.out.printf("median of the other %d: start %.2f ms, stop and write-out %.2f ms, read and draw %.2f ms%n",
                rounds - 1, laterMedian(start) / 1e6, laterMedian(close) / 1e6, laterMedian(draw) / 1e6);
    }

    private static long laterMedian(long[] nanos) {
        long[] later = Arrays.copyOfRange(nanos, 1, nanos.length);
        Arrays.sort(later);
        return later[later.length / 2];
    }
}
