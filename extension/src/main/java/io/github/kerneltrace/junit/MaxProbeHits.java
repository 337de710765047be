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
 * Fails the test when a declared probe ({@link UserProbe}, {@link UsdtProbe}, {@link TracepointProbe},
 * {@link KernelProbe}) was hit more than {@link #value()} times.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(MaxProbeHits.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface MaxProbeHits {

    /** The declared probe's name. */
    String probe();

    /** The most hits allowed. */
    long value();

    /** Container for repeated {@code @MaxProbeHits}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        MaxProbeHits[] value();
    }
}
