package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "100, 100",
            "100B, 100",
            "64KiB, 65536",
            "512KB, 512000",
            "1MiB, 1048576",
            "2MB, 2000000",
            "1GiB, 1073741824",
            "3GB, 3000000000",
            "1.5KiB, 1536",
            "' 4 KiB ', 4096",
            "0.5B, 0",   // a fraction of a byte rounds down: a limit never grows
    })
    void parses(String text, long bytes) {
        assertThat(ByteSizes.parseBytes(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"12 parsecs", "-5KiB", "kb", "64kib", "64K", "", "1,5MB"})
    void rejectsMalformedSizesNamingTheValueAndTheUnits(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ByteSizes.parseBytes(text))
                .withMessageStartingWith("malformed size \"" + text + "\"; use a number and an optional unit: B, KB, KiB, MB, MiB, GB, GiB");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0 B",
            "1023, 1023 B",
            "1024, 1.0 KiB",
            "4096, 4.0 KiB",
            "70000, 68.4 KiB",
            "1572864, 1.5 MiB",
            "1073741824, 1.0 GiB",
            "-4096, -4.0 KiB",
            "-5, -5 B",
    })
    void formatsInBinaryUnits(long bytes, String text) {
        assertThat(ByteSizes.format(bytes)).isEqualTo(text);
    }
}
