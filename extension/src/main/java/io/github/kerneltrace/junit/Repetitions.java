package io.github.kerneltrace.junit;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How many times a traced test's method runs: {@code warmups} runs whose counts are discarded, then {@code count}
 * traced repetitions, from {@link KernelTrace#warmups()} and {@link KernelTrace#repetitions()}.
 * Also the one aggregate the gates use for counts: the median.
 */
record Repetitions(int warmups, int count) {

    static final String WARMUPS = "kerneltrace.warmups";
    static final String REPETITIONS = "kerneltrace.repetitions";

    /**
     * The test's {@code @KernelTrace} values; where it leaves one at its default (0 warm-ups, 1
     * repetition) or there is none, the configuration parameter {@code kerneltrace.warmups} or
     * {@code kerneltrace.repetitions} when set (so a CI run can repeat every traced test).
     *
     * @throws KernelTraceConfigurationException for fewer than one repetition or a negative
     *                                           number of warm-ups, naming the annotation or
     *                                           parameter and the fix
     */
    static Repetitions of(ExtensionContext context, TracedTest test) {
        Optional<KernelTrace> declared = DeclaredScope.find(context);
        int warmups = declared.map(KernelTrace::warmups).orElse(0);
        int count = declared.map(KernelTrace::repetitions).orElse(1);
        if (warmups < 0 || count < 1) {
            throw new KernelTraceConfigurationException("@KernelTrace(warmups = " + warmups
                    + ", repetitions = " + count + ") on " + test.shortName()
                    + ": warmups must be 0 or more and repetitions 1 or more;"
                    + " e.g. @KernelTrace(warmups = 2, repetitions = 5)");
        }
        if (warmups == 0) {
            warmups = parameter(context, WARMUPS, 0, 0);
        }
        if (count == 1) {
            count = parameter(context, REPETITIONS, 1, 1);
        }
        return new Repetitions(warmups, count);
    }

    private static int parameter(ExtensionContext context, String key, int least, int otherwise) {
        String value = context.getConfigurationParameter(key).map(String::strip).orElse("");
        if (value.isEmpty()) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= least) {
                return number;
            }
        } catch (NumberFormatException notANumber) {
            // the same message as a number out of range
        }
        throw new KernelTraceConfigurationException("configuration parameter " + key + " = \"" + value
                + "\"; use a whole number, " + least + " or more");
    }

    /**
     * The median: for an odd number of values the middle one, for an even number the lower of the
     * two middle ones, so that it is always a value that was measured (a whole number of calls).
     */
    static long median(long[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    static long median(List<Long> values) {
        return median(values.stream().mapToLong(Long::longValue).toArray());
    }
}
