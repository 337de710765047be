package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when more than {@link #value()} safepoints ({@code hs_private:safepoint__begin} /
 * {@code end}: every Java thread stopped, for a GC, a deoptimization, a biased-lock revocation...)
 * end while it runs. JVM-wide: counted for every test whose window is open. Turns on {@link KernelTrace#jvmEvents()} for the test (HotSpot's USDT probes, see there).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxSafepoints {

    /** The most allowed; zero or more. */
    long value();
}
