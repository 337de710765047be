package io.github.kerneltrace.probes.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * Everything the kernel counted for one traced test. Immutable; obtained from a
 * {@link io.github.kerneltrace.probes.TraceSlot}.
 */
public final class KernelMetrics {

    private final Map<String, SyscallMetrics> syscalls;
    private final long bytesRead;
    private final long bytesWritten;
    private final Diagnostics diagnostics;
    private final SchedulerMetrics scheduler;
    private final MemoryMetrics memory;
    private final DeclaredProbeMetrics probes;
    private final JvmEventMetrics jvm;

    /**
     * Starts metrics from the family objects; families not given are {@code NONE} (nothing
     * observed). E.g.
     * <pre>
     * KernelMetrics.builder().syscalls(calls, bytesRead, bytesWritten).scheduler(scheduler)
     *         .memory(memory).diagnostics(diagnostics).build();
     * </pre>
     */
    public static Builder builder() {
        return new Builder();
    }

    /** System calls only; the same as {@link #builder()} with those. */
    public KernelMetrics(Collection<SyscallMetrics> syscalls, long bytesRead, long bytesWritten,
                         Diagnostics diagnostics) {
        this(builder().syscalls(syscalls, bytesRead, bytesWritten).diagnostics(diagnostics));
    }

    /** System calls and scheduler; the same as {@link #builder()} with those. */
    public KernelMetrics(Collection<SyscallMetrics> syscalls, long bytesRead, long bytesWritten,
                         Diagnostics diagnostics, SchedulerMetrics scheduler) {
        this(builder().syscalls(syscalls, bytesRead, bytesWritten).diagnostics(diagnostics).scheduler(scheduler));
    }

    /** Every family; the same as {@link #builder()} with those. */
    public KernelMetrics(Collection<SyscallMetrics> syscalls, long bytesRead, long bytesWritten,
                         Diagnostics diagnostics, SchedulerMetrics scheduler, MemoryMetrics memory) {
        this(builder().syscalls(syscalls, bytesRead, bytesWritten).diagnostics(diagnostics).scheduler(scheduler)
                .memory(memory));
    }

    private KernelMetrics(Builder families) {
        this.scheduler = families.scheduler;
        this.memory = families.memory;
        this.probes = families.probes;
        this.jvm = families.jvm;
        this.syscalls = families.syscalls.stream()
                .sorted(Comparator.comparingLong(SyscallMetrics::count).reversed()
                        .thenComparing(SyscallMetrics::name))
                .collect(Collectors.toMap(SyscallMetrics::name, s -> s, (a, b) -> a, LinkedHashMap::new));
        this.bytesRead = families.bytesRead;
        this.bytesWritten = families.bytesWritten;
        this.diagnostics = families.diagnostics;
    }

    /** Collects the families of one test's metrics; see {@link KernelMetrics#builder()}. */
    public static final class Builder {

        private Collection<SyscallMetrics> syscalls = List.of();
        private long bytesRead;
        private long bytesWritten;
        private SchedulerMetrics scheduler = SchedulerMetrics.NONE;
        private MemoryMetrics memory = MemoryMetrics.NONE;
        private DeclaredProbeMetrics probes = DeclaredProbeMetrics.NONE;
        private JvmEventMetrics jvm = JvmEventMetrics.NOT_COUNTED;
        private Diagnostics diagnostics = Diagnostics.NONE;

        private Builder() {
        }

        /** The system calls made (any order), and the bytes the reading and writing calls moved. */
        public Builder syscalls(Collection<SyscallMetrics> syscalls, long bytesRead, long bytesWritten) {
            this.syscalls = List.copyOf(syscalls);
            this.bytesRead = bytesRead;
            this.bytesWritten = bytesWritten;
            return this;
        }

        public Builder scheduler(SchedulerMetrics scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder memory(MemoryMetrics memory) {
            this.memory = memory;
            return this;
        }

        public Builder probes(DeclaredProbeMetrics probes) {
            this.probes = probes;
            return this;
        }

        public Builder jvm(JvmEventMetrics jvm) {
            this.jvm = jvm;
            return this;
        }

        public Builder diagnostics(Diagnostics diagnostics) {
            this.diagnostics = diagnostics;
            return this;
        }

        public KernelMetrics build() {
            return new KernelMetrics(this);
        }
    }

    /**
     * Every metric, keyed by its path in the JSON report: the totals ({@code totals.syscalls},
     * {@code totals.errors}, {@code totals.bytesRead}, {@code totals.bytesWritten}), then each
     * system call made (most frequent first), the scheduler and memory (see {@link Metric} and the
     * families' {@code list()}). Diagnostics say how the counting went and are not metrics.
     */
    public List<Metric> list() {
        List<Metric> metrics = new ArrayList<>();
        metrics.add(new Metric("totals.syscalls", Metric.Unit.CALLS, totalSyscalls()));
        metrics.add(new Metric("totals.errors", Metric.Unit.CALLS, totalErrors()));
        metrics.add(new Metric("totals.bytesRead", Metric.Unit.BYTES, bytesRead));
        metrics.add(new Metric("totals.bytesWritten", Metric.Unit.BYTES, bytesWritten));
        syscalls.values().forEach(syscall -> metrics.addAll(syscall.list()));
        metrics.addAll(scheduler.list());
        metrics.addAll(memory.list());
        metrics.addAll(probes.list());
        metrics.addAll(jvm.list());
        return metrics;
    }

    /** Every system call made at least once, most frequent first. */
    public Map<String, SyscallMetrics> syscalls() {
        return java.util.Collections.unmodifiableMap(syscalls);
    }

    /**
     * One system call by name; a call that was not made gives zero counts.
     *
     * @throws IllegalArgumentException if this machine's kernel has no system call of that name
     */
    public SyscallMetrics syscall(String name) {
        SyscallMetrics made = syscalls.get(name);
        if (made != null) {
            return made;
        }
        SyscallTable.current().requireKnown(name);
        return SyscallMetrics.none(name);
    }

    /** The most frequent system calls, at most {@code limit}. */
    public List<SyscallMetrics> topSyscalls(int limit) {
        return syscalls.values().stream().limit(limit).collect(Collectors.toList());
    }

    public long totalSyscalls() {
        return syscalls.values().stream().mapToLong(SyscallMetrics::count).sum();
    }

    public long totalErrors() {
        return syscalls.values().stream().mapToLong(SyscallMetrics::errors).sum();
    }

    /** Bytes returned by read, pread64, readv, preadv, preadv2, recvfrom, recvmsg. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes returned by write, pwrite64, writev, pwritev, pwritev2, sendto, sendmsg, sendfile. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Latency of all completed system calls together, in nanoseconds. */
    public Histogram syscallLatencyNanos() {
        Histogram all = LatencyHistograms.create();
        syscalls.values().forEach(s -> all.add(s.latencyNanos()));
        return all;
    }

    /** Context switches, migrations, on-CPU, run-queue and off-CPU time of the test's threads. */
    public SchedulerMetrics scheduler() {
        return scheduler;
    }

    /** Heap and native allocation, page faults and address-space growth of the test's threads. */
    public MemoryMetrics memory() {
        return memory;
    }

    /** The probes the test declared (none: {@link DeclaredProbeMetrics#NONE}). */
    public DeclaredProbeMetrics probes() {
        return probes;
    }

    /** GC pauses, safepoints, parks, sleeps, JIT compilations, loaded classes (HotSpot's probes), when counted. */
    public JvmEventMetrics jvm() {
        return jvm;
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }

    /**
     * How the counting went: what was followed (children, and work handed to existing threads),
     * anything lost because a kernel map was full (dropped latency samples or errno breakdowns:
     * the histograms are incomplete; lost children: threads or processes the test created were
     * not counted at all), and the system calls set apart because a signal handler made them
     * (a sampling profiler's, the JVM's own: not the test's work, so not in its counts).
     */
    public record Diagnostics(long followedChildren, long unmatchedExits, long restartedCalls,
                              long droppedLatencies, long droppedErrors, long lostChildren, HandOffs handOffs,
                              long signalHandlerCalls) {
        public static final Diagnostics NONE = new Diagnostics(0, 0, 0, 0, 0, 0);

        public Diagnostics(long followedChildren, long unmatchedExits, long restartedCalls,
                           long droppedLatencies, long droppedErrors, long lostChildren, HandOffs handOffs) {
            this(followedChildren, unmatchedExits, restartedCalls, droppedLatencies, droppedErrors, lostChildren, handOffs, 0);
        }

        public Diagnostics(long followedChildren, long unmatchedExits, long restartedCalls,
                           long droppedLatencies, long droppedErrors, long lostChildren) {
            this(followedChildren, unmatchedExits, restartedCalls, droppedLatencies, droppedErrors, lostChildren, HandOffs.NONE);
        }

        /** True when some events could not be recorded because a kernel map was full. */
        public boolean lostSamples() {
            return droppedLatencies > 0 || droppedErrors > 0 || lostChildren > 0;
        }

        /** One sentence on what was lost, for reports; empty when nothing was. */
        public String describeLosses() {
            if (!lostSamples()) {
                return "";
            }
            return "incomplete: " + droppedLatencies + " latency samples and " + droppedErrors
                    + " errno counts dropped, " + lostChildren + " child threads/processes not followed"
                    + " (kernel maps full: too many traced tests or threads at once)";
        }
    }
}
