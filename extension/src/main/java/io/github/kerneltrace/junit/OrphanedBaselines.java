package io.github.kerneltrace.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Baseline files whose test class is gone from the test class path (renamed, moved, removed):
 * nothing compares with them, and the renamed class runs with no baseline, its gate lost without a
 * word unless said. Said once per JVM at the end of its first test plan ({@link RunReportListener}).
 */
final class OrphanedBaselines {

    private static final String SUFFIX = ".baseline";

    private OrphanedBaselines() {
    }

    /** One warning per file of {@code directory} naming a class {@code loader} cannot find; none without the directory. */
    static List<String> warnings(Path directory, ClassLoader loader) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(SUFFIX)).sorted()
                    .filter(file -> !exists(className(file), loader))
                    .map(file -> "[kerneltrace] " + file + ": no class " + className(file) + " on the test class path"
                            + " (renamed or removed?), so nothing compares with this baseline; rename the file with its"
                            + " class, or delete it")
                    .toList();
        } catch (IOException e) {
            return List.of("[kerneltrace] could not list the baselines in " + directory + ": " + e);
        }
    }

    private static String className(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - SUFFIX.length());
    }

    private static boolean exists(String className, ClassLoader loader) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return e instanceof LinkageError; // a class that exists but cannot be linked is not orphaned
        }
    }
}
