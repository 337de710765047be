package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON reading for tests of the reports: objects, arrays, strings, numbers, true, false, null. */
final class JsonTree {

    private final String text;
    private int at;

    private JsonTree(String text) {
        this.text = text;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text) {
        return (Map<String, Object>) new JsonTree(text).value();
    }

    /** The value at a dot-separated path; fails naming the path when it is not there. */
    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> root, String path) {
        Object node = root;
        for (String name : path.split("\\.")) {
            assertThat(node).as(path).isInstanceOf(Map.class);
            Map<String, Object> object = (Map<String, Object>) node;
            assertThat(object).as(path).containsKey(name);
            node = object.get(name);
        }
        return node;
    }

    private Object value() {
        skipSpace();
        char c = text.charAt(at);
        if (c == '{') {
            Map<String, Object> object = new LinkedHashMap<>();
            at++;
            skipSpace();
            if (text.charAt(at) == '}') {
                at++;
                return object;
            }
            do {
                skipSpace();
                String name = (String) value();
                skipSpace();
                expect(':');
                object.put(name, value());
                skipSpace();
            } while (text.charAt(at++) == ',');
            return object;
        }
        if (c == '[') {
            List<Object> array = new ArrayList<>();
            at++;
            skipSpace();
            if (text.charAt(at) == ']') {
                at++;
                return array;
            }
            do {
                array.add(value());
                skipSpace();
            } while (text.charAt(at++) == ',');
            return array;
        }
        if (c == '"') {
            StringBuilder string = new StringBuilder();
            at++;
            while (text.charAt(at) != '"') {
                char next = text.charAt(at++);
                if (next == '\\') {
                    char escaped = text.charAt(at++);
                    string.append(escaped == 'u' ? (char) Integer.parseInt(text.substring(at, at += 4), 16)
                            : escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped);
                } else {
                    string.append(next);
                }
            }
            at++;
            return string.toString();
        }
        int start = at;
        while (at < text.length() && "{}[],: \n\t\r".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        String word = text.substring(start, at);
        return switch (word) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            default -> word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
        };
    }

    private void expect(char c) {
        if (text.charAt(at++) != c) {
            throw new IllegalStateException("expected '" + c + "' at " + (at - 1) + " in " + text);
        }
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }
}
