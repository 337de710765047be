package io.github.kerneltrace.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.function.BiFunction;

/**
 * Reads the timings that the cold suite's {@code PhaseClock} wrote in each round
 * ({@code <dir>/plain-<round>.properties}, {@code <dir>/traced-<round>.properties}, ...), checks that
 * every round ran every test and passed (and, traced, left every report), and prints the cost per
 * test that KernelTrace adds: (traced − plain) / tests, per round (the two runs of a round ran back
 * to back), as min / median / max over the rounds.
 *
 * <p>More traced variants (e.g. {@code reference}: the same suite against another build of KernelTrace)
 * are compared with the same plain runs.
 *
 * <p>Usage: {@code ColdSuiteRounds <dir> <rounds> <tests> [traced variant...]} (default: {@code traced})
 */
public final class ColdSuiteRounds {

    /** One fresh JVM's test phase, in nanoseconds: wall time, and CPU time of the test thread and of the JVM. */
    private record Phase(long firstTest, long allTests, long untilReports, long uptimeAtFirstTestMillis,
                         long testThreadCpu, long processCpu, long[] testsByFifth) {

        /** From the fork JVM's start to the end of the phase: what the run takes, Maven's own start-up aside. */
        long sinceJvmStart() {
            return uptimeAtFirstTestMillis * 1_000_000 + untilReports;
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int tests = Integer.parseInt(args[2]);
        List<String> tracedVariants = args.length > 3 ? List.of(args).subList(3, args.length) : List.of("traced");
        List<Phase> plain = readRounds(dir, "plain", rounds, tests, false);
        System.out.printf("(c) cold: %d distinct tests run once each in a fresh JVM under Maven Surefire, %d rounds"
                + " alternating plain/%s; test phase = first test's start to last test's end (traced: to the"
                + " last JSON report on disk)%n", tests, rounds, String.join("/", tracedVariants));
        System.out.printf("%-58s %8s %8s %8s%n", "    ms per test", "min", "median", "max");
        print("    plain (no KernelTrace dependency)", perRound(plain, plain, (p, t) -> p.untilReports() / 1e6 / tests));
        for (String variant : tracedVariants) {
            List<Phase> traced = readRounds(dir, variant, rounds, tests, true);
            printAdded(variant, plain, traced, tests);
        }
    }

    /** The lines of one traced variant, each value taken per round against that round's plain run. */
    private static void printAdded(String variant, List<Phase> plain, List<Phase> traced, int tests) {
        System.out.println("  " + variant + ":");
        print("    @KernelTrace (default summary, JSON reports)", perRound(plain, traced, (p, t) -> t.untilReports() / 1e6 / tests));
        print("(c) cold: added per traced test (traced - plain)",
                perRound(plain, traced, (p, t) -> (t.untilReports() - p.untilReports()) / 1e6 / tests));
        print("    the same from the fork JVM's start (discovery, preload)",
                perRound(plain, traced, (p, t) -> (t.sinceJvmStart() - p.sinceJvmStart()) / 1e6 / tests));
        print("    the same without the first test (tests 2.." + tests + ")", perRound(plain, traced,
                (p, t) -> ((t.untilReports() - t.firstTest()) - (p.untilReports() - p.firstTest())) / 1e6 / (tests - 1)));
        print("    first test alone, ms added (load wait, attach)",
                perRound(plain, traced, (p, t) -> (t.firstTest() - p.firstTest()) / 1e6));
        print("    CPU ms added per test: the test thread",
                perRound(plain, traced, (p, t) -> (t.testThreadCpu() - p.testThreadCpu()) / 1e6 / tests));
        print("    CPU ms added per test: the whole JVM",
                perRound(plain, traced, (p, t) -> (t.processCpu() - p.processCpu()) / 1e6 / tests));
        for (int fifth = 0; fifth < 5; fifth++) {
            int f = fifth;
            print("    tests' own durations, added per test, fifth " + (fifth + 1) + " of the run", perRound(plain, traced,
                    (p, t) -> (t.testsByFifth()[f] - p.testsByFifth()[f]) / 1e6 / (tests / 5)));
        }
        System.out.printf("    JVM uptime at the first test, median ms: plain %d, traced %d%n",
                medianOf(plain.stream().map(Phase::uptimeAtFirstTestMillis).toList()),
                medianOf(traced.stream().map(Phase::uptimeAtFirstTestMillis).toList()));
    }

    private static List<Double> perRound(List<Phase> plain, List<Phase> traced, BiFunction<Phase, Phase, Double> value) {
        List<Double> values = new ArrayList<>();
        for (int round = 0; round < plain.size(); round++) {
            values.add(value.apply(plain.get(round), traced.get(round)));
        }
        return values;
    }

    private static List<Phase> readRounds(Path dir, String variant, int rounds, int tests, boolean traced)
            throws IOException {
        List<Phase> phases = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            phases.add(read(dir.resolve(variant + "-" + round + ".properties"), tests, traced));
        }
        return phases;
    }

    private static Phase read(Path file, int tests, boolean traced) throws IOException {
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            values.load(reader);
        }
        int succeeded = Integer.parseInt(values.getProperty("succeeded"));
        int failed = Integer.parseInt(values.getProperty("failed"));
        int skipped = Integer.parseInt(values.getProperty("skipped"));
        int reports = Integer.parseInt(values.getProperty("reports"));
        if (succeeded != tests || failed != 0 || skipped != 0 || (traced && reports != tests)) {
            throw new IllegalStateException(file + ": expected " + tests + " passing tests" + (traced ? " and as many"
                    + " reports" : "") + ", got " + succeeded + " passed, " + failed + " failed, " + skipped
                    + " skipped, " + reports + " reports; see the Surefire output above");
        }
        return new Phase(Long.parseLong(values.getProperty("firstTestNanos")),
                Long.parseLong(values.getProperty("allTestsNanos")),
                Long.parseLong(values.getProperty("untilReportsNanos")),
                Long.parseLong(values.getProperty("uptimeAtFirstTestMillis")),
                Long.parseLong(values.getProperty("testThreadCpuNanos")),
                Long.parseLong(values.getProperty("processCpuNanos")),
                Arrays.stream(values.getProperty("testNanosByFifth").split(",")).mapToLong(Long::parseLong).toArray());
    }

    private static void print(String label, List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        System.out.printf("%-58s %8.3f %8.3f %8.3f%n", label, sorted.get(0), AlternatingRounds.median(values),
                sorted.get(sorted.size() - 1));
    }

    private static long medianOf(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private ColdSuiteRounds() {
    }
}
