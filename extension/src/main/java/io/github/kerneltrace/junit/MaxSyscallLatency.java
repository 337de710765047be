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
 * Fails the test when the given percentile of one system call's latency (entry to exit) exceeds
 * {@link #value()}. Latencies are noisier than counts: use this as a coarse gate.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxSyscallLatency.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxSyscallLatency {

    /** A system call name as the kernel spells it, e.g. {@code "fsync"}. */
    String syscall();

    /** The percentile checked, greater than 0 and at most 100. */
    double percentile() default 99.0;

    /** The longest latency allowed: a number and a unit {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, e.g. {@code "250us"}, {@code "1.5s"}. */
    String value();

    /** Container for repeated {@code @MaxSyscallLatency}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxSyscallLatency[] value();
    }
}
