package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * Dynamic tests are not traced. A KernelTrace annotation on a {@code @TestFactory} method would
 * pass silently untraced, so the factory fails with the reason; a factory in a traced class that
 * asks for nothing itself runs as usual.
 */
class TestFactoryTest {

    @Test
    void annotationsOnAFactoryFailItWithTheReason() {
        EngineExecutionResults results = Fixtures.run(AnnotatedFactory.class);

        assertThat(results.containerEvents().failed().stream()
                .map(event -> event.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                        .getThrowable().orElseThrow()))
                .singleElement()
                .isInstanceOf(KernelTraceConfigurationException.class)
                .extracting(Throwable::getMessage)
                .isEqualTo("KernelTrace annotations on @TestFactory method AnnotatedFactory.writes() cannot be honoured:"
                        + " dynamic tests are not traced; move the annotations to @Test, @RepeatedTest or"
                        + " @ParameterizedTest methods");
        assertThat(results.testEvents().started().count()).as("no dynamic test ran").isZero();
    }

    @Test
    void aPlainFactoryInATracedClassRunsItsDynamicTests() {
        EngineExecutionResults results = Fixtures.run(PlainFactoryInTracedClass.class);

        assertThat(results.testEvents().succeeded().count()).isEqualTo(2);
        assertThat(results.containerEvents().failed().count()).isZero();
    }

    @Tag("fixture")
    static class AnnotatedFactory {
        @TestFactory
        @MaxSyscalls(value = 1, syscall = "write")
        Stream<DynamicTest> writes() {
            return Stream.of(DynamicTest.dynamicTest("one", () -> { }));
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class PlainFactoryInTracedClass {
        @TestFactory
        Stream<DynamicTest> twoChecks() {
            return Stream.of(DynamicTest.dynamicTest("one", () -> { }), DynamicTest.dynamicTest("two", () -> { }));
        }
    }
}
