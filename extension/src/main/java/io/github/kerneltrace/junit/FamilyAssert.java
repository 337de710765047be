package io.github.kerneltrace.junit;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractLongAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.StandardSoftAssertionsProvider;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * What every KernelTrace assertion class shares: failure messages and metric descriptions end
 * with the test's top system calls and the figures of the assertion's own family, and the
 * navigation between families keeps the description ({@code as(...)}) and soft assertions.
 *
 * @param <SELF> the assertion class itself, as in AssertJ
 */
public abstract class FamilyAssert<SELF extends FamilyAssert<SELF>> extends AbstractAssert<SELF, KernelMetrics> {

    private final MetricFamily family;
    /**
     * Where failures go instead of being thrown when this assertion was reached through
     * {@link KernelTraceSoftAssertions}; {@code null} for plain assertions.
     */
    StandardSoftAssertionsProvider softly;

    FamilyAssert(KernelMetrics actual, Class<?> selfType, MetricFamily family) {
        super(actual, selfType);
        this.family = family;
    }

    /**
     * Another family's assertions on the same metrics, carrying this one's description and, under
     * soft assertions, collecting its failures too.
     */
    <A extends FamilyAssert<A>> A navigate(Class<A> type, Function<KernelMetrics, A> plain) {
        isNotNull();
        A next = softly == null ? plain.apply(actual) : softly.proxy(type, KernelMetrics.class, actual);
        next.softly = softly;
        if (info.hasDescription()) {
            next.describedAs(info.description());
        }
        return next;
    }

    /**
     * One metric as a number to assert on, described as {@code what}, then, in parentheses, the
     * family's figures and the top system calls.
     */
    AbstractLongAssert<?> measured(String what, long value) {
        isNotNull();
        String description = info.descriptionText();
        String prefix = description == null || description.isEmpty() ? "" : description + ": ";
        AbstractLongAssert<?> number = softly == null ? Assertions.assertThat(value) : softly.assertThat(value);
        // Built only when the assertion fails: a passing assertion inside a traced test must not
        // format text that the kernel would count as the test's work.
        return number.as(() -> prefix + what + " (" + contexts(family, SyscallFamily.FAMILY).stream()
                .map(context -> Character.toLowerCase(context.heading().charAt(0)) + context.heading().substring(1)
                        + ": " + context.describe(actual))
                .collect(Collectors.joining("; ")) + ")");
    }

    /**
     * Fails with {@code message} (a {@link String#format} pattern), then one line each for the top
     * system calls and the family's figures.
     */
    void failWithContext(String message, Object... arguments) {
        StringBuilder text = new StringBuilder(String.format(message, arguments));
        for (MetricFamily context : contexts(SyscallFamily.FAMILY, family)) {
            text.append(System.lineSeparator()).append(context.heading()).append(": ").append(context.describe(actual));
        }
        // failWithMessage formats with String.format: keep the figures out of the format string.
        failWithMessage("%s", text);
    }

    /**
     * Fails when a percentile of {@code values} is above {@code duration}, with
     * {@code Expected <what> p99 latency at most 2ms but it was 4.11ms}.
     */
    void latencyAtMost(String what, Histogram values, double percentile, String duration) {
        requirePercentile(percentile);
        long limit = Durations.parseNanos(duration);
        long measured = values.getValueAtPercentile(percentile);
        if (measured > limit) {
            failWithContext("Expected %s %s latency at most %s but it was %s", what,
                    DeclaredLimits.percentileLabel(percentile), Durations.format(limit), Durations.format(measured));
        }
    }

    private static Set<MetricFamily> contexts(MetricFamily first, MetricFamily second) {
        return new LinkedHashSet<>(List.of(first, second));
    }

    static void requirePercentile(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside (0, 100]; use e.g. 99 or 99.9");
        }
    }
}
