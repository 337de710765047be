package io.github.kerneltrace.junit.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void readsEveryKindOfValueInFileOrder() {
        Object parsed = Json.parse("""
                { "b": 1, "a": [true, false, null, -0.5e1, 12345678901234],
                  "s": "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00", "o": {}, "e": [] }
                """);

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", 1L);
        expected.put("a", java.util.Arrays.asList(true, false, null, -5.0, 12345678901234L));
        expected.put("s", "q\"\\/\b\f\n\r\té😀");
        expected.put("o", Map.of());
        expected.put("e", List.of());
        assertThat(parsed).isEqualTo(expected);
        assertThat(String.join(",", ((Map<String, ?>) parsed).keySet())).isEqualTo("b,a,s,o,e");
    }

    /** Each case: text, then the message. */
    static Stream<Arguments> notJson() {
        return Stream.of(
                Arguments.of("{\"a\": 1,}", "line 1, column 9: expected a member name in quotes but found '}'"),
                Arguments.of("[1, 2,]", "line 1, column 7: expected a value but found ']'"),
                Arguments.of("{\"a\": 1, \"a\": 2}", "line 1, column 10: expected no second member \"a\" but found '\"a\": 2}'"),
                Arguments.of("{\"a\": 1} 2", "line 1, column 10: expected end of the document but found '2'"),
                Arguments.of("{\"a\": 01}", "line 1, column 8: expected '}' but found '1}'"),
                Arguments.of("{\"a\": tru}", "line 1, column 7: expected a value but found 'tru}'"),
                Arguments.of("{\"a\": \"x\\q\"}", "line 1, column 10: expected an escape: one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX but found 'q\"}'"),
                Arguments.of("{\"a\": [1,\n  2", "line 2, column 4: expected ']' but found the end of the text"),
                Arguments.of("", "line 1, column 1: expected a value but found the end of the text"),
                Arguments.of("[1.]", "line 1, column 4: expected a digit after the decimal point but found ']'"),
                Arguments.of("[1e+]", "line 1, column 5: expected a digit in the exponent but found ']'"),
                Arguments.of("[-]", "line 1, column 3: expected a number but found ']'"),
                Arguments.of("[+1]", "line 1, column 2: expected a value but found '+1]'"));
    }

    @ParameterizedTest
    @MethodSource("notJson")
    void rejectsWhatIsNotJsonSayingWhereAndWhat(String text, String message) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void aTruncatedReportIsAnErrorNotAShorterReport() {
        assertThatThrownBy(() -> Json.parse("{\"test\": {\"className\": \"com.exa"))
                .hasMessage("line 1, column 32: expected the closing quote of the string but found the end of the text");
    }

    @Test
    void aControlCharacterInsideAStringIsRejected() {
        assertThatThrownBy(() -> Json.parse("\"a\tb\""))
                .hasMessage("line 1, column 3: expected no control character inside a string (escape it) but found '\\tb\"'");
    }

    @Test
    void whatItWritesItReadsBackEqual() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "line\nbreak \"quoted\" \u2028 \ud800 </script>");
        value.put("numbers", List.of(0L, -7L, Long.MAX_VALUE, 2.5));
        value.put("nested", Map.of("empty", List.of(), "flag", true));
        value.put("nothing", null);

        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
        assertThat(Json.parse(Json.writeCompact(value))).isEqualTo(value);
        assertThat(Json.writeCompact(value)).doesNotContain("\n");
    }
}
