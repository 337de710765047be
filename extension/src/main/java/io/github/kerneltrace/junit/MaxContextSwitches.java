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
 * Fails the test when its threads are switched out more than {@link #value()} times: of the
 * given {@link #kind()}, all kinds by default. {@code @MaxContextSwitches(value = 3, kind =
 * VOLUNTARY)} reads "this path must not block more than 3 times"; voluntary switches of a path
 * that blocks a known number of times are exact, involuntary ones depend on the machine's load
 * (see docs/metrics.md).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxContextSwitches.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxContextSwitches {

    /** The most switches allowed; zero or more. */
    long value();

    /** Which switches count. */
    SwitchKind kind() default SwitchKind.ALL;

    /** Container for repeated {@code @MaxContextSwitches}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxContextSwitches[] value();
    }
}
