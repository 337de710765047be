package io.github.kerneltrace.junit;

import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Finds the {@link Scope} a test declared: the method's {@link KernelTrace} wins over its class's. */
final class DeclaredScope {

    private DeclaredScope() {
    }

    static Scope of(ExtensionContext context) {
        Optional<KernelTrace> onMethod = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), KernelTrace.class);
        if (onMethod.isPresent()) {
            return onMethod.get().scope();
        }
        for (Class<?> declaring : DeclaringClasses.of(context)) {
            Optional<KernelTrace> onClass = AnnotationSupport.findAnnotation(declaring, KernelTrace.class);
            if (onClass.isPresent()) {
                return onClass.get().scope();
            }
        }
        // Tracing was turned on by a limit annotation alone, or by registering the extension.
        return Scope.TEST;
    }
}
