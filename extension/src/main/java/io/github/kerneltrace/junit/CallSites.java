package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;

/**
 * The Java call sites behind one limit's metric: which of the Flight Recorder's events explain
 * it ({@link #sourceOf}), and those events of the test's threads grouped by {@link CallSite},
 * with how much of the kernel's figure they explain. A metric no Java-level event explains (an
 * {@code openat}, a page fault) says why instead.
 *
 * @param metric          the limit's key, e.g. {@code syscalls.write.count}
 * @param what            what is counted, e.g. {@code write calls}, {@code bytes allocated}
 * @param unit            how {@code explained}, {@code measured} and the sites' weights are counted
 * @param measured        the kernel's (or the JVM's) figure for the metric
 * @param explained       the sum of the sites' weights
 * @param sites           weight by site, largest first
 * @param notAttributable why no Java frame explains this metric, or null
 */
record CallSites(String metric, String what, Limit.Unit unit, long measured, long explained,
                 Map<CallSite, Long> sites, String notAttributable) {

    private static final Pattern SYSCALL_KEY = Pattern.compile("syscalls\\.([a-z0-9_]+)\\..*");

    private static final Set<String> WRITES = Set.of("jdk.FileWrite", "jdk.SocketWrite");
    private static final Set<String> READS = Set.of("jdk.FileRead", "jdk.SocketRead");
    private static final Set<String> ALLOCATIONS = Set.of("jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB");
    /**
     * What takes a thread off its CPU by its own doing, as far as Java sees it. I/O is not among
     * them for counts: most reads and writes of a warm file do not block, and counting them would
     * explain switches that did not happen; it is for time off the CPU, weighed by its duration.
     */
    private static final Set<String> BLOCKING = Set.of("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.ThreadSleep");
    private static final Set<String> BLOCKING_OR_IO = Set.of("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.ThreadSleep",
            "jdk.FileRead", "jdk.FileWrite", "jdk.FileForce", "jdk.SocketRead", "jdk.SocketWrite");

    /** How one event counts towards a metric. */
    enum Weight { EVENTS, ALLOCATED_BYTES, BYTES_WRITTEN, BYTES_READ, DURATION_NANOS }

    /**
     * The events that explain a metric, and how each counts.
     *
     * @param forceWithMetadata for {@code jdk.FileForce}: {@code true} only {@code fsync}s (its field
     *                          {@code metaData}), {@code false} only {@code fdatasync}s, null any
     */
    record Source(Set<String> eventTypes, Weight weight, String what, Limit.Unit unit, Boolean forceWithMetadata) {

        Source(Set<String> eventTypes, Weight weight, String what, Limit.Unit unit) {
            this(eventTypes, weight, what, unit, null);
        }

        boolean explainedBy(RecordedEvent event) {
            return eventTypes.contains(event.getEventType().getName()) && (forceWithMetadata == null
                    || !event.hasField("metaData") || event.getBoolean("metaData") == forceWithMetadata);
        }
    }

    /**
     * The events that explain {@code metric}, or empty when none does: see {@link #notAttributableReason}.
     * A system call's latency limit is explained by the same events as its count.
     */
    static Optional<Source> sourceOf(String metric) {
        Matcher syscall = SYSCALL_KEY.matcher(metric);
        if (syscall.matches()) {
            String name = syscall.group(1);
            boolean bytes = metric.endsWith(".bytes");
            if (metric.endsWith(".errors")) {
                return Optional.empty();
            }
            return switch (name) {
                case "write", "pwrite64", "writev", "pwritev", "pwritev2", "sendto", "sendmsg" -> Optional.of(bytes
                        ? new Source(WRITES, Weight.BYTES_WRITTEN, "written by " + name, Limit.Unit.BYTES)
                        : new Source(WRITES, Weight.EVENTS, name + " calls", Limit.Unit.CALLS));
                case "read", "pread64", "readv", "preadv", "preadv2", "recvfrom", "recvmsg" -> Optional.of(bytes
                        ? new Source(READS, Weight.BYTES_READ, "read by " + name, Limit.Unit.BYTES)
                        : new Source(READS, Weight.EVENTS, name + " calls", Limit.Unit.CALLS));
                // FileChannel.force(true) is an fsync, force(false) an fdatasync
                case "fsync", "fdatasync" -> bytes ? Optional.empty() : Optional.of(new Source(Set.of("jdk.FileForce"),
                        Weight.EVENTS, name + " calls", Limit.Unit.CALLS, name.equals("fsync")));
                case "futex" -> bytes ? Optional.empty() : Optional.of(new Source(
                        Set.of("jdk.ThreadPark", "jdk.JavaMonitorEnter"), Weight.EVENTS, "futex calls", Limit.Unit.CALLS));
                case "nanosleep", "clock_nanosleep" -> bytes ? Optional.empty()
                        : Optional.of(new Source(Set.of("jdk.ThreadSleep"), Weight.EVENTS, name + " calls", Limit.Unit.CALLS));
                default -> Optional.empty();
            };
        }
        return switch (metric) {
            case "totals.bytesWritten" -> Optional.of(new Source(WRITES, Weight.BYTES_WRITTEN, "written", Limit.Unit.BYTES));
            case "totals.bytesRead" -> Optional.of(new Source(READS, Weight.BYTES_READ, "read", Limit.Unit.BYTES));
            case "memory.heap.allocatedBytes" ->
                    Optional.of(new Source(ALLOCATIONS, Weight.ALLOCATED_BYTES, "bytes allocated", Limit.Unit.BYTES));
            case "scheduler.contextSwitches", "scheduler.voluntarySwitches" ->
                    Optional.of(new Source(BLOCKING, Weight.EVENTS, "context switches",
                            Limit.Unit.COUNT));
            case "scheduler.offCpuNanos" -> Optional.of(new Source(BLOCKING_OR_IO, Weight.DURATION_NANOS, "blocked time",
                    Limit.Unit.NANOSECONDS));
            case "scheduler.onCpuNanos", "scheduler.involuntarySwitches" -> Optional.of(new Source(
                    Set.of("jdk.ExecutionSample"), Weight.EVENTS, "CPU samples (every 10 ms)", Limit.Unit.COUNT));
            default -> Optional.empty();
        };
    }

    /** Whether {@code metric} is explained by CPU samples, which the recording takes only for tests that need them. */
    static boolean needsCpuSamples(String metric) {
        return sourceOf(metric).map(source -> source.eventTypes().contains("jdk.ExecutionSample")).orElse(false);
    }

    /** Why no Java frame explains {@code metric}: a reader must never be left with nothing. */
    static String notAttributableReason(String metric) {
        Matcher syscall = SYSCALL_KEY.matcher(metric);
        if (syscall.matches()) {
            return "not attributable to Java frames (the JDK and the JVM make " + syscall.group(1) + " below the"
                    + " Flight Recorder's Java events, which cover file and socket reads, writes and forces, locks,"
                    + " parks, sleeps and allocation only)";
        }
        if (metric.startsWith("memory.native.") || metric.startsWith("memory.pageFaults.")
                || metric.startsWith("memory.addressSpace.")) {
            return "not attributable to Java frames (native memory and page faults have no Java-level event)";
        }
        if (metric.equals("totals.syscalls")) {
            return "not attributable to Java frames as a whole (see the limits on single system calls)";
        }
        return "not attributable to Java frames (no Java-level event explains this figure)";
    }

    /** The sites of {@code events} (already the test's threads and window) that explain {@code metric}. */
    static CallSites of(String metric, long measured, List<RecordedEvent> events) {
        Optional<Source> found = sourceOf(metric);
        if (found.isEmpty()) {
            return new CallSites(metric, metric, Limit.Unit.COUNT, measured, 0, Map.of(), notAttributableReason(metric));
        }
        Source source = found.get();
        Map<CallSite, Long> weights = new LinkedHashMap<>();
        long explained = 0;
        for (RecordedEvent event : events) {
            if (source.explainedBy(event)) {
                long weight = weight(event, source.weight());
                weights.merge(CallSite.of(event.getStackTrace()), weight, Long::sum);
                explained += weight;
            }
        }
        Map<CallSite, Long> sorted = new LinkedHashMap<>();
        weights.entrySet().stream()
                .sorted(Map.Entry.<CallSite, Long>comparingByValue().reversed()
                        .thenComparing(entry -> entry.getKey().shown(), Comparator.naturalOrder()))
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return new CallSites(metric, source.what(), source.unit(), measured, explained, sorted, null);
    }

    private static long weight(RecordedEvent event, Weight weight) {
        return switch (weight) {
            case EVENTS -> 1;
            case ALLOCATED_BYTES -> event.hasField("tlabSize") ? event.getLong("tlabSize") : event.getLong("allocationSize");
            case BYTES_WRITTEN -> Math.max(0, event.getLong("bytesWritten"));
            case BYTES_READ -> Math.max(0, event.getLong("bytesRead"));
            case DURATION_NANOS -> event.getDuration().toNanos();
        };
    }

    /**
     * The lines a failure message shows under the limit, e.g.
     * <pre>
     * call sites: 100 of 100 write calls explained
     *   100 × SegmentLog.flushWriteBuffer(SegmentLog.java:291) ← SegmentLog.appendAll(SegmentLog.java:187)
     * </pre>
     */
    List<String> lines(int top) {
        if (notAttributable != null) {
            return List.of("call sites: " + notAttributable);
        }
        String heading = "call sites: " + summary();
        List<String> lines = new ArrayList<>();
        lines.add(heading);
        sites.entrySet().stream().limit(top).forEach(entry ->
                lines.add("  " + unit.format(entry.getValue()) + " × " + entry.getKey().shown()));
        if (sites.size() > top) {
            lines.add("  … " + (sites.size() - top) + " more site" + (sites.size() - top == 1 ? "" : "s"));
        }
        return lines;
    }

    /** E.g. {@code 100 of 100 write calls explained}, {@code 2.0 MiB in TLABs for 1.9 MiB allocated}. */
    String summary() {
        if (notAttributable != null) {
            return notAttributable;
        }
        if (what.startsWith("CPU samples")) {
            return explained + " " + what + " over " + Durations.format(measured) + " on CPU";
        }
        if (unit == Limit.Unit.BYTES && what.equals("bytes allocated")) {
            // the JVM's figure counts objects; JFR's events count the buffers (TLABs) they were carved from
            return unit.format(explained) + " in new TLABs and outside them, for " + unit.format(measured) + " allocated";
        }
        return unit.format(explained) + " of " + unit.format(measured) + " " + what + " explained";
    }
}
