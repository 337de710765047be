package io.github.kerneltrace.junit;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.extension.ExtensionContext;

import jdk.jfr.FlightRecorder;

/**
 * The flame graphs a test gets: those its {@code @KernelTrace(profile = ...)} asks for (the
 * method's annotation over its class's) and those the run's {@code kerneltrace.profile} adds.
 */
final class DeclaredProfiles {

    private DeclaredProfiles() {
    }

    static Set<Profile> of(ExtensionContext context, KernelTraceConfiguration configuration, TracedTest test) {
        Set<Profile> profiles = EnumSet.noneOf(Profile.class);
        DeclaredScope.find(context).ifPresent(trace -> profiles.addAll(List.of(trace.profile())));
        profiles.addAll(configuration.profiles());
        if (!profiles.isEmpty() && !FlightRecorder.isAvailable()) {
            throw new KernelTraceConfigurationException("flame graphs " + profiles + " asked for " + test.shortName()
                    + ", but this JVM has no Flight Recorder to draw them from (started with -XX:-FlightRecorder,"
                    + " or a runtime without the jdk.jfr module); run the tests on a JDK with it, or ask for no profile");
        }
        return profiles;
    }
}
