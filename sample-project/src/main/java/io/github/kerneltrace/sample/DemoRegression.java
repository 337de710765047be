package io.github.kerneltrace.sample;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Demo switches, not features: {@code -Dsample.regression=<name>} makes the sample slower on
 * purpose, so that people can watch KernelTrace's baseline gate catch a regression
 * (docs/gate-quality.md, sample-project/README.md). Each switch is read where the slower code
 * runs, as {@code if (DemoRegression.X.isOn())}. Unset, the sample is the code its tests describe.
 */
enum DemoRegression {

    /** {@link SegmentLog#appendAll}: a write per record instead of one per batch (1 → 100 writes for a batch of 100). */
    FLUSH_EVERY_FRAME("flushEveryFrame"),

    /** Rolling to a new segment asks the sealed one's size: one {@code fstat} more, in one traced test. */
    ONE_MORE_CALL("oneMoreCall"),

    /** {@link SegmentLog#sync()} pauses twice its commit delay: the pause's {@code futex} wait takes twice as long. */
    SLOW_SYNC("slowSync");

    static final String PROPERTY = "sample.regression";

    /** The switch that is on, or null; read once, when the class is first used. */
    private static final DemoRegression ON = fromProperty(System.getProperty(PROPERTY, ""));

    private final String propertyValue;

    DemoRegression(String propertyValue) {
        this.propertyValue = propertyValue;
    }

    boolean isOn() {
        return this == ON;
    }

    static DemoRegression fromProperty(String value) {
        if (value.isBlank()) {
            return null;
        }
        for (DemoRegression regression : values()) {
            if (regression.propertyValue.equals(value.strip())) {
                return regression;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a demo regression; use one of "
                + Arrays.stream(values()).map(r -> r.propertyValue).collect(Collectors.joining(", "))
                + ", or leave it unset");
    }
}
