package io.github.kerneltrace.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs fixture classes (nested classes tagged "fixture", which surefire never runs itself)
 * through the Jupiter engine, as a build would.
 */
final class Fixtures {

    private Fixtures() {
    }

    static EngineExecutionResults run(Class<?> fixture, Map<String, String> configuration) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("kerneltrace.summary", "false")
                .configurationParameters(configuration)
                .selectors(selectClass(fixture))
                .execute();
        ReportFiles.flush(); // the test kit opens no launcher session, whose end would flush them
        return results;
    }

    static EngineExecutionResults run(Class<?> fixture) {
        return run(fixture, Map.of());
    }

    /** The throwable a finished test ended with, found by the test method's name. */
    static Throwable throwableOf(Events tests, String methodName) {
        Event finished = tests.finished().stream()
                .filter(event -> event.getTestDescriptor().getDisplayName().startsWith(methodName + "("))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no finished test " + methodName + " in " + names(tests)));
        Optional<Throwable> throwable = finished.getRequiredPayload(TestExecutionResult.class).getThrowable();
        return throwable.orElseThrow(() -> new AssertionError(methodName + " ended without a throwable"));
    }

    static TestExecutionResult.Status statusOf(Events tests, String methodName) {
        return tests.finished().stream()
                .filter(event -> event.getTestDescriptor().getDisplayName().startsWith(methodName + "("))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no finished test " + methodName + " in " + names(tests)))
                .getRequiredPayload(TestExecutionResult.class).getStatus();
    }

    private static List<String> names(Events tests) {
        return tests.stream().map(event -> event.getTestDescriptor().getDisplayName()).distinct().toList();
    }
}
