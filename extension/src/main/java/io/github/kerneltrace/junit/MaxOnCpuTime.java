package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads run on a CPU for more than {@link #value()} in total (user
 * and kernel time, the kernel's {@code sum_exec_runtime}). CPU time depends on the CPU's speed
 * and frequency: use this as a coarse gate.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxOnCpuTime {

    /** The most CPU time allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "50ms"}. */
    String value();
}
