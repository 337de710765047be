package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.Map;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * One family of metrics (system calls, scheduler, memory) as the extension handles it: the only
 * place that knows the family's limit annotations, its text in summaries and failure messages,
 * its report entries and its JSON block. The generic code ({@link DeclaredLimits},
 * {@link KernelLimitExceededError}, {@link SummaryLine}, {@link ReportEntries}, {@link JsonReport})
 * iterates over {@link MetricFamilies#ALL}. The family's assertions are its own class, reached from
 * {@link KernelMetricsAssert}. See docs/architecture.md, "Adding a metric family".
 */
interface MetricFamily {

    /**
     * Reads the family's limit annotations on {@code element} (direct, repeated and meta-annotations)
     * into {@code limits}, which validates the values and collects the problems.
     */
    void readLimits(AnnotatedElement element, DeclaredLimits limits);

    /**
     * The heading of the family's context in failure messages, e.g. {@code Scheduler}, shown as
     * {@code Scheduler: <describe>}; and, lower-cased, in the descriptions of metric assertions.
     */
    String heading();

    /** The family's figures in one line, as context for a failure: every figure a limit of the family is set on. */
    String describe(KernelMetrics metrics);

    /**
     * Whether failure messages always show this family's context, not only when a limit or an
     * assertion of the family failed (the top system calls: they usually show what changed).
     */
    default boolean inEveryFailure() {
        return false;
    }

    /** The family's part of the one-line summary, e.g. {@code 12 switches (10 voluntary), on-CPU 3.1ms}; empty when it saw nothing. */
    String summary(KernelMetrics metrics);

    /** Adds the family's JUnit report entries, keyed {@code kerneltrace.<...>}. */
    void putReportEntries(KernelMetrics metrics, Map<String, String> entries);

    /**
     * Writes the family's members of the JSON report, e.g. {@code "scheduler": {...}}; their
     * numeric leaves are at the paths of the family's metric keys ({@code KernelMetrics#list()}).
     */
    void writeJson(KernelMetrics metrics, JsonWriter json);

    /** E.g. {@code 1 switch}, {@code 12 switches}: for the families' text. */
    static String counted(long count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }
}
