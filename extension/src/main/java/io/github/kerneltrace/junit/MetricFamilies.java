package io.github.kerneltrace.junit;

import java.util.List;

/** The metric families the extension knows, in the order reports, summaries and messages show them. */
final class MetricFamilies {

    static final List<MetricFamily> ALL = List.of(SyscallFamily.FAMILY, SchedulerFamily.FAMILY, MemoryFamily.FAMILY,
            JvmFamily.FAMILY, DeclaredProbeFamily.FAMILY);

    private MetricFamilies() {
    }
}
