package io.github.kerneltrace.probes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ELF files mapped into this JVM (from /proc/self/maps), and which one a declared probe's
 * {@code library} means: an absolute path as it is, or a name such as {@code libz}, {@code libc},
 * {@code libjvm}: the mapped file whose name starts with {@code <name>.so} or {@code <name>-}.
 */
public final class MappedLibraries {

    private MappedLibraries() {
    }

    /** The files mapped into this process now, in map order, without duplicates. */
    public static List<String> mappedFiles() {
        try {
            Set<String> files = new LinkedHashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash > 0 && !line.endsWith(" (deleted)")) {
                    files.add(line.substring(slash));
                }
            }
            return List.copyOf(files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/maps", e);
        }
    }

    /** The mapped files that {@code library} names (an absolute path: that file, if it exists). */
    public static List<String> matching(String library, List<String> mapped) {
        if (library.startsWith("/")) {
            return Files.isRegularFile(Path.of(library)) ? List.of(library) : List.of();
        }
        return mapped.stream().filter(file -> {
            String base = Path.of(file).getFileName().toString();
            return base.startsWith(library + ".so") || base.startsWith(library + "-");
        }).toList();
    }

    /** Mapped libraries whose names share a few letters with {@code library}, for an error message. */
    public static List<String> similar(String library, List<String> mapped) {
        String stem = library.replaceFirst("^lib", "").toLowerCase(java.util.Locale.ROOT);
        String key = stem.length() > 3 ? stem.substring(0, 3) : stem;
        return mapped.stream().filter(file -> file.contains(".so"))
                .filter(file -> Path.of(file).getFileName().toString().toLowerCase(java.util.Locale.ROOT).contains(key))
                .toList();
    }
}
