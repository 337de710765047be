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
 * Fails the test when its threads take more than {@link #value()} page faults of the given
 * {@link #kind()}, all kinds by default. A first touch of each fresh 4 KiB page of anonymous memory
 * is one minor fault, so minor faults measure memory a test really used; major faults waited for
 * the disk.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxPageFaults.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxPageFaults {

    /** The most page faults allowed; zero or more. */
    long value();

    /** Which faults count. */
    FaultKind kind() default FaultKind.ALL;

    /** Container for repeated {@code @MaxPageFaults}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxPageFaults[] value();
    }
}
