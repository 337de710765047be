package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The tests' C workloads (src/test/c): built with gcc into target/test-native, loaded through JNA. */
final class TestLibraries {

    private TestLibraries() {
    }

    /**
     * Builds {@code src/test/c/<name>.c} into {@code target/test-native/lib<name>.so} ({@code -O0}
     * unless {@code flags} say otherwise) and loads it as {@code api}.
     */
    static <T extends Library> T load(String name, Class<T> api, String... flags) throws IOException, InterruptedException {
        return Native.load(build(name, flags).toString(), api);
    }

    /** The path of the built library: where the probes are declared on it. */
    static Path build(String name, String... flags) throws IOException, InterruptedException {
        Path library = Path.of("target", "test-native", "lib" + name + ".so").toAbsolutePath();
        Files.createDirectories(library.getParent());
        List<String> command = new ArrayList<>(List.of("gcc", "-O0"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-shared", "-fPIC", "-o", library.toString(), "src/test/c/" + name + ".c"));
        Process gcc = new ProcessBuilder(command).inheritIO().start();
        assertThat(gcc.waitFor()).as("gcc building src/test/c/%s.c (is gcc installed?)", name).isZero();
        return library;
    }
}
