package io.github.kerneltrace.junit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written in limits ({@code "250us"}, {@code "1.5s"}), in nanoseconds. */
final class Durations {

    static final String ACCEPTED = "use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")";

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|μs|ms|s)");

    private Durations() {
    }

    /**
     * Parses {@code text} to nanoseconds, rounding fractions of a nanosecond up.
     *
     * @throws IllegalArgumentException naming the value and what is accepted
     */
    static long parseNanos(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("malformed duration \"" + text + "\"; " + ACCEPTED);
        }
        BigDecimal nanos = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit(matcher.group(2))));
        try {
            return nanos.setScale(0, RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long; " + ACCEPTED);
        }
    }

    private static long nanosPerUnit(String unit) {
        switch (unit) {
            case "ns":
                return 1;
            case "us":
            case "µs": // micro sign
            case "μs": // Greek mu: both look alike, so accept both
                return 1_000;
            case "ms":
                return 1_000_000;
            default:
                return 1_000_000_000;
        }
    }

    /** A short human form with at most three significant digits: {@code 800ns}, {@code 35us}, {@code 4.1ms}, {@code 1.5s}. */
    static String format(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return scaled(nanos, 1_000, "us");
        }
        if (nanos < 1_000_000_000) {
            return scaled(nanos, 1_000_000, "ms");
        }
        return scaled(nanos, 1_000_000_000, "s");
    }

    private static String scaled(long value, long unit, String suffix) {
        BigDecimal scaled = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit));
        int integerDigits = scaled.precision() - scaled.scale();
        int decimals = Math.max(0, 3 - integerDigits);
        return scaled.setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + suffix;
    }
}
