package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when the given percentile of the GC pauses that ended while it ran (each from
 * {@code gc__begin} to {@code gc__end}) exceeds {@link #value()}. JVM-wide, like {@link MaxGcPauses};
 * a test without pauses measures 0. Turns on {@link KernelTrace#jvmEvents()} for the test (HotSpot's USDT probes, see there).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxGcPauseTime {

    /** The percentile checked, greater than 0 and at most 100; 100 is the longest pause. */
    double percentile() default 99.0;

    /** The longest pause allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "20ms"}. */
    String value();
}
