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
 * Fails the test when it makes more than {@link #value()} system calls: calls of
 * {@link #syscall()} when given, else all calls together. On a class it applies to every test;
 * limits on a method add to the class's. A limit alone also turns tracing on, with scope TEST.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxSyscalls.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxSyscalls {

    /** The most calls allowed; zero or more. */
    long value();

    /** A system call name as the kernel spells it, e.g. {@code "write"}; empty for all calls. */
    String syscall() default "";

    /** Container for repeated {@code @MaxSyscalls}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxSyscalls[] value();
    }
}
