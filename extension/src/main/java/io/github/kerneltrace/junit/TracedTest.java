package io.github.kerneltrace.junit;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The names of one traced test invocation, as messages and reports show them.
 *
 * @param className   the test class's binary name, e.g. {@code com.example.AppendLogTest}
 * @param methodName  the test method's name
 * @param displayName JUnit's display name of the invocation
 * @param uniqueId    JUnit's unique id of the invocation
 * @param shortName   for messages, e.g. {@code AppendLogTest.append()}; a parameterized or repeated
 *                    invocation adds its display name, e.g. {@code AppendLogTest.append(int) [2] 64}
 * @param repeated    whether the method runs more than once (a test template), so that names
 *                    derived from class and method alone would collide
 */
record TracedTest(String className, String methodName, String displayName, String uniqueId,
                  String shortName, boolean repeated) {

    static TracedTest of(ExtensionContext context, boolean repeated) {
        Method method = context.getRequiredTestMethod();
        Class<?> testClass = context.getRequiredTestClass();
        String parameters = Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName)
                .collect(Collectors.joining(", "));
        String shortName = testClass.getSimpleName() + "." + method.getName() + "(" + parameters + ")";
        if (repeated) {
            shortName += " " + context.getDisplayName();
        }
        return new TracedTest(testClass.getName(), method.getName(), context.getDisplayName(),
                context.getUniqueId(), shortName, repeated);
    }
}
