package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads ask the C library's allocator for more than {@link #value()}
 * in total (the sizes asked for, whether released later or not). Turns on
 * {@link KernelTrace#nativeAllocations()} for the test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxNativeAllocatedBytes {

    /** A size: a number and an optional unit {@code B}, {@code KB}, {@code KiB}, {@code MB}, {@code MiB}, {@code GB}, {@code GiB}, e.g. {@code "64KiB"}. */
    String value();
}
