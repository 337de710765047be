package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.ExtensionContext;

/** The classes whose annotations apply to a test: its class, then the classes enclosing a {@code @Nested} class. */
final class DeclaringClasses {

    private DeclaringClasses() {
    }

    /** Innermost first. */
    static List<Class<?>> of(ExtensionContext context) {
        List<Class<?>> classes = new ArrayList<>();
        Class<?> current = context.getRequiredTestClass();
        classes.add(current);
        // A @Nested class is an inner (non-static) class; its outer classes' settings reach it
        // just as the outer classes' extensions do.
        while (current.getEnclosingClass() != null && !java.lang.reflect.Modifier.isStatic(current.getModifiers())) {
            current = current.getEnclosingClass();
            classes.add(current);
        }
        return classes;
    }
}
