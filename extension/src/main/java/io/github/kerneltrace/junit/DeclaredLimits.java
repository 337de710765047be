package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.NativeAllocationMetrics;
import io.github.kerneltrace.probes.metrics.SchedulerMetrics;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * Reads and validates the limits that apply to a test: those on its enclosing classes and its
 * class (for every test), then those on the method (added to them). Direct, repeated and
 * meta-annotations all count.
 */
final class DeclaredLimits {

    private final TracedTest test;
    /**
     * Valid limits by where they were declared (enclosing classes, class, method). Searching the
     * annotations, meta-annotations included, is most of the extension's own cost per test; the
     * answer never changes for a method, so repeated and parameterized invocations, and every
     * later run in the JVM, reuse it.
     */
    private static final Map<List<AnnotatedElement>, List<Limit>> VALID = new ConcurrentHashMap<>();

    private final List<Limit> limits = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private DeclaredLimits(TracedTest test) {
        this.test = test;
    }

    /**
     * @throws KernelTraceConfigurationException listing every bad value, so that the test fails
     *                                           before it runs
     */
    static List<Limit> of(ExtensionContext context, TracedTest test) {
        List<AnnotatedElement> declaring = new ArrayList<>(DeclaringClasses.of(context));
        Collections.reverse(declaring); // outermost class first, then the test class
        declaring.add(context.getRequiredTestMethod());
        List<Limit> known = VALID.get(declaring);
        if (known != null) {
            return known;
        }
        List<Limit> limits = of(declaring, test);
        VALID.put(declaring, limits); // only valid declarations: a bad one is reported every time
        return limits;
    }

    static List<Limit> of(List<? extends AnnotatedElement> declaring, TracedTest test) {
        DeclaredLimits reader = new DeclaredLimits(test);
        for (AnnotatedElement element : declaring) {
            AnnotationSupport.findRepeatableAnnotations(element, MaxSyscalls.class).forEach(reader::add);
            AnnotationSupport.findRepeatableAnnotations(element, MaxSyscallLatency.class).forEach(reader::add);
            AnnotationSupport.findAnnotation(element, MaxBytesWritten.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxBytesRead.class).ifPresent(reader::add);
            AnnotationSupport.findRepeatableAnnotations(element, MaxContextSwitches.class).forEach(reader::add);
            AnnotationSupport.findAnnotation(element, MaxMigrations.class).ifPresent(reader::add);
            AnnotationSupport.findRepeatableAnnotations(element, MaxRunQueueLatency.class).forEach(reader::add);
            AnnotationSupport.findAnnotation(element, MaxOffCpuTime.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxOnCpuTime.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxHeapAllocation.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxNativeAllocations.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxNativeAllocatedBytes.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, MaxNativeOutstanding.class).ifPresent(reader::add);
            AnnotationSupport.findAnnotation(element, NoNativeLeaks.class).ifPresent(reader::add);
            AnnotationSupport.findRepeatableAnnotations(element, MaxPageFaults.class).forEach(reader::add);
            AnnotationSupport.findAnnotation(element, MaxAddressSpaceGrowth.class).ifPresent(reader::add);
        }
        if (!reader.problems.isEmpty()) {
            throw new KernelTraceConfigurationException(String.join("\n", reader.problems));
        }
        return List.copyOf(reader.limits);
    }

    private void add(MaxSyscalls max) {
        if (negative("MaxSyscalls", max.value())) {
            return;
        }
        if (max.syscall().isEmpty()) {
            limits.add(new Limit("syscalls.total", "system calls", max.value(), Limit.Unit.CALLS,
                    "@MaxSyscalls(" + max.value() + ")", metrics -> metrics.totalSyscalls()));
            return;
        }
        String name = max.syscall();
        if (knownSyscall("@MaxSyscalls(syscall = " + quoted(name) + ")", name)) {
            limits.add(new Limit("syscalls." + name + ".count", name + " calls", max.value(), Limit.Unit.CALLS,
                    "@MaxSyscalls(value = " + max.value() + ", syscall = " + quoted(name) + ")",
                    metrics -> metrics.syscall(name).count()));
        }
    }

    private void add(MaxSyscallLatency max) {
        String name = max.syscall();
        boolean valid = knownSyscall("@MaxSyscallLatency(syscall = " + quoted(name) + ")", name);
        double percentile = max.percentile();
        valid &= validPercentile("MaxSyscallLatency", percentile);
        long nanos = duration("MaxSyscallLatency", max.value());
        if (valid && nanos >= 0) {
            String p = percentileLabel(percentile);
            String declaration = "@MaxSyscallLatency(syscall = " + quoted(name)
                    + (percentile == 99.0 ? "" : ", percentile = " + percentileNumber(percentile))
                    + ", value = " + quoted(max.value()) + ")";
            limits.add(new Limit("syscalls." + name + ".latency." + p, name + " " + p + " latency", nanos,
                    Limit.Unit.NANOSECONDS, declaration,
                    metrics -> metrics.syscall(name).latencyNanos().getValueAtPercentile(percentile)));
        }
    }

    private void add(MaxBytesWritten max) {
        addBytes("MaxBytesWritten", max.value(), "bytesWritten", "bytes written", metrics -> metrics.bytesWritten());
    }

    private void add(MaxBytesRead max) {
        addBytes("MaxBytesRead", max.value(), "bytesRead", "bytes read", metrics -> metrics.bytesRead());
    }

    private void addBytes(String annotation, String value, String metric, String label,
                          ToLongFunction<KernelMetrics> measure) {
        addBytes(annotation, value, metric, label, measure, LimitContext.NONE);
    }

    private void addBytes(String annotation, String value, String metric, String label,
                          ToLongFunction<KernelMetrics> measure, LimitContext context) {
        try {
            long bytes = ByteSizes.parseBytes(value);
            limits.add(new Limit(metric, label, bytes, Limit.Unit.BYTES, "@" + annotation + "(" + quoted(value) + ")",
                    measure, context));
        } catch (IllegalArgumentException e) {
            problem("@" + annotation + "(value = " + quoted(value) + ")", e.getMessage());
        }
    }

    private void add(MaxContextSwitches max) {
        if (negative("MaxContextSwitches", max.value())) {
            return;
        }
        SwitchKind kind = max.kind();
        String declaration = kind == SwitchKind.ALL
                ? "@MaxContextSwitches(" + max.value() + ")"
                : "@MaxContextSwitches(value = " + max.value() + ", kind = " + kind + ")";
        switch (kind) {
            case ALL -> limits.add(new Limit("scheduler.contextSwitches", "context switches", max.value(),
                    Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::contextSwitches)));
            case VOLUNTARY -> limits.add(new Limit("scheduler.voluntarySwitches", "voluntary context switches",
                    max.value(), Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::voluntarySwitches)));
            case INVOLUNTARY -> limits.add(new Limit("scheduler.involuntarySwitches", "involuntary context switches",
                    max.value(), Limit.Unit.COUNT, declaration, scheduler(SchedulerMetrics::involuntarySwitches)));
        }
    }

    private void add(MaxMigrations max) {
        if (negative("MaxMigrations", max.value())) {
            return;
        }
        limits.add(new Limit("scheduler.migrations", "CPU migrations", max.value(), Limit.Unit.COUNT,
                "@MaxMigrations(" + max.value() + ")", scheduler(SchedulerMetrics::migrations)));
    }

    private void add(MaxRunQueueLatency max) {
        double percentile = max.percentile();
        boolean valid = validPercentile("MaxRunQueueLatency", percentile);
        long nanos = duration("MaxRunQueueLatency", max.value());
        if (valid && nanos >= 0) {
            String p = percentileLabel(percentile);
            String declaration = percentile == 99.0
                    ? "@MaxRunQueueLatency(" + quoted(max.value()) + ")"
                    : "@MaxRunQueueLatency(percentile = " + percentileNumber(percentile) + ", value = " + quoted(max.value()) + ")";
            limits.add(new Limit("scheduler.runQueueLatency." + p, "run-queue " + p + " latency", nanos,
                    Limit.Unit.NANOSECONDS, declaration,
                    metrics -> metrics.scheduler().runQueueLatencyNanos().getValueAtPercentile(percentile)));
        }
    }

    private void add(MaxOffCpuTime max) {
        long nanos = duration("MaxOffCpuTime", max.value());
        if (nanos >= 0) {
            limits.add(new Limit("scheduler.offCpuTime", "off-CPU time", nanos, Limit.Unit.NANOSECONDS,
                    "@MaxOffCpuTime(" + quoted(max.value()) + ")", scheduler(SchedulerMetrics::offCpuNanos)));
        }
    }

    private void add(MaxOnCpuTime max) {
        long nanos = duration("MaxOnCpuTime", max.value());
        if (nanos >= 0) {
            limits.add(new Limit("scheduler.onCpuTime", "on-CPU time", nanos, Limit.Unit.NANOSECONDS,
                    "@MaxOnCpuTime(" + quoted(max.value()) + ")", scheduler(SchedulerMetrics::onCpuNanos)));
        }
    }

    private void add(MaxHeapAllocation max) {
        addBytes("MaxHeapAllocation", max.value(), "memory.heap.allocatedBytes", "heap allocated",
                metrics -> metrics.memory().heapAllocatedBytes(), MemoryLimitContext.HEAP);
    }

    private void add(MaxNativeAllocations max) {
        if (negative("MaxNativeAllocations", max.value())) {
            return;
        }
        limits.add(new Limit(Limit.NATIVE_PREFIX + "allocations", "native allocations", max.value(), Limit.Unit.COUNT,
                "@MaxNativeAllocations(" + max.value() + ")", nativeAllocations(NativeAllocationMetrics::allocations),
                MemoryLimitContext.NATIVE));
    }

    private void add(MaxNativeAllocatedBytes max) {
        addBytes("MaxNativeAllocatedBytes", max.value(), Limit.NATIVE_PREFIX + "allocatedBytes", "native bytes allocated",
                nativeAllocations(NativeAllocationMetrics::allocatedBytes), MemoryLimitContext.NATIVE);
    }

    private void add(MaxNativeOutstanding max) {
        addBytes("MaxNativeOutstanding", max.value(), Limit.NATIVE_PREFIX + "outstandingBytes", "native bytes outstanding",
                nativeAllocations(NativeAllocationMetrics::outstandingBytes), MemoryLimitContext.NATIVE_OUTSTANDING);
    }

    private void add(NoNativeLeaks noLeaks) {
        limits.add(new Limit(Limit.NATIVE_PREFIX + "outstandingBytes", "native bytes outstanding", 0, Limit.Unit.BYTES,
                "@NoNativeLeaks", nativeAllocations(NativeAllocationMetrics::outstandingBytes),
                MemoryLimitContext.NATIVE_OUTSTANDING));
    }

    private void add(MaxPageFaults max) {
        if (negative("MaxPageFaults", max.value())) {
            return;
        }
        FaultKind kind = max.kind();
        String declaration = kind == FaultKind.ALL
                ? "@MaxPageFaults(" + max.value() + ")"
                : "@MaxPageFaults(value = " + max.value() + ", kind = " + kind + ")";
        switch (kind) {
            case ALL -> limits.add(new Limit("memory.pageFaults", "page faults", max.value(), Limit.Unit.COUNT,
                    declaration, metrics -> metrics.memory().pageFaults()));
            case MINOR -> limits.add(new Limit("memory.pageFaults.minor", "minor page faults", max.value(),
                    Limit.Unit.COUNT, declaration, metrics -> metrics.memory().minorFaults()));
            case MAJOR -> limits.add(new Limit("memory.pageFaults.major", "major page faults", max.value(),
                    Limit.Unit.COUNT, declaration, metrics -> metrics.memory().majorFaults()));
        }
    }

    private void add(MaxAddressSpaceGrowth max) {
        addBytes("MaxAddressSpaceGrowth", max.value(), "memory.addressSpace.growthBytes", "address-space growth",
                metrics -> metrics.memory().addressSpaceGrowthBytes());
    }

    private static ToLongFunction<KernelMetrics> nativeAllocations(ToLongFunction<NativeAllocationMetrics> measure) {
        return metrics -> measure.applyAsLong(metrics.memory().nativeAllocations());
    }

    private static ToLongFunction<KernelMetrics> scheduler(ToLongFunction<SchedulerMetrics> measure) {
        return metrics -> measure.applyAsLong(metrics.scheduler());
    }

    /** Whether {@code value} is a negative count, after recording the problem. */
    private boolean negative(String annotation, long value) {
        if (value >= 0) {
            return false;
        }
        problem("@" + annotation + "(value = " + value + ")", "negative limit " + value + "; use 0 or more");
        return true;
    }

    private boolean validPercentile(String annotation, double percentile) {
        if (percentile > 0 && percentile <= 100) {
            return true;
        }
        problem("@" + annotation + "(percentile = " + percentile + ")", "percentile " + percentile
                + " is outside (0, 100]; use a number greater than 0 and at most 100, e.g. 99 or 99.9");
        return false;
    }

    /** The duration in nanoseconds, or -1 after recording the problem. */
    private long duration(String annotation, String value) {
        try {
            return Durations.parseNanos(value);
        } catch (IllegalArgumentException e) {
            problem("@" + annotation + "(value = " + quoted(value) + ")", e.getMessage());
            return -1;
        }
    }

    private boolean knownSyscall(String attribute, String name) {
        if (name.isBlank()) {
            problem(attribute, "a system call name is required, e.g. \"write\"");
            return false;
        }
        try {
            SyscallTable.current().requireKnown(name);
            return true;
        } catch (IllegalArgumentException e) {
            problem(attribute, e.getMessage());
            return false;
        }
    }

    private void problem(String attribute, String message) {
        problems.add(attribute + " on " + test.shortName() + ": " + message);
    }

    /** {@code p99}, {@code p99.9}, {@code p50}. */
    static String percentileLabel(double percentile) {
        return "p" + percentileNumber(percentile);
    }

    private static String percentileNumber(double percentile) {
        return BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
