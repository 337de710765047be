package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads allocate more than {@link #value()} of Java heap (objects and
 * arrays, as the JVM's per-thread allocation counters see them; what the garbage collector
 * reclaimed still counts). Threads the test starts are counted when they are still alive at the
 * end of the test method; those that ended before are reported as not counted. Work handed to
 * threads that existed before the test (a pool created earlier) is not the test's. On a JVM that
 * cannot count heap allocation per thread the limit fails rather than pass unchecked.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxHeapAllocation {

    /** A size: a number and an optional unit {@code B}, {@code KB}, {@code KiB}, {@code MB}, {@code MiB}, {@code GB}, {@code GiB}, e.g. {@code "64KiB"}. */
    String value();
}
