package io.github.kerneltrace.junit;

import java.util.Optional;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * When JVM-event limits can be checked: the figures exist only where HotSpot's probes were
 * attached for the test (a JVM limit asks for that), and contended monitor enters only where the
 * JVM was started with {@code -XX:+DTraceMonitorProbes}. A limit never passes on a 0 nobody counted.
 */
enum JvmLimitContext implements LimitContext {

    /** GC pauses, safepoints, parks, sleeps, compilations, loaded classes: measured once counted. */
    EVENTS {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            return metrics.jvm().counted() ? Optional.empty() : Optional.of(JvmFamily.notCounted(metrics.jvm()));
        }
    },

    /** Contended monitor enters: also need the JVM's start-up flag. */
    MONITORS {
        @Override
        public Optional<String> notMeasured(KernelMetrics metrics) {
            if (!metrics.jvm().counted()) {
                return Optional.of(JvmFamily.notCounted(metrics.jvm()));
            }
            return metrics.jvm().monitorsCounted() ? Optional.empty()
                    : Optional.of("contended monitor enters " + metrics.jvm().monitorsNotCountedReason());
        }
    };

    @Override
    public boolean needsJvmEvents() {
        return true;
    }
}
