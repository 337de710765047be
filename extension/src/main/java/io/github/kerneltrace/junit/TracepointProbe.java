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
 * Counts the events of a classic kernel tracepoint, e.g. {@code sched:sched_process_fork}: those
 * of the test's threads, or with {@link ProbeScope#HOST} every one on the host while the test runs
 * (for events with no meaningful current task, such as {@code tcp:tcp_retransmit_skb}, raised in
 * softirq). Needs tracefs, mounted if missing and allowed. Metric key: {@code probes.<name>.hits}.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
@Repeatable(TracepointProbe.List.class)
@ExtendWith(KernelTraceExtension.class)
public @interface TracepointProbe {

    /** The probe's name in limits, assertions and reports: letters, digits, {@code _} and {@code -}. */
    String name();

    /** {@code category:name}, as in /sys/kernel/tracing/available_events, e.g. {@code "signal:signal_generate"}. */
    String tracepoint();

    /** Whose events count: the test's threads (default), or the whole host's. */
    ProbeScope scope() default ProbeScope.TEST_THREADS;

    /** Container for repeated {@code @TracepointProbe}. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Inherited
    @Documented
    @ExtendWith(KernelTraceExtension.class)
    @interface List {
        TracepointProbe[] value();
    }
}
