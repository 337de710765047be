package io.github.kerneltrace.probes.metrics;

import org.HdrHistogram.Histogram;

/**
 * One declared probe's figures.
 *
 * @param name         the name the test gave it
 * @param target       what it is attached to, for reports: "uprobe deflate in /usr/lib/.../libz.so.1.2.13"
 * @param host         whether it counts every thread of the host (events with no meaningful current task),
 *                     not only the test's
 * @param hits         events seen while counting (every call, nested ones included)
 * @param latencyNanos entry→return time of the outermost calls, or null for probes that do not time
 */
public record ProbeMetrics(String name, String target, boolean host, long hits, Histogram latencyNanos) {

    /** Whether the probe times calls (uprobes and kprobes do). */
    public boolean timed() {
        return latencyNanos != null;
    }
}
