package io.github.kerneltrace.junit;

import java.util.List;
import java.util.Locale;

/**
 * What the comparison of one traced test with its class's baseline found: the failure message,
 * the report files and the run summary are all made from this.
 *
 * @param status       the verdict as a whole (the most severe of what was found)
 * @param file         the baseline file, or null when baselines are off
 * @param regressions  metrics that rose beyond their rule: they fail the test
 * @param improvements metrics that fell beyond their rule: "baseline can be tightened"
 * @param notes        everything else worth knowing, one sentence each (new entries, an
 *                     incomparable environment, what update mode recorded)
 */
record BaselineVerdict(Status status, String file, List<Change> regressions, List<Change> improvements,
                       List<String> notes) {

    /** Most severe first: a test's status is the first that applies. */
    enum Status {
        /** A metric rose beyond its rule. */
        REGRESSED,
        /** Recorded in another environment: nothing compared. */
        INCOMPARABLE,
        /** The test, or one of its metrics, has no entry yet. */
        NEW,
        /** A metric fell beyond its rule, none rose. */
        IMPROVED,
        /** Compared, within every rule. */
        PASSED,
        /** Update mode: the measured values were recorded. */
        RECORDED,
        /** Baselines are off for the test's class. */
        OFF;

        String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One metric's move, e.g. {@code syscalls.write.count: 3 → 4 (+1, exact)}.
     *
     * @param text the line as printed in failures and reports
     */
    record Change(String metric, long baseline, long measured, String rule, String text) {
    }

    static final BaselineVerdict OFF = new BaselineVerdict(Status.OFF, null, List.of(), List.of(), List.of());

    BaselineVerdict {
        regressions = List.copyOf(regressions);
        improvements = List.copyOf(improvements);
        notes = List.copyOf(notes);
    }
}
