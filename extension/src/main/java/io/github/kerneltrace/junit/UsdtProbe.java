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
 * Counts the hits of a USDT (statically defined) probe in a library of this JVM by the test's
 * threads, e.g. HotSpot's {@code hotspot:thread__park__begin} in libjvm (list a library's probes
 * with {@code readelf -n <file>}). Metric key: {@code probes.<name>.hits}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(UsdtProbe.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface UsdtProbe {

    /** The probe's name in limits, assertions and reports: letters, digits, {@code _} and {@code -}. */
    String name();

    /** The library, as for {@link UserProbe#library()}, e.g. {@code "libjvm"}. */
    String[] library();

    /** The USDT provider, e.g. {@code "hotspot"}. */
    String provider();

    /** The USDT probe, e.g. {@code "thread__park__begin"}. */
    String probe();

    /** Container for repeated {@code @UsdtProbe}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        UsdtProbe[] value();
    }
}
