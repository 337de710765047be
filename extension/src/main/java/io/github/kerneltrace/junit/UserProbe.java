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
 * Counts the calls of a function in a library of this JVM made by the test's threads, and times
 * each one from entry to return (a uprobe and a uretprobe, attached for this test only). Limits
 * and assertions name it by {@link #name()}: {@code @MaxProbeHits(probe = "deflate", value = 10)},
 * {@code assertThat(metrics).probe("deflate").hits()}; its metric keys are
 * {@code probes.<name>.hits} and {@code probes.<name>.latencyNanos.*}.
 *
 * <p>Nested and recursive calls: each entry is a hit; only the outermost call of a thread is
 * timed (an inner call's time is part of it).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(UserProbe.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface UserProbe {

    /** The probe's name in limits, assertions and reports: letters, digits, {@code _} and {@code -}. */
    String name();

    /**
     * The library: a name such as {@code "libz"}, {@code "libc"}, {@code "libjvm"} (the file mapped into
     * this JVM whose name starts with {@code libz.so} or {@code libz-}), or an absolute path. Several:
     * the first mapped one that defines {@link #function()} is probed, e.g. {@code {"libz", "libzip"}}
     * for zlib, which some JDKs bundle inside libzip.
     */
    String[] library();

    /** The function's symbol, e.g. {@code "deflate"}. */
    String function();

    /** Container for repeated {@code @UserProbe}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        UserProbe[] value();
    }
}
