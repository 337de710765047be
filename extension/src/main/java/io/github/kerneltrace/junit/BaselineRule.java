package io.github.kerneltrace.junit;

import java.util.Set;

import io.github.kerneltrace.probes.metrics.Metric;

/**
 * How far a metric may move from its baseline before the test fails. Written after the value on
 * each line of a baseline file, where it can be edited by hand:
 * <ul>
 * <li>{@code exact}: any increase fails;</li>
 * <li>{@code max}: the baseline is a ceiling; any increase fails, like {@code exact}, but a lower
 *     value is not worth a "can be tightened" note;</li>
 * <li>{@code relative 5% min 3}: an increase fails when it is more than 5% of the baseline
 *     <em>and</em> more than 3 (so 3 → 4 calls is not "+33%").</li>
 * </ul>
 * A decrease never fails: beyond the tolerance it is an improvement ("baseline can be tightened").
 *
 * @param kind    which of the three
 * @param percent for {@code relative}: the allowed increase in percent of the baseline
 * @param minimum for {@code relative}: an increase of at most this much always passes
 */
record BaselineRule(Kind kind, int percent, long minimum) {

    enum Kind { EXACT, MAX, RELATIVE }

    static final BaselineRule EXACT = new BaselineRule(Kind.EXACT, 0, 0);
    static final BaselineRule MAX = new BaselineRule(Kind.MAX, 0, 0);
    static final String SYNTAX = "exact, max, or relative <percent>% min <amount>, e.g. relative 5% min 3";

    /**
     * The JVM's own calls on a test's thread: waiting on locks and safepoints, signals, memory
     * management. They vary from run to run whatever the code under test does: 1 to 16 futex
     * calls in one sample test over six runs (issue 10), 3 to 35 in another over five runs of
     * the sample against its own baseline (docs/baselines.md), once an mmap.
     */
    private static final Set<String> JVM_HOUSEKEEPING = Set.of("futex", "sched_yield", "rt_sigreturn",
            "rt_sigprocmask", "restart_syscall", "madvise", "mprotect", "mmap", "munmap");
    private static final BaselineRule LOOSE_CALLS = new BaselineRule(Kind.RELATIVE, 25, 50);
    private static final BaselineRule SMALL_RELATIVE_BYTES = new BaselineRule(Kind.RELATIVE, 5, 4096);

    /**
     * The rule a newly recorded metric gets, or null for a metric not recorded by default. The
     * system calls the code makes are deterministic on a warm path: exact. The JVM's own calls, and
     * the totals that include them, vary by up to a few dozen calls: 25% with a minimum of 50 calls.
     * Bytes in total and heap bytes vary by about 1%: 5% with a minimum of 4 KiB. Times are not
     * gated in this slice; other figures (scheduler, page faults, native allocations) are gated
     * only where a line is added by hand.
     */
    static BaselineRule defaultFor(Metric metric) {
        String key = metric.key();
        if (!gateable(key, metric.unit())) {
            return null;
        }
        if (key.startsWith("syscalls.")) {
            String call = key.split("\\.")[1];
            return JVM_HOUSEKEEPING.contains(call) ? LOOSE_CALLS : EXACT;
        }
        if (key.startsWith("totals.") || key.equals("memory.heap.allocatedBytes")) {
            return metric.unit() == Metric.Unit.BYTES ? SMALL_RELATIVE_BYTES : LOOSE_CALLS;
        }
        return null;
    }

    /** Times (and the counts of their histograms, which only say how many calls were timed). */
    static boolean gateable(String key, Metric.Unit unit) {
        return unit != Metric.Unit.NANOSECONDS && !key.contains("Nanos");
    }

    /** Parses the rule as written in a baseline file; null when it is not one. */
    static BaselineRule parse(String text) {
        String rule = text.strip();
        if (rule.equals("exact")) {
            return EXACT;
        }
        if (rule.equals("max")) {
            return MAX;
        }
        String[] words = rule.split(" +");
        if (words.length == 4 && words[0].equals("relative") && words[1].endsWith("%") && words[2].equals("min")) {
            try {
                int percent = Integer.parseInt(words[1].substring(0, words[1].length() - 1));
                long minimum = Long.parseLong(words[3]);
                if (percent >= 0 && minimum >= 0) {
                    return new BaselineRule(Kind.RELATIVE, percent, minimum);
                }
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
        return null;
    }

    /** Whether {@code measured} fails against {@code baseline}. */
    boolean regressed(long baseline, long measured) {
        long increase = measured - baseline;
        return switch (kind) {
            case EXACT, MAX -> increase > 0;
            case RELATIVE -> increase > minimum && increase * 100 > (long) percent * baseline;
        };
    }

    /** Whether {@code measured} is lower than {@code baseline} by more than this rule would let it rise. */
    boolean improved(long baseline, long measured) {
        return switch (kind) {
            case EXACT -> measured < baseline;
            case MAX -> false;
            case RELATIVE -> regressed(measured, baseline);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EXACT -> "exact";
            case MAX -> "max";
            case RELATIVE -> "relative " + percent + "% min " + minimum;
        };
    }
}
