package io.github.kerneltrace.junit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as written in limits ({@code "64KiB"}, {@code "512KB"}, {@code "100"}). */
final class ByteSizes {

    static final String ACCEPTED = "use a number and an optional unit: B, KB, KiB, MB, MiB, GB, GiB"
            + " (KB = 1000 bytes, KiB = 1024 bytes; e.g. \"64KiB\", \"512KB\")";

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|KiB|MB|MiB|GB|GiB)?");
    private static final String[] BINARY_UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private ByteSizes() {
    }

    /**
     * Parses {@code text} to bytes; a fraction of a byte is rounded down (a limit never grows).
     *
     * @throws IllegalArgumentException naming the value and what is accepted
     */
    static long parseBytes(String text) {
        Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("malformed size \"" + text + "\"; " + ACCEPTED);
        }
        String unit = matcher.group(2) == null ? "B" : matcher.group(2);
        BigDecimal bytes = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(bytesPerUnit(unit)));
        try {
            return bytes.setScale(0, RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large; " + ACCEPTED);
        }
    }

    private static long bytesPerUnit(String unit) {
        switch (unit) {
            case "KB":
                return 1_000L;
            case "KiB":
                return 1L << 10;
            case "MB":
                return 1_000_000L;
            case "MiB":
                return 1L << 20;
            case "GB":
                return 1_000_000_000L;
            case "GiB":
                return 1L << 30;
            default:
                return 1L;
        }
    }

    /**
     * A short human form in binary units: {@code 0 B}, {@code 512 B}, {@code 4.0 KiB}, {@code 1.5 MiB};
     * negative sizes (an address space that shrank) with a minus sign, {@code -8.0 MiB}.
     */
    static String format(long bytes) {
        if (bytes < 0 && bytes != Long.MIN_VALUE) {
            return "-" + format(-bytes);
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).toPlainString() + " " + BINARY_UNITS[unit];
    }
}
