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
 * Counts the calls of a kernel function by the test's threads and times them (kprobe and
 * kretprobe). Needs a kernel built with kprobes; elsewhere the test fails before it runs, naming
 * what the kernel lacks (use a {@link TracepointProbe} near the function then). Metric keys as
 * for {@link UserProbe}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(KernelProbe.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface KernelProbe {

    /** The probe's name in limits, assertions and reports: letters, digits, {@code _} and {@code -}. */
    String name();

    /** The kernel function, e.g. {@code "tcp_retransmit_skb"}. */
    String function();

    /** Container for repeated {@code @KernelProbe}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        KernelProbe[] value();
    }
}
