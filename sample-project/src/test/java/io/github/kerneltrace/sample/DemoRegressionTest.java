package io.github.kerneltrace.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The demo switch's values, and the message a mistyped one gets. */
class DemoRegressionTest {

    @Test
    void unsetOrBlankIsNoRegression() {
        assertThat(DemoRegression.fromProperty("")).isNull();
        assertThat(DemoRegression.fromProperty("  ")).isNull();
    }

    @Test
    void eachSwitchIsItsDocumentedName() {
        assertThat(DemoRegression.fromProperty("flushEveryFrame")).isEqualTo(DemoRegression.FLUSH_EVERY_FRAME);
        assertThat(DemoRegression.fromProperty("oneMoreCall")).isEqualTo(DemoRegression.ONE_MORE_CALL);
        assertThat(DemoRegression.fromProperty(" slowSync ")).isEqualTo(DemoRegression.SLOW_SYNC);
    }

    @Test
    void aMistypedSwitchNamesTheValidOnes() {
        assertThatIllegalArgumentException().isThrownBy(() -> DemoRegression.fromProperty("oneMoreCal"))
                .withMessage("-Dsample.regression=oneMoreCal is not a demo regression; use one of"
                        + " flushEveryFrame, oneMoreCall, slowSync, or leave it unset");
    }
}
