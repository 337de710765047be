package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/** The warm-up runs to its end: an assertion in it that failed would leave the classes after it unloaded, silently. */
class AssertionWarmUpTest {

    @Test
    void everyAssertionMeantToPassPasses() {
        assertThatCode(AssertionWarmUp::useAssertions).doesNotThrowAnyException();
    }
}
