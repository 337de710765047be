package io.github.kerneltrace.junit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The extension's configuration parameters, read through JUnit so that system properties and
 * {@code junit-platform.properties} both work.
 *
 * @param require   {@code kerneltrace.require}: fail, rather than skip, tests that cannot be traced
 * @param summary   {@code kerneltrace.summary}: print one line per traced test, and the run report's
 *                  table at the end (default true)
 * @param reportDir {@code kerneltrace.reportDir}: where JSON reports go (default {@code target/kerneltrace})
 * @param followHandOffs {@code kerneltrace.followHandOffs}: under scope TEST, count the work the test's
 *                  threads hand to threads that existed before it (default true)
 * @param histogramLogs {@code kerneltrace.histogramLogs}: write each traced test's histograms as an
 *                  {@code .hlog} beside its JSON (default true; made on the report writer's thread,
 *                  like the JSON: the cold per-test figure of cold-suite.sh did not move with it off)
 * @param failOnUncountedHandOffs {@code kerneltrace.uncountedHandOffs}: {@code report} (default) or
 *                  {@code fail} a test whose threads handed work to threads that are not counted
 * @param parallelExecution JUnit's own {@code junit.jupiter.execution.parallel.enabled}, read as JUnit
 *                  reads it: tests run on the workers of JUnit's pool
 * @param callSites {@code kerneltrace.callSites}: {@code onFailure} (default) records the Java stacks of
 *                  tests with limits or baselines with the JVM's Flight Recorder and shows a failing
 *                  test's call sites; {@code off} records nothing ({@link JfrRecorder})
 * @param topCallSites {@code kerneltrace.callSites.top}: how many call sites a failure shows per limit (default 3)
 * @param profiles  {@code kerneltrace.profile}: flame graphs for every traced test, besides those its
 *                  {@code @KernelTrace(profile = ...)} asks for: {@code all}, or names such as
 *                  {@code cpu,off-cpu} (default none)
 */
record KernelTraceConfiguration(boolean require, boolean summary, Path reportDir, boolean followHandOffs,
                                boolean failOnUncountedHandOffs, boolean histogramLogs, boolean parallelExecution,
                                boolean callSites, int topCallSites, Set<Profile> profiles) {

    static final String REQUIRE = "kerneltrace.require";
    static final String SUMMARY = "kerneltrace.summary";
    static final String REPORT_DIR = "kerneltrace.reportDir";
    static final String DEFAULT_REPORT_DIR = "target/kerneltrace";
    static final String FOLLOW_HAND_OFFS = "kerneltrace.followHandOffs";
    static final String UNCOUNTED_HAND_OFFS = "kerneltrace.uncountedHandOffs";
    static final String HISTOGRAM_LOGS = "kerneltrace.histogramLogs";
    static final String PARALLEL_EXECUTION = "junit.jupiter.execution.parallel.enabled";
    static final String CALL_SITES = "kerneltrace.callSites";
    static final String TOP_CALL_SITES = "kerneltrace.callSites.top";
    static final String PROFILE = "kerneltrace.profile";

    static KernelTraceConfiguration of(ExtensionContext context) {
        return new KernelTraceConfiguration(
                flag(context, REQUIRE, false),
                flag(context, SUMMARY, true),
                Path.of(context.getConfigurationParameter(REPORT_DIR).orElse(DEFAULT_REPORT_DIR)),
                flag(context, FOLLOW_HAND_OFFS, true),
                either(context, UNCOUNTED_HAND_OFFS, "report", "fail"),
                flag(context, HISTOGRAM_LOGS, true),
                // JUnit's key, so JUnit's reading: anything but "true" is false, never an error of ours
                context.getConfigurationParameter(PARALLEL_EXECUTION, value -> Boolean.parseBoolean(value.strip())).orElse(false),
                !either(context, CALL_SITES, "onFailure", "off"),
                topCallSites(context),
                profiles(context));
    }

    private static int topCallSites(ExtensionContext context) {
        String value = context.getConfigurationParameter(TOP_CALL_SITES).map(String::strip).orElse("");
        if (value.isEmpty()) {
            return 3;
        }
        try {
            int top = Integer.parseInt(value);
            if (top >= 1) {
                return top;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new KernelTraceConfigurationException(
                "configuration parameter " + TOP_CALL_SITES + " = \"" + value + "\"; use a whole number of at least 1");
    }

    /** {@code all}, {@code none}, or profile names separated by commas, e.g. {@code cpu, off-cpu}. */
    private static Set<Profile> profiles(ExtensionContext context) {
        String value = context.getConfigurationParameter(PROFILE).map(String::strip).orElse("");
        Set<Profile> profiles = EnumSet.noneOf(Profile.class);
        if (value.isEmpty() || value.equalsIgnoreCase("none")) {
            return profiles;
        }
        if (value.equalsIgnoreCase("all")) {
            return EnumSet.allOf(Profile.class);
        }
        for (String name : value.split(",")) {
            String wanted = name.strip();
            profiles.add(Arrays.stream(Profile.values())
                    .filter(profile -> profile.parameterName().equalsIgnoreCase(wanted) || profile.name().equalsIgnoreCase(wanted))
                    .findFirst()
                    .orElseThrow(() -> new KernelTraceConfigurationException("configuration parameter " + PROFILE
                            + " = \"" + value + "\": no flame graph is called \"" + wanted + "\"; use all, none, or some of "
                            + Arrays.stream(Profile.values()).map(Profile::parameterName).collect(Collectors.joining(", "))
                            + " separated by commas")));
        }
        return profiles;
    }

    /**
     * A parameter that is one of two words: false for {@code unset} (also when it is not set),
     * true for {@code set}; any other value is a configuration error naming both.
     */
    private static boolean either(ExtensionContext context, String key, String unset, String set) {
        String value = context.getConfigurationParameter(key).map(String::strip).orElse("");
        if (value.isEmpty() || value.equalsIgnoreCase(unset)) {
            return false;
        }
        if (value.equalsIgnoreCase(set)) {
            return true;
        }
        throw new KernelTraceConfigurationException(
                "configuration parameter " + key + " = \"" + value + "\"; use " + unset + " or " + set);
    }

    static boolean flag(ExtensionContext context, String key, boolean otherwise) {
        return context.getConfigurationParameter(key)
                .map(String::strip)
                .filter(value -> !value.isEmpty())
                .map(value -> {
                    if (value.equalsIgnoreCase("true")) {
                        return true;
                    }
                    if (value.equalsIgnoreCase("false")) {
                        return false;
                    }
                    throw new KernelTraceConfigurationException(
                            "configuration parameter " + key + " = \"" + value + "\"; use true or false");
                })
                .orElse(otherwise);
    }
}
