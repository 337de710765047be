package io.github.kerneltrace.sample;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.github.kerneltrace.junit.MaxSyscalls;

/**
 * The test makes no durability call of either flavour. A team's own budget annotation, composed
 * from KernelTrace's: the same limits under one name that says what they mean.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@MaxSyscalls(value = 0, syscall = "fsync")
@MaxSyscalls(value = 0, syscall = "fdatasync")
public @interface NoSync {
}
