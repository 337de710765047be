package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads are moved to another CPU more than {@link #value()} times
 * (the kernel's {@code se.nr_migrations}). Migrations depend on what else the machine runs: use
 * this as a coarse gate.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxMigrations {

    /** The most migrations allowed; zero or more. */
    long value();
}
