package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when more than {@link #value()} JIT compilations begin while it runs
 * ({@code hotspot:method__compile__begin}). JVM-wide: the JIT's own threads compile whatever got
 * hot, the test's methods or another's, so use it as a coarse gate on a warm path. Turns on {@link KernelTrace#jvmEvents()} for the test (HotSpot's USDT probes, see there).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxJitCompilations {

    /** The most allowed; zero or more. */
    long value();
}
