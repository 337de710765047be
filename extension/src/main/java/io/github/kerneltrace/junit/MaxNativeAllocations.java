package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads make more than {@link #value()} successful native allocations:
 * calls of malloc, calloc, realloc, posix_memalign or aligned_alloc that returned memory. Turns
 * on {@link KernelTrace#nativeAllocations()} for the test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxNativeAllocations {

    /** The most allocations allowed; zero or more. */
    long value();
}
