package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a class's {@code main} in a fresh JVM with this JVM's class path, for tests that need one of their own. */
final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Runs {@code prefix java <jvmOptions> -cp <class path> <main> <arguments>} (the prefix may be
     * empty, or a wrapper such as {@code setpriv ...}); returns its output once it exited with 0.
     */
    static String run(Path log, List<String> prefix, List<String> jvmOptions, Class<?> main, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(arguments));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile()) // a file, not a pipe: a chatty child can never block
                .start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            throw new AssertionError("the child JVM did not finish in 120 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child exit status\n" + output).isZero();
        return output;
    }
}
