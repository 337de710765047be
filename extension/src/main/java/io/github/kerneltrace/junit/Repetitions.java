package io.github.kerneltrace.junit;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How many times a traced test's method runs: {@code warmups} runs whose counts are discarded, then {@code count}
 * traced repetitions, from {@link KernelTrace#warmups()} and {@link KernelTrace#repetitions()}.
 * Also the one aggregate the gates use for counts: the median.
 */
record Repetitions(int warmups, int count) {

    static final Repetitions ONCE = new Repetitions(0, 1);

    /**
     * @throws KernelTraceConfigurationException for fewer than one repetition or a negative
     *                                           number of warm-ups, naming the annotation and the fix
     */
    static Repetitions of(ExtensionContext context, TracedTest test) {
        return DeclaredScope.find(context).map(trace -> {
            if (trace.warmups() < 0 || trace.repetitions() < 1) {
                throw new KernelTraceConfigurationException("@KernelTrace(warmups = " + trace.warmups()
                        + ", repetitions = " + trace.repetitions() + ") on " + test.shortName()
                        + ": warmups must be 0 or more and repetitions 1 or more;"
                        + " e.g. @KernelTrace(warmups = 2, repetitions = 5)");
            }
            return new Repetitions(trace.warmups(), trace.repetitions());
        }).orElse(ONCE);
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
