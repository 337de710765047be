package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

/**
 * One flame graph's stacks: the JFR events of a {@link Profile} folded into collapsed stacks
 * ({@code frame;frame;frame} root first, each with its summed weight), the input format of
 * flame graph renderers. Frames read {@code SimpleClass.method:line}, as a stack trace names them;
 * a suffix tells the renderer how the frame ran ({@code _[0]} interpreted, {@code _[j]} compiled,
 * {@code _[i]} inlined), which sets its colour.
 *
 * <p>A stack of the test's own thread starts at the test method: what JUnit and KernelTrace
 * run below it is the same in every test and would only push the test's code up the graph.
 *
 * @param stacks  weight by collapsed stack, in a stable order
 * @param events  how many events were folded in
 * @param weight  the sum of the weights: events, microseconds or bytes, as {@link #unit()} says
 */
record FlameStacks(Profile profile, Map<String, Long> stacks, long events, long weight) {

    /**
     * @param testClass  the test class's binary name, and {@code testMethod} its method's name:
     *                   where a stack of the test's thread is cut
     */
    static FlameStacks of(Profile profile, List<RecordedEvent> events, String testClass, String testMethod) {
        Map<String, Long> stacks = new TreeMap<>();
        long count = 0;
        long total = 0;
        for (RecordedEvent event : events) {
            String type = event.getEventType().getName();
            if (!profile.eventNames().contains(type)) {
                continue;
            }
            long weight = weight(profile, event);
            count++;
            total += weight;
            stacks.merge(collapse(profile, event, testClass, testMethod), weight, Long::sum);
        }
        return new FlameStacks(profile, stacks, count, total);
    }

    /** What a stack's weight counts: samples, microseconds blocked, bytes, or events. */
    String unit() {
        return switch (profile) {
            case CPU -> "samples";
            case OFF_CPU -> "µs";
            case ALLOCATION -> "bytes";
            case WRITES, READS, FORCES -> "events";
        };
    }

    /** The renderer's input: one {@code stack weight} line per stack. */
    String collapsed() {
        StringBuilder text = new StringBuilder();
        stacks.forEach((stack, weight) -> text.append(stack).append(' ').append(weight).append('\n'));
        return text.toString();
    }

    private static long weight(Profile profile, RecordedEvent event) {
        return switch (profile) {
            case CPU, WRITES, READS, FORCES -> 1;
            // Rounded up: a wait shorter than a microsecond still shows, as one.
            case OFF_CPU -> Math.max(1, (event.getDuration().toNanos() + 999) / 1000);
            case ALLOCATION -> event.getEventType().getName().equals("jdk.ObjectAllocationInNewTLAB")
                    ? event.getLong("tlabSize") : event.getLong("allocationSize");
        };
    }

    private static String collapse(Profile profile, RecordedEvent event, String testClass, String testMethod) {
        List<String> frames = new ArrayList<>(); // root first
        RecordedStackTrace trace = event.getStackTrace();
        if (trace == null) {
            frames.add("[no Java stack]");
        } else {
            List<RecordedFrame> leafFirst = trace.getFrames();
            int root = leafFirst.size() - 1;
            for (int i = leafFirst.size() - 1; i >= 0; i--) {
                RecordedFrame frame = leafFirst.get(i);
                if (frame.isJavaFrame() && frame.getMethod().getType().getName().equals(testClass)
                        && frame.getMethod().getName().equals(testMethod)) {
                    root = i;
                    break;
                }
            }
            if (root == leafFirst.size() - 1 && trace.isTruncated()) {
                frames.add("[stack truncated]");
            }
            for (int i = root; i >= 0; i--) {
                frames.add(name(leafFirst.get(i)));
            }
        }
        String leaf = leaf(profile, event);
        if (leaf != null) {
            frames.add(leaf);
        }
        return String.join(";", frames);
    }

    /** What a blocked or allocating stack ended in, as a frame of its own: the wait's kind, or the class allocated. */
    private static String leaf(Profile profile, RecordedEvent event) {
        return switch (profile) {
            case OFF_CPU -> "[" + event.getEventType().getLabel() + "]";
            case ALLOCATION -> {
                RecordedClass allocated = event.getClass("objectClass");
                yield allocated == null ? null : clean(typeName(allocated.getName()));
            }
            default -> null;
        };
    }

    private static String name(RecordedFrame frame) {
        String simple = simpleName(frame.getMethod().getType().getName());
        String line = frame.getLineNumber() > 0 ? ":" + frame.getLineNumber() : "";
        String suffix = switch (frame.getType()) {
            case "Interpreted" -> "_[0]";
            case "JIT compiled" -> "_[j]";
            case "Inlined" -> "_[i]";
            default -> ""; // native: the renderer colours it by name
        };
        return clean(simple + "." + frame.getMethod().getName() + line) + suffix;
    }

    /**
     * A class's name without its package: {@code SegmentLog}, {@code SegmentLog$Batch}; a lambda's
     * class, {@code SegmentLog$$Lambda$14/0x…} (JFR names it {@code SegmentLog$$Lambda$14.1716932897}),
     * reads {@code SegmentLog$$Lambda}.
     */
    static String simpleName(String binaryName) {
        int lambda = binaryName.indexOf("$$Lambda");
        String named = lambda >= 0 ? binaryName.substring(0, lambda) : binaryName;
        String simple = named.substring(named.lastIndexOf('.') + 1);
        return lambda >= 0 ? simple + "$$Lambda" : simple;
    }

    /** An allocated class as Java spells it: JFR names arrays by descriptor ({@code [B}, {@code [Ljava.lang.String;}). */
    static String typeName(String name) {
        int dimensions = 0;
        while (dimensions < name.length() && name.charAt(dimensions) == '[') {
            dimensions++;
        }
        if (dimensions == 0) {
            return name;
        }
        String element = name.substring(dimensions);
        String type = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "S" -> "short";
            case "I" -> "int";
            case "J" -> "long";
            case "F" -> "float";
            case "D" -> "double";
            case "Z" -> "boolean";
            default -> element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1) : element;
        };
        return type + "[]".repeat(dimensions);
    }

    /** A collapsed stack is split at ';' and its weight at the last space. */
    private static String clean(String frame) {
        return frame.replace(';', ',').replace(' ', '_');
    }
}
