package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads wait for a monitor held by another thread more than
 * {@link #value()} times ({@code hotspot:monitor__contended__enter}): the test's tracked threads
 * only. HotSpot fires this probe only when the JVM was started with
 * {@code -XX:+DTraceMonitorProbes}; without it the limit fails as not measured, saying so. Turns on {@link KernelTrace#jvmEvents()} for the test (HotSpot's USDT probes, see there).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxContendedMonitorEnters {

    /** The most allowed; zero or more. */
    long value();
}
