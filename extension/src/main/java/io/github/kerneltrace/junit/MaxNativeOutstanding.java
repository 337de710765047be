package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when more than {@link #value()} of the native memory its threads allocated is
 * still not released when the test method ends; the failure lists the largest such blocks. See
 * {@link NoNativeLeaks} for "nothing outstanding". Turns on {@link KernelTrace#nativeAllocations()}
 * for the test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxNativeOutstanding {

    /** A size: a number and an optional unit {@code B}, {@code KB}, {@code KiB}, {@code MB}, {@code MiB}, {@code GB}, {@code GiB}, e.g. {@code "64KiB"}. */
    String value();
}
