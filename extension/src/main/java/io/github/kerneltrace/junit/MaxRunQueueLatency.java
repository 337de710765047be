package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when the given percentile of its threads' run-queue waits (from being woken,
 * or preempted, to getting a CPU again) exceeds {@link #value()}. Run-queue latency depends on
 * what else the machine runs: use this as a coarse gate, or to show a starved worker.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxRunQueueLatency.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxRunQueueLatency {

    /** The percentile checked, greater than 0 and at most 100; 100 is the longest wait. */
    double percentile() default 99.0;

    /** The longest wait allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "250us"}, {@code "1.5s"}. */
    String value();

    /** Container for repeated {@code @MaxRunQueueLatency}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxRunQueueLatency[] value();
    }
}
