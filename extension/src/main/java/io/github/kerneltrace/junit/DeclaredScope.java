package io.github.kerneltrace.junit;

import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Finds the {@link KernelTrace} settings a test declared: the method's annotation wins over its
 * class's, an inner class's over its enclosing class's.
 */
final class DeclaredScope {

    private DeclaredScope() {
    }

    static Scope of(ExtensionContext context) {
        return find(context).map(KernelTrace::scope).orElse(Scope.TEST);
    }

    /** Whether the test's system calls are timed; on unless {@code @KernelTrace(latency = false)}. */
    static boolean latency(ExtensionContext context) {
        return find(context).map(KernelTrace::latency).orElse(true);
    }

    /**
     * Whether the test asked for its native allocations to be counted with
     * {@code @KernelTrace(nativeAllocations = true)}; a native-allocation limit asks too, see
     * {@link Limit#needsNativeAllocations()}.
     */
    static boolean nativeAllocations(ExtensionContext context) {
        return find(context).map(KernelTrace::nativeAllocations).orElse(false);
    }

    /** Whether the test asked for JVM events with {@code @KernelTrace(jvmEvents = true)}; a JVM-event limit asks too. */
    static boolean jvmEvents(ExtensionContext context) {
        return find(context).map(KernelTrace::jvmEvents).orElse(false);
    }

    /** The test's {@code @KernelTrace}: the method's, else the nearest class's; empty when tracing came from elsewhere. */
    static Optional<KernelTrace> find(ExtensionContext context) {
        Optional<KernelTrace> onMethod = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), KernelTrace.class);
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Class<?> declaring : DeclaringClasses.of(context)) {
            Optional<KernelTrace> onClass = AnnotationSupport.findAnnotation(declaring, KernelTrace.class);
            if (onClass.isPresent()) {
                return onClass;
            }
        }
        // Tracing was turned on by a limit annotation alone, or by registering the extension.
        return Optional.empty();
    }
}
