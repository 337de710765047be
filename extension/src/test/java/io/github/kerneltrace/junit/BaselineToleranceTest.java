package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.testkit.engine.EngineExecutionResults;


/**
 * Rules set in code with {@link BaselineTolerance}: which one wins (method, class, enclosing
 * class, the file, the default), what update mode writes, what the patterns match, and bad ones.
 */
class BaselineToleranceTest {

    @TempDir
    Path directory;

    @Test
    void updateWritesTheRuleThatAppliedMethodBeforeClassBeforeEnclosingClassBeforeDefault() throws IOException {
        assertThat(run("update").testEvents().failed().count()).isZero();

        String outer = Files.readString(directory.resolve(Tolerant.class.getName() + ".baseline"));
        assertThat(outer)
                .contains("\nclassRule() :: syscalls.write.count = 3 relative 50% min 1\n")
                .contains("\nclassRule() :: syscalls.write.bytes = 3 relative 50% min 1\n")
                .contains("\nclassRule() :: syscalls.fsync.count = 1 relative 100% min 5\n") // the class's third
                .contains("\nclassRule() :: syscalls.fsync.errors = 0 exact\n") // the default: no rule matches
                .doesNotContain("classRule() :: syscalls.fsync.latencyNanos") // exact is a count rule: not for times
                .contains("\nmethodRule() :: syscalls.write.count = 3 max\n") // the method's, declared first
                .contains("\nmethodRule() :: syscalls.write.bytes = 3 relative 10% min 0\n") // the method's second
                .contains("\nmethodRule() :: syscalls.lseek.count = 1 relative 50% min 1\n"); // the class's
        String inner = Files.readString(directory.resolve(Tolerant.Inner.class.getName() + ".baseline"));
        assertThat(inner)
                .contains("\nenclosingRule() :: syscalls.write.count = 3 relative 50% min 1\n")
                .contains("\nenclosingRule() :: syscalls.openat.count = 2 relative 100% min 5\n")
                .contains("\nenclosingRule() :: totals.syscalls = 7 relative 25% min 50\n");
    }

    @Test
    void aRuleInCodeWinsOverARuleEditedInTheFileWhichWinsOverTheDefault() throws IOException {
        run("update");
        Path file = directory.resolve(Tolerant.class.getName() + ".baseline");
        String recorded = Files.readString(file);
        // In code: relative 50% min 1, so 2 → 3 (+1) passes whatever the file says.
        // No rule in code for openat's errors: the file's edited rule applies.
        Files.writeString(file, recorded
                .replace("classRule() :: syscalls.write.count = 3 relative 50% min 1", "classRule() :: syscalls.write.count = 2 exact")
                .replace("classRule() :: syscalls.openat.errors = 1 exact", "classRule() :: syscalls.openat.errors = 0 relative 100% min 1"));
        assertThat(Fixtures.statusOf(run("compare").testEvents(), "classRule")).isEqualTo(Status.SUCCESSFUL);

        Files.writeString(file, recorded.replace("classRule() :: syscalls.openat.errors = 1 exact", "classRule() :: syscalls.openat.errors = 0 exact"));
        assertThat(Fixtures.throwableOf(run("compare").testEvents(), "classRule"))
                .hasMessageContaining("\n  - syscalls.openat.errors: 0 → 1 (+1, exact)\n");

        run("update");
        assertThat(Files.readString(file)).as("update writes the rule in code over the file's")
                .contains("\nclassRule() :: syscalls.write.count = 3 relative 50% min 1\n");
    }

    @Test
    void oneStarIsOnePartTwoStarsAreWholeParts() {
        Pattern everyCount = Pattern.compile(DeclaredTolerances.toRegex("syscalls.*.count"));
        assertThat(everyCount.matcher("syscalls.write.count").matches()).isTrue();
        assertThat(everyCount.matcher("syscalls.write.latencyNanos.count").matches()).isFalse();
        assertThat(everyCount.matcher("syscalls..count").matches()).isFalse();
        Pattern futex = Pattern.compile(DeclaredTolerances.toRegex("syscalls.futex.**"));
        assertThat(futex.matcher("syscalls.futex.errorsByErrno.EAGAIN").matches()).isTrue();
        assertThat(futex.matcher("syscalls.futex.count").matches()).isTrue();
        assertThat(futex.matcher("syscalls.futex").matches()).isFalse();
        assertThat(futex.matcher("syscalls.futexes.count").matches()).isFalse();
    }

    @Test
    void aBadRuleOrPatternFailsTheTestNamingTheAnnotationTheTestAndTheSyntax() {
        EngineExecutionResults results = Fixtures.run(BadlyTolerant.class);

        assertThat(Fixtures.throwableOf(results.testEvents(), "badRule")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@BaselineTolerance(metric = \"syscalls.write.count\", rule = \"within 5%\") on BadlyTolerant.badRule():"
                        + " the rule must be exact, max, relative <percent>% min <amount> (e.g. relative 5% min 3),"
                        + " or for times slower <percent>% p <alpha> (e.g. slower 50% p 0.01)");
        assertThat(Fixtures.throwableOf(results.testEvents(), "badPattern")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessage("@BaselineTolerance(metric = \"syscalls write\", rule = \"exact\") on BadlyTolerant.badPattern():"
                        + " the metric must be a metric key such as syscalls.write.count, whose dot-separated parts may use"
                        + " * (one or more characters within a part) and ** (one or more whole parts), e.g. syscalls.futex.**");
        assertThat(Fixtures.throwableOf(results.testEvents(), "badAlpha")).isInstanceOf(KernelTraceConfigurationException.class)
                .hasMessageStartingWith("@BaselineTolerance(metric = \"syscalls.*.latencyNanos.p50\", rule = \"slower 50% p 5\")"
                        + " on BadlyTolerant.badAlpha(): the rule must be");
    }

    private EngineExecutionResults run(String mode) {
        return Fixtures.run(Tolerant.class, Map.of(ClassBaseline.DIRECTORY, directory.toString(), ClassBaseline.MODE, mode));
    }

    @Tag("fixture")
    @KernelTrace
    @BaselineTolerance(metric = "syscalls.write.*", rule = "relative 50% min 1")
    @BaselineTolerance(metric = "syscalls.lseek.**", rule = "relative 50% min 1")
    @BaselineTolerance(metric = "syscalls.*.count", rule = "relative 100% min 5")
    static class Tolerant {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.CANNED));

        @Test
        @BaselineTolerance(metric = "syscalls.fsync.latencyNanos.p50", rule = "exact") // a count rule: not for times
        void classRule() {
        }

        @Test
        @BaselineTolerance(metric = "syscalls.write.count", rule = "max")
        @BaselineTolerance(metric = "syscalls.write.**", rule = "relative 10% min 0")
        void methodRule() {
        }

        @Nested
        @BaselineTolerance(metric = "syscalls.write.count", rule = "relative 50% min 1")
        class Inner {

            @Test
            void enclosingRule() {
            }
        }
    }

    @Tag("fixture")
    @KernelTrace
    static class BadlyTolerant {

        @RegisterExtension
        static final StandInBackend TRACING = new StandInBackend(FakeTracingBackend.measuring(FakeTracingBackend.CANNED));

        @Test
        @BaselineTolerance(metric = "syscalls.write.count", rule = "within 5%")
        void badRule() {
        }

        @Test
        @BaselineTolerance(metric = "syscalls write", rule = "exact")
        void badPattern() {
        }

        @Test
        @BaselineTolerance(metric = "syscalls.*.latencyNanos.p50", rule = "slower 50% p 5")
        void badAlpha() {
        }
    }
}
