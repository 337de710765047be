package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when more than {@link #value()} GC pauses end while it runs ({@code hotspot:gc__begin}
 * / {@code gc__end}); with {@code full = true}, only full collections count (on G1 a
 * {@code System.gc()} is one). A GC pause stops every Java thread, so it is counted for every test
 * whose window is open when it ends, whichever thread's allocation caused it. Turns on {@link KernelTrace#jvmEvents()} for the test (HotSpot's USDT probes, see there).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxGcPauses {

    /** The most pauses allowed; zero or more. */
    long value();

    /** Whether only full collections count. */
    boolean full() default false;
}
