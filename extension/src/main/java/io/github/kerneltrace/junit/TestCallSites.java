package io.github.kerneltrace.junit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;

/**
 * One test's call sites: for each metric asked about (its limits', and its baseline's), the
 * {@link CallSites} of the test's threads in one run's window, and what changed against the
 * baseline's sites ({@link CallSiteChanges}). Made from one dump of {@link JfrRecorder}, of the
 * failing test's re-run ({@link #RE_RUN}).
 *
 * @param byMetric  the sites by metric key, in the order asked
 * @param changes   against the baseline's sites, by metric key: only metrics that changed
 */
record TestCallSites(Map<String, CallSites> byMetric, Map<String, CallSiteChanges> changes) {

    static final TestCallSites NONE = new TestCallSites(Map.of(), Map.of());

    private static final Pattern SYSCALL_FIGURE = Pattern.compile("syscalls\\.([a-z0-9_]+)\\..*");

    TestCallSites {
        byMetric = Collections.unmodifiableMap(new LinkedHashMap<>(byMetric));
        changes = Collections.unmodifiableMap(new LinkedHashMap<>(changes));
    }

    /** Which run the sites are from, as failures and reports say it. */
    static final String RE_RUN = "in a re-run with the Flight Recorder on";

    /**
     * Attributes the Java events of a run's {@code window} to each of {@code metrics}, against the
     * figures of {@code measured} (the run the window was: the diagnostic re-run). Dumps the recording.
     */
    static TestCallSites record(Set<String> metrics, KernelMetrics measured, RunWindow window) {
        List<RecordedEvent> events = window.events();
        Map<String, Long> figures = new LinkedHashMap<>();
        for (Metric metric : measured.list()) {
            figures.put(metric.key(), metric.value());
        }
        Map<String, CallSites> byMetric = new LinkedHashMap<>();
        for (String metric : metrics) {
            String counted = countedFigure(metric);
            byMetric.put(metric, CallSites.of(metric, figures.getOrDefault(counted, 0L), events));
        }
        return new TestCallSites(byMetric, Map.of());
    }

    /**
     * The figure the sites' weights add up to: a system call's count for any of its figures (its
     * latency percentiles are explained by the same calls), else the metric itself.
     */
    static String countedFigure(String metric) {
        Matcher syscall = SYSCALL_FIGURE.matcher(metric);
        return syscall.matches() && !metric.endsWith(".bytes") && !metric.endsWith(".errors")
                ? "syscalls." + syscall.group(1) + ".count" : metric;
    }

    Optional<CallSites> of(String metric) {
        return Optional.ofNullable(byMetric.get(metric));
    }

    TestCallSites withChanges(Map<String, CallSiteChanges> changed) {
        return new TestCallSites(byMetric, changed);
    }

    /** The lines a failure shows under a breached limit: its sites, and how they changed against the baseline. */
    List<String> linesFor(String metric, int top) {
        List<String> lines = new ArrayList<>();
        CallSites sites = byMetric.get(metric);
        if (sites != null) {
            lines.addAll(sites.lines(top));
            if (sites.notAttributable() == null) {
                lines.set(0, lines.get(0) + " (" + RE_RUN + ")");
            }
        }
        CallSiteChanges changed = changes.get(metric);
        if (changed != null) {
            lines.addAll(changed.lines(top));
        }
        return lines;
    }
}
