package io.github.kerneltrace.junit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

import one.convert.Arguments;
import one.convert.FlameGraph;

/**
 * A traced test's flame graphs: one self-contained HTML page per {@link Profile} it asked for,
 * drawn by async-profiler's own renderer (its {@code jfr-converter}: the page has its script and
 * styles inline and loads nothing). Each page's title says what it shows and how much of the
 * kernel's count its stacks cover, where the kernel counts the same thing.
 */
final class FlameGraphs {

    /** The execution sampling period asked of JFR: the shortest it accepts (JDK 17 and 25 both honour it). */
    static final String SAMPLING_PERIOD = "1 ms";

    /** Write-like system calls as the kernel counts them, for the share a {@link Profile#WRITES} graph explains. */
    private static final List<String> WRITE_CALLS = List.of("write", "pwrite64", "writev", "pwritev", "pwritev2",
            "sendto", "sendmsg");
    private static final List<String> READ_CALLS = List.of("read", "pread64", "readv", "preadv", "preadv2",
            "recvfrom", "recvmsg");
    private static final List<String> FORCE_CALLS = List.of("fsync", "fdatasync");

    /**
     * One page.
     *
     * @param file      its file name, beside the test's JSON report
     * @param title     the page's heading
     * @param coverage  the kernel's side, e.g. {@code "100 of the kernel's 100 write calls"}; empty where the kernel counts nothing alike
     */
    record Graph(Profile profile, String file, String title, long events, long weight, String unit, String coverage,
                 String html) {
    }

    private FlameGraphs() {
    }

    /**
     * What {@code profiles} ask of the Flight Recorder ({@link JfrRecorder}'s lease settings): each
     * of their events with its stack at every duration, and Java execution sampled every
     * {@value #SAMPLING_PERIOD}.
     */
    static Map<String, String> settings(Set<Profile> profiles) {
        Map<String, String> settings = new HashMap<>();
        for (Profile profile : profiles) {
            for (String event : profile.eventNames()) {
                settings.put(event + "#enabled", "true");
                settings.put(event + "#stackTrace", "true");
                if (event.equals("jdk.ExecutionSample")) {
                    settings.put(event + "#period", SAMPLING_PERIOD);
                } else {
                    settings.put(event + "#threshold", "0 ms");
                }
            }
        }
        return settings;
    }

    /**
     * @param jsonFileName the test's JSON report's file name: each page is named after it,
     *                     {@code <name>.flame-<profile>.html}
     */
    static List<Graph> render(Set<Profile> profiles, List<RecordedEvent> events, TracedTest test, KernelMetrics kernel,
                              String jsonFileName) {
        String stem = jsonFileName.endsWith(".json") ? jsonFileName.substring(0, jsonFileName.length() - 5) : jsonFileName;
        List<Graph> graphs = new ArrayList<>();
        for (Profile profile : Profile.values()) {
            if (!profiles.contains(profile)) {
                continue;
            }
            FlameStacks stacks = FlameStacks.of(profile, events, test.className(), test.methodName());
            String coverage = coverage(stacks, kernel);
            String title = test.shortName() + ": " + profile.title() + ", " + amount(stacks)
                    + (coverage.isEmpty() ? "" : " (" + coverage + ")");
            graphs.add(new Graph(profile, fileName(stem, profile), title, stacks.events(), stacks.weight(), stacks.unit(),
                    coverage, page(title, stacks)));
        }
        return graphs;
    }

    static String fileName(String stem, Profile profile) {
        return stem + ".flame-" + profile.parameterName() + ".html";
    }

    /** What the stacks add up to, in words. */
    static String amount(FlameStacks stacks) {
        long events = stacks.events();
        return switch (stacks.profile()) {
            case CPU -> count(events, "sample") + ", one every " + SAMPLING_PERIOD + " of Java code running";
            case OFF_CPU -> count(events, "wait") + ", " + Durations.format(stacks.weight() * 1000) + " in all";
            // A short test's few samples each weigh a whole TLAB: the sum may exceed what it allocated.
            case ALLOCATION -> count(events, "allocation sample") + " (new TLABs and objects outside them), "
                    + ByteSizes.format(stacks.weight()) + " by their sizes";
            case WRITES -> count(events, "Java write");
            case READS -> count(events, "Java read");
            case FORCES -> count(events, "Java force");
        };
    }

    private static String count(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /** How much of what the kernel counted the stacks account for; empty where it counted nothing comparable. */
    static String coverage(FlameStacks stacks, KernelMetrics kernel) {
        if (kernel == null) {
            return "";
        }
        return switch (stacks.profile()) {
            case CPU -> kernel.scheduler().onCpuNanos() > 0
                    ? "kernel: " + Durations.format(kernel.scheduler().onCpuNanos()) + " on-CPU" : "";
            case OFF_CPU -> kernel.scheduler().offCpuNanos() > 0
                    ? "kernel: " + Durations.format(kernel.scheduler().offCpuNanos()) + " off-CPU" : "";
            case ALLOCATION -> kernel.memory().heapAllocatedBytes() > 0
                    ? "kernel's count: " + ByteSizes.format(kernel.memory().heapAllocatedBytes()) + " allocated" : "";
            case WRITES -> share(stacks, kernel, WRITE_CALLS, "write calls");
            case READS -> share(stacks, kernel, READ_CALLS, "read calls");
            case FORCES -> share(stacks, kernel, FORCE_CALLS, "fsync/fdatasync calls");
        };
    }

    private static String share(FlameStacks stacks, KernelMetrics kernel, List<String> calls, String what) {
        long counted = calls.stream()
                .mapToLong(call -> kernel.syscalls().containsKey(call) ? kernel.syscalls().get(call).count() : 0)
                .sum();
        return stacks.events() + " of the kernel's " + counted + " " + what;
    }

    /** The self-contained HTML page of async-profiler's renderer. */
    static String page(String title, FlameStacks stacks) {
        // The renderer puts the title into the page as it is: escaped here.
        FlameGraph graph = new FlameGraph(new Arguments("--title", escape(title)));
        try {
            graph.parseCollapsed(new StringReader(stacks.collapsed()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
        ByteArrayOutputStream html = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(html, false, StandardCharsets.UTF_8)) {
            graph.dump(out);
        }
        return html.toString(StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
