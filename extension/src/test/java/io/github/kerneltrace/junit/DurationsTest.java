package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "800ns, 800",
            "250us, 250000",
            "250µs, 250000",
            "2ms, 2000000",
            "1.5s, 1500000000",
            "0.5ns, 1",       // a fraction of a nanosecond rounds up
            "' 3 ms ', 3000000",
            "0s, 0",
    })
    void parses(String text, long nanos) {
        assertThat(Durations.parseNanos(text)).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2 millis", "2", "ms", "-1ms", "1.ms", "2MS", "1e3ns", ""})
    void rejectsMalformedDurationsNamingTheValueAndTheUnits(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parseNanos(text))
                .withMessage("malformed duration \"" + text + "\"; use a number and a unit: ns, us, ms, s (e.g. \"250us\", \"2ms\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999s"})
    void rejectsDurationsBeyondALong(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parseNanos(text)).withMessageContaining("too long");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0ns",
            "800, 800ns",
            "35000, 35us",
            "35400, 35.4us",
            "4100000, 4.1ms",
            "4114000, 4.11ms",
            "123456789, 123ms",
            "1500000000, 1.5s",
    })
    void formatsWithAtMostThreeSignificantDigits(long nanos, String text) {
        assertThat(Durations.format(nanos)).isEqualTo(text);
    }
}
