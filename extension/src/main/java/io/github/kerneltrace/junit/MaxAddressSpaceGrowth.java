package io.github.kerneltrace.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails the test when its threads grow the process's address space by more than {@link #value()}:
 * bytes mapped by mmap, mremap and brk minus bytes unmapped by munmap, mremap and brk. Mapping is
 * not touching: see {@link MaxPageFaults} for memory actually used.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@ExtendWith(KernelTraceExtension.class)
public @interface MaxAddressSpaceGrowth {

    /** A size: a number and an optional unit {@code B}, {@code KB}, {@code KiB}, {@code MB}, {@code MiB}, {@code GB}, {@code GiB}, e.g. {@code "64KiB"}. */
    String value();
}
