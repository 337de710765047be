package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets the baseline rule of the metrics whose keys match {@link #metric()}, for a traced test
 * (on a method) or every traced test of a class (on a class), instead of the rule in the baseline
 * file or the default:
 * <pre>
 * &#64;BaselineTolerance(metric = "syscalls.futex.**", rule = "relative 50% min 100")
 * &#64;BaselineTolerance(metric = "syscalls.fdatasync.latencyNanos.p99", rule = "slower 100% p 0.01")
 * </pre>
 * Which rule a metric gets, first found wins: the method's annotations, then its class's, then
 * the enclosing classes' of a {@code @Nested} class, nearest first (in declaration order on each),
 * then the rule written in the baseline file, then the default (docs/baselines.md). Update mode
 * writes the rule that applied. A rule set here for a metric not recorded by default (a scheduler
 * figure, another percentile) makes update mode record it.
 *
 * <p>Does not turn tracing on: the test needs {@link KernelTrace} or a limit annotation.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(BaselineTolerance.List.class)
public @interface BaselineTolerance {

    /**
     * Metric keys ({@code KernelMetrics.list()}, the JSON paths), with two wildcards: {@code *}
     * matches one or more characters within one dot-separated part ({@code syscalls.*.count}: every
     * call's count), {@code **} one or more whole parts ({@code syscalls.futex.**}: every futex
     * figure, {@code errorsByErrno.EAGAIN} included).
     */
    String metric();

    /**
     * {@code exact}, {@code max}, {@code relative <percent>% min <amount>}, or
     * {@code slower <percent>% p <alpha>}. The first three apply to counts and bytes (compared by
     * their median over the repetitions) and are not applied to times even where the pattern
     * matches them; {@code slower} applies to any metric, over all repetitions.
     */
    String rule();

    /** Container for repeated {@code @BaselineTolerance}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @interface List {
        BaselineTolerance[] value();
    }
}
