package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The frame names on a flame graph page of async-profiler's renderer: it keeps each name once, in
 * a constant pool where each name is written as the length of the prefix it shares with the one
 * before (a character, 32 + length) and the rest. Decoded here as the page's own script does.
 */
final class FlamePages {

    private static final Pattern POOL = Pattern.compile("const cpool = \\[(.*?)\\];", Pattern.DOTALL);
    private static final Pattern ENTRY = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    private FlamePages() {
    }

    static List<String> frames(String html) {
        Matcher pool = POOL.matcher(html);
        if (!pool.find()) {
            throw new AssertionError("no constant pool in the page");
        }
        List<String> names = new ArrayList<>();
        Matcher entry = ENTRY.matcher(pool.group(1));
        while (entry.find()) {
            String packed = entry.group(1).replace("\\'", "'").replace("\\\\", "\\");
            if (names.isEmpty()) {
                names.add(packed);
            } else {
                String previous = names.get(names.size() - 1);
                names.add(previous.substring(0, packed.charAt(0) - 32) + packed.substring(1));
            }
        }
        return names;
    }
}
