package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Traces a test (on a method) or every test of a class (on a class) with eBPF: while the test
 * method runs, the kernel counts the system calls of the threads selected by {@link #scope()}.
 * Limits such as {@link MaxSyscalls} are then checked, metrics are reported, and a
 * {@link KernelTraceSession} parameter gives the test its own metrics.
 *
 * <p>Usable as a meta-annotation. A method-level {@code @KernelTrace} overrides the class-level one.
 *
 * <p>With {@link #warmups()} and {@link #repetitions()} the test method runs several times in one
 * test: first the warm-ups, whose counts are discarded, then each repetition counted on its own. {@code @BeforeEach}
 * and {@code @AfterEach} run once around all of them. How the repetitions are combined for limits
 * and baselines is in docs/baselines.md ("Repetitions").
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface KernelTrace {

    /** Which threads are counted; the test's thread and everything it starts by default. */
    Scope scope() default Scope.TEST;

    /**
     * Whether to time each system call (an HdrHistogram per call, for {@link MaxSyscallLatency}
     * and the reports). Off, calls, failures and bytes are still counted exactly, and each
     * traced call costs the test's threads about a fifth less (see docs/performance.md); a
     * {@code @MaxSyscallLatency} on such a test is an error.
     */
    boolean latency() default true;

    /**
     * Whether to count the native allocations of the test's threads (malloc, calloc, realloc, free,
     * posix_memalign, aligned_alloc), for {@link MaxNativeAllocations}, {@link NoNativeLeaks} and
     * the reports. Off by default because it attaches uprobes to the C library's allocator: while
     * they are attached, every allocator call of every thread of the JVM traps into the kernel,
     * a few µs per malloc+free pair (see docs/performance.md). They are attached only while a test that asks
     * is traced, so only those tests pay. A native-allocation limit on a test turns this on.
     * Java heap allocation, page faults and address-space growth are measured either way.
     */
    boolean nativeAllocations() default false;

    /**
     * Whether to count JVM events from HotSpot's own USDT probes: GC pauses and safepoints (count and
     * time; JVM-wide, they stop every thread), parks and sleeps of the test's threads (count and
     * time), JIT compilations (JVM-wide), classes the test's threads load, and contended monitor
     * enters (only in a JVM started with {@code -XX:+DTraceMonitorProbes}). Off by default: while
     * attached, every probe site traps (about a microsecond) in every thread of the JVM that passes
     * it. Any JVM-event limit ({@link MaxGcPauses}, {@link MaxParks}...) turns this on.
     */
    boolean jvmEvents() default false;

    /**
     * How many times the test method runs before the repetitions, so that first-run work (class
     * loading reading jars, JIT compilation, caches filling) is not measured: what a warm-up
     * counts is discarded, neither checked, reported nor compared. (It is counted all the same, so
     * that {@link KernelTraceSession#metrics()} works inside the method in every run.) A failure in a
     * warm-up fails the test at once.
     */
    int warmups() default 0;

    /**
     * How many times the test method runs traced, each run counted on its own. Limits are checked
     * against the median of the repetitions, counts and bytes are compared with a baseline by their
     * median, and times are compared over all repetitions by a rank test, which needs at least 5
     * (see docs/baselines.md). Left at 1, the configuration parameter {@code kerneltrace.repetitions}
     * applies when set ({@code kerneltrace.warmups} likewise for warm-ups left at 0). A failure in
     * any repetition fails the test at once; the
     * {@link KernelTraceSession} shows the repetition running, and afterwards the last one.
     */
    int repetitions() default 1;

    /**
     * Flame graphs to draw of the test's threads while its method runs (the last repetition's, with
     * {@link #repetitions()}): on-CPU, off-CPU (blocked), heap allocation, writes, reads, forces. Each
     * is a self-contained HTML page beside the test's JSON report, linked from it and from the run's
     * HTML report. None by default: recording them costs the test time (docs/user-guide.md,
     * "Flame graphs"). The configuration parameter {@code kerneltrace.profile} (e.g. {@code all}, or
     * {@code cpu,off-cpu}) adds graphs for every traced test of a run, for a re-run that diagnoses.
     */
    Profile[] profile() default {};
}
