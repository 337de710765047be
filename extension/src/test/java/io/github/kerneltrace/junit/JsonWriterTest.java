package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void writesNestedObjectsAndArraysWithCommasAndIndentation() {
        String json = new JsonWriter().beginObject()
                .member("n", 1L)
                .name("o").beginObject().member("s", "x").member("b", true).endObject()
                .name("empty").beginObject().endObject()
                .name("a").beginArray().value(1L).value(2.5).beginObject().member("k", 0L).endObject().endArray()
                .name("none").beginArray().endArray()
                .endObject().toString();

        assertThat(json).isEqualTo("""
                {
                  "n": 1,
                  "o": {
                    "s": "x",
                    "b": true
                  },
                  "empty": {},
                  "a": [
                    1,
                    2.5,
                    {
                      "k": 0
                    }
                  ],
                  "none": []
                }
                """);
    }

    @Test
    void escapesStrings() {
        String json = new JsonWriter().beginArray()
                .value("quote \" backslash \\ newline \n tab \t bell \u0007 µ")
                .value((String) null)
                .nullValue()
                .endArray().toString();

        assertThat(json).contains("\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 µ\"")
                .endsWith(",\n  null,\n  null\n]\n");
    }

    /** jsoup's TokenQueueTest display names hold lone surrogates; their reports were lost before. */
    @Test
    void escapesUnpairedSurrogatesSoThatAnyStringCanBeWrittenAsUtf8() throws Exception {
        String json = new JsonWriter().beginArray().value("lone \ud800 high, lone \udc00 low, pair \ud83d\ude00").endArray().toString();

        assertThat(json).contains("lone \\ud800 high, lone \\udc00 low, pair \ud83d\ude00");
        java.nio.charset.StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(json)); // throws if unmappable
    }

    @Test
    void writesDoublesAsJsonNumbers() {
        String json = new JsonWriter().beginArray().value(3.0).value(Double.NaN).value(0.25).endArray().toString();

        assertThat(json).isEqualTo("[\n  3.0,\n  null,\n  0.25\n]\n");
    }
}
