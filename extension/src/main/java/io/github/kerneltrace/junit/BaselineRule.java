package io.github.kerneltrace.junit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import io.github.kerneltrace.probes.metrics.Metric;

/**
 * How far a metric may move from its baseline before the test fails. Written after the value on
 * each line of a baseline file, where it can be edited by hand, or set in code with
 * {@link BaselineTolerance}:
 * <ul>
 * <li>{@code exact}: any increase fails;</li>
 * <li>{@code max}: the baseline is a ceiling; any increase fails, like {@code exact}, but a lower
 *     value is not worth a "can be tightened" note;</li>
 * <li>{@code relative 5% min 3}: an increase fails when it is more than 5% of the baseline
 *     <em>and</em> more than 3 (so 3 → 4 calls is not "+33%");</li>
 * <li>{@code slower 50% p 0.01}: for noisy figures (times) recorded over repetitions: fails when
 *     the repetitions' median is more than 50% above the baseline samples' median <em>and</em> a
 *     one-sided rank test ({@link RankTest}) says the repetitions are larger at significance
 *     0.01. Both are required: the rank test bounds the false alarms of unchanged code to 1% when
 *     repetitions are exchangeable; the effect size keeps drift between CI runs (another machine,
 *     another load) from failing unless noise widens it past 50% in the measured medians
 *     (docs/baselines.md gives simulated rates). Needs {@value #MIN_SAMPLES} values on each side.</li>
 * </ul>
 * The first three compare one value (the median over the repetitions); {@code slower} compares
 * all of them. A decrease never fails: beyond the tolerance it is an improvement ("baseline can be
 * tightened").
 *
 * @param kind    which of the four
 * @param percent for {@code relative}: the allowed increase in percent of the baseline; for
 *                {@code slower}: the smallest increase of the median that can fail
 * @param minimum for {@code relative}: an increase of at most this much always passes
 * @param alpha   for {@code slower}: the significance level of the rank test
 */
record BaselineRule(Kind kind, int percent, long minimum, double alpha) {

    enum Kind { EXACT, MAX, RELATIVE, SLOWER }

    static final BaselineRule EXACT = new BaselineRule(Kind.EXACT, 0, 0, 0);
    static final BaselineRule MAX = new BaselineRule(Kind.MAX, 0, 0, 0);
    static final String SYNTAX = "exact, max, relative <percent>% min <amount> (e.g. relative 5% min 3),"
            + " or for times slower <percent>% p <alpha> (e.g. slower 50% p 0.01)";

    /** Fewer values than this on either side and the rank test cannot reach 1%: the metric is not gated. */
    static final int MIN_SAMPLES = 5;

    /**
     * The JVM's own calls on a test's thread: waiting on locks and safepoints, signals, memory
     * management. They vary from run to run whatever the code under test does: 1 to 16 futex
     * calls in one sample test over six runs (issue 10), 3 to 35 in another over five runs of
     * the sample against its own baseline (docs/baselines.md), once an mmap; 0 to 3 gettid calls
     * in one sample test whose code makes none, more often the more loaded the machine
     * (docs/gate-quality.md; HotSpot calls it when a thread starts).
     */
    private static final Set<String> JVM_HOUSEKEEPING = Set.of("futex", "sched_yield", "rt_sigreturn",
            "rt_sigprocmask", "restart_syscall", "madvise", "mprotect", "mmap", "munmap", "gettid");
    private static final BaselineRule LOOSE_CALLS = new BaselineRule(Kind.RELATIVE, 25, 50, 0);
    private static final BaselineRule SMALL_RELATIVE_BYTES = new BaselineRule(Kind.RELATIVE, 5, 4096, 0);
    /**
     * 50%: the latency gate is a 2× regression of one call, whose median ratio (about 2)
     * clears 1.5 with room. p 0.01: with 5 + 5 values the smallest p-value the rank test can give
     * is 1/252 = 0.004, so 0.01 is reachable (only when at most one pair is out of order) and keeps
     * the false alarms of exchangeable repetitions at 1% or less. Run-to-run drift is another
     * matter: that is why no time is gated unless a rule asks (see {@link #defaultFor}).
     */
    static final BaselineRule SLOWER_DEFAULT = new BaselineRule(Kind.SLOWER, 50, 0, 0.01);

    /**
     * The rule a newly recorded metric gets, or null for a metric not recorded by default. The
     * system calls the code makes are deterministic on a warm path: exact. The JVM's own calls, and
     * the totals that include them, vary by up to a few dozen calls: 25% with a minimum of 50 calls.
     * Bytes in total and heap bytes vary by about 1%: 5% with a minimum of 4 KiB. A declared probe's
     * hits on the test's threads are calls of a function the user chose to watch, deterministic like
     * the system calls the code makes (100 {@code deflate} calls for 100 records in every run of the
     * sample): exact. JVM events (GC pauses, compilations: the whole JVM's) are not recorded.
     *
     * <p>No time is recorded by default: its rule ({@code slower}) is set in code
     * ({@link BaselineTolerance}) or by a line added to the file. The first design gated the median
     * latency of each call the code made; on the sample's commit-delay test (ten repetitions, nothing
     * changed) that gate fired in 8 of the first 9 runs, on {@code write}'s p50: 2.83 µs in every
     * repetition of the recording run, 5.8 to 7.0 µs in every repetition of the later ones
     * (docs/gate-quality.md). The repetitions of one run are alike; two runs are not, so a rank test
     * across runs measures the run, not the code, unless the effect is larger than such drift: the
     * person who knows the figure sets that. Other figures (scheduler, page faults, native
     * allocations) are likewise gated only where a rule is set.
     *
     * @param series the metric's values over the repetitions
     */
    static BaselineRule defaultFor(String key, TraceOutcome.Series series) {
        String[] parts = key.split("\\.");
        if (isTime(key, series.unit())) {
            return null;
        }
        if (key.startsWith("syscalls.")) {
            return JVM_HOUSEKEEPING.contains(parts[1]) ? LOOSE_CALLS : EXACT;
        }
        if (key.startsWith("totals.") || key.equals("memory.heap.allocatedBytes")) {
            return series.unit() == Metric.Unit.BYTES ? SMALL_RELATIVE_BYTES : LOOSE_CALLS;
        }
        if (key.startsWith("probes.") && key.endsWith(".hits")) {
            return EXACT; // the test's threads' calls of a function the user named (host-wide ones: see ClassBaseline)
        }
        return null;
    }

    /**
     * Times (and the counts of their histograms, which only say how many calls were timed): too
     * noisy for one comparison, gated by {@code slower} only.
     */
    static boolean isTime(String key, Metric.Unit unit) {
        return unit == Metric.Unit.NANOSECONDS || key.contains("Nanos");
    }

    /** Whether this rule compares all the repetitions' values rather than their median. */
    boolean statistical() {
        return kind == Kind.SLOWER;
    }

    /** Parses the rule as written in a baseline file or a {@link BaselineTolerance}; null when it is not one. */
    static BaselineRule parse(String text) {
        String rule = text.strip();
        if (rule.equals("exact")) {
            return EXACT;
        }
        if (rule.equals("max")) {
            return MAX;
        }
        String[] words = rule.split(" +");
        if (words.length != 4 || !words[1].endsWith("%")) {
            return null;
        }
        try {
            int percent = Integer.parseInt(words[1].substring(0, words[1].length() - 1));
            if (words[0].equals("relative") && words[2].equals("min")) {
                long minimum = Long.parseLong(words[3]);
                return percent >= 0 && minimum >= 0 ? new BaselineRule(Kind.RELATIVE, percent, minimum, 0) : null;
            }
            if (words[0].equals("slower") && words[2].equals("p")) {
                double alpha = Double.parseDouble(words[3]);
                return percent >= 0 && alpha > 0 && alpha < 1 ? new BaselineRule(Kind.SLOWER, percent, 0, alpha) : null;
            }
        } catch (NumberFormatException notANumber) {
            return null;
        }
        return null;
    }

    /** Whether {@code measured} fails against {@code baseline}; for the rules that compare one value. */
    boolean regressed(long baseline, long measured) {
        long increase = measured - baseline;
        return switch (kind) {
            case EXACT, MAX -> increase > 0;
            case RELATIVE -> increase > minimum && increase * 100 > (long) percent * baseline;
            case SLOWER -> throw new IllegalStateException("slower compares samples");
        };
    }

    /** Whether {@code measured} is lower than {@code baseline} by more than this rule would let it rise. */
    boolean improved(long baseline, long measured) {
        return switch (kind) {
            case EXACT -> measured < baseline;
            case MAX -> false;
            case RELATIVE -> regressed(measured, baseline);
            case SLOWER -> throw new IllegalStateException("slower compares samples");
        };
    }

    /**
     * For {@code slower}: whether {@code measured} is larger than {@code baseline} by more than
     * the effect size in median and significantly by the rank test. Each side needs
     * {@value #MIN_SAMPLES} values; check {@link #enoughSamples} first.
     */
    boolean slower(List<Long> baseline, List<Long> measured) {
        return largerBeyondEffect(measured, baseline)
                && RankTest.pGreater(longs(measured), longs(baseline)) <= alpha;
    }

    /** For {@code slower}: the same test the other way round; "baseline can be tightened". */
    boolean faster(List<Long> baseline, List<Long> measured) {
        return largerBeyondEffect(baseline, measured)
                && RankTest.pGreater(longs(baseline), longs(measured)) <= alpha;
    }

    static boolean enoughSamples(List<Long> baseline, List<Long> measured) {
        return baseline.size() >= MIN_SAMPLES && measured.size() >= MIN_SAMPLES;
    }

    /** The one-sided p-value {@code slower} compares with alpha, for messages. */
    static double pSlower(List<Long> baseline, List<Long> measured) {
        return RankTest.pGreater(longs(measured), longs(baseline));
    }

    private boolean largerBeyondEffect(List<Long> larger, List<Long> smaller) {
        return Repetitions.median(larger) * 100.0 > Repetitions.median(smaller) * (100.0 + percent);
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EXACT -> "exact";
            case MAX -> "max";
            case RELATIVE -> "relative " + percent + "% min " + minimum;
            case SLOWER -> "slower " + percent + "% p " + BigDecimal.valueOf(alpha).stripTrailingZeros().toPlainString();
        };
    }
}
