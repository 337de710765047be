package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when any native memory its threads allocated is still not released when the
 * test method ends: {@code @MaxNativeOutstanding("0")}. The failure lists the largest outstanding
 * blocks with their size, the allocating function and thread. Turns on
 * {@link KernelTrace#nativeAllocations()} for the test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface NoNativeLeaks {
}
