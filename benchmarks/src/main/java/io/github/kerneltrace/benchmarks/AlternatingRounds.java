package io.github.kerneltrace.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs every mode of a benchmark once per round, round after round, so that drifts of the machine
 * hit all modes alike, and prints the median of each mode next to its ratio to the first mode
 * (the untraced baseline). Returns the medians, in the order of the modes.
 */
final class AlternatingRounds {

    /** One measurement of one mode, e.g. nanoseconds per call. */
    interface Measurement<M> {
        double run(M mode) throws Exception;
    }

    private AlternatingRounds() {
    }

    static <M extends Enum<M>> double[] measureAndPrint(Class<M> modes, int rounds, String title, String valueFormat,
                                                    Function<M, String> describe, Measurement<M> measurement)
            throws Exception {
        double[] medians = measure(modes, rounds, measurement);
        double baselineMedian = medians[0];
        System.out.printf("%-44s %8s %8s%n", title + " (median of " + rounds + " rounds)", "ns", "ratio");
        for (M mode : modes.getEnumConstants()) {
            double value = medians[mode.ordinal()];
            System.out.printf("%-44s " + valueFormat + " %7.2fx%n", describe.apply(mode), value, value / baselineMedian);
        }
        return medians;
    }

    /** The median of each mode over the rounds, in the order of the modes; prints nothing. */
    static <M extends Enum<M>> double[] measure(Class<M> modes, int rounds, Measurement<M> measurement) throws Exception {
        Map<M, List<Double>> results = new EnumMap<>(modes);
        for (M mode : modes.getEnumConstants()) {
            results.put(mode, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (M mode : modes.getEnumConstants()) {
                results.get(mode).add(measurement.run(mode));
            }
        }
        double[] medians = new double[modes.getEnumConstants().length];
        for (M mode : modes.getEnumConstants()) {
            medians[mode.ordinal()] = median(results.get(mode));
        }
        return medians;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
