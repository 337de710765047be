package io.github.kerneltrace.junit.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text to plain Java values and back, so that the run reports need no JSON library on the
 * user's test class path. Objects are {@code Map<String, Object>} (members in file order), arrays
 * {@code List<Object>}, numbers {@code Long} when integral and {@code Double} otherwise, then
 * {@code String}, {@code Boolean} and {@code null}.
 *
 * <p>Strict (RFC 8259): anything else, such as a trailing comma, a duplicate member, a lone
 * value after the document or a truncated file (a report still being written), is an
 * {@link IllegalArgumentException} that says what was expected at which line and column.
 */
final class Json {

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    static Object parse(String text) {
        Json json = new Json(text);
        Object value = json.value();
        json.skipSpace();
        if (json.at < text.length()) {
            throw json.error("end of the document");
        }
        return value;
    }

    private Object value() {
        skipSpace();
        if (at >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> object = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (peek() == '}') {
            at++;
            return object;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("a member name in quotes");
            }
            int nameAt = at;
            String name = string();
            if (object.containsKey(name)) {
                at = nameAt;
                throw error("no second member \"" + name + "\"");
            }
            skipSpace();
            expect(':');
            object.put(name, value());
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return object;
            }
        }
    }

    private List<Object> array() {
        List<Object> array = new ArrayList<>();
        at++;
        skipSpace();
        if (peek() == ']') {
            at++;
            return array;
        }
        while (true) {
            array.add(value());
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return array;
            }
        }
    }

    private String string() {
        StringBuilder string = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length()) {
                throw error("the closing quote of the string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return string.toString();
            }
            if (c < 0x20) {
                at--;
                throw error("no control character inside a string (escape it)");
            }
            if (c != '\\') {
                string.append(c);
                continue;
            }
            char escaped = at < text.length() ? text.charAt(at++) : 0;
            switch (escaped) {
                case '"', '\\', '/' -> string.append(escaped);
                case 'b' -> string.append('\b');
                case 'f' -> string.append('\f');
                case 'n' -> string.append('\n');
                case 'r' -> string.append('\r');
                case 't' -> string.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length() || !text.substring(at, at + 4).matches("[0-9A-Fa-f]{4}")) {
                        throw error("four hex digits after \\u");
                    }
                    string.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> {
                    at--;
                    throw error("an escape: one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
        }
    }

    /** RFC 8259's number: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private Object number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            throw error("a number");
        }
        boolean integral = true;
        if (peek() == '.') {
            at++;
            integral = false;
            if (!digits()) {
                throw error("a digit after the decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!digits()) {
                throw error("a digit in the exponent");
            }
        }
        String number = text.substring(start, at);
        if (integral) {
            try {
                return Long.parseLong(number);
            } catch (NumberFormatException beyondLong) {
                return Double.parseDouble(number);
            }
        }
        return Double.parseDouble(number);
    }

    /** Skips one or more digits; false if there was none. */
    private boolean digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("a value");
        }
        at += word.length();
        return value;
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        at++;
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private IllegalArgumentException error(String expected) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String found = at >= text.length() ? "the end of the text"
                : "'" + text.substring(at, Math.min(text.length(), at + 12)).replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
        return new IllegalArgumentException("line " + line + ", column " + (at - lineStart + 1)
                + ": expected " + expected + " but found " + found);
    }

    /** A plain Java value (as {@link #parse} returns) as indented JSON text. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "");
        return out.append('\n').toString();
    }

    /** On one line, for data embedded in the HTML report. */
    static String writeCompact(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, null);
        return out.toString();
    }

    /** {@code indent} null: compact. */
    private static void write(Object value, StringBuilder out, String indent) {
        String inner = indent == null ? null : indent + "  ";
        String open = indent == null ? "" : "\n" + inner;
        String close = indent == null ? "" : "\n" + indent;
        if (value instanceof Map<?, ?> object) {
            if (object.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            String separator = open;
            for (Map.Entry<?, ?> member : object.entrySet()) {
                out.append(separator);
                quote(String.valueOf(member.getKey()), out);
                out.append(indent == null ? ":" : ": ");
                write(member.getValue(), out, inner);
                separator = "," + open;
            }
            out.append(close).append('}');
        } else if (value instanceof List<?> array) {
            if (array.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            String separator = open;
            for (Object element : array) {
                out.append(separator);
                write(element, out, inner);
                separator = "," + open;
            }
            out.append(close).append(']');
        } else if (value instanceof String string) {
            quote(string, out);
        } else if (value instanceof Double number && (number.isNaN() || number.isInfinite())) {
            out.append("null"); // JSON has no NaN or infinity
        } else {
            out.append(value); // Long, Integer, Double, Boolean, null
        }
    }

    static void quote(String string, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < string.length(); i++) {
            char c = string.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
