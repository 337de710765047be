package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads spend more than {@link #value()} blocked in total: from being
 * switched out in a sleeping state (a sleep, a lock, I/O) to the wake-up. The wait for a CPU
 * after the wake-up is run-queue time, not off-CPU time (see {@link MaxRunQueueLatency}).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxOffCpuTime {

    /** The most blocked time allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "20ms"}. */
    String value();
}
