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
 * Fails the test when the given percentile of a timed probe's latency ({@link UserProbe},
 * {@link KernelProbe}: entry to return of the outermost calls) exceeds {@link #value()}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxProbeLatency.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxProbeLatency {

    /** The declared probe's name. */
    String probe();

    /** The percentile checked, greater than 0 and at most 100. */
    double percentile() default 99.0;

    /** The longest latency allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "2ms"}. */
    String value();

    /** Container for repeated {@code @MaxProbeLatency}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxProbeLatency[] value();
    }
}
