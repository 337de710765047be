package io.github.kerneltrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes the cold suite of {@code benchmarks/cold-suite.sh}: a Maven project of distinct test
 * methods, each run once, in two variants that differ only in KernelTrace:
 * <ul>
 *   <li>{@code traced}: every class {@code @KernelTrace}, half of the methods with a limit
 *       ({@code @MaxSyscalls}, {@code @MaxBytesWritten}, {@code @MaxHeapAllocation}), as a user's
 *       suite would have them;</li>
 *   <li>{@code plain}: the same code without those annotations and without the KernelTrace
 *       dependency;</li>
 *   <li>{@code reference}: the traced code, run against other KernelTrace jars (another commit's
 *       build), to compare two builds in the same alternating rounds.</li>
 * </ul>
 * Each method does a little real work (a small file written, written and read back, a checksum,
 * a sort) and asserts on it. The project is copied from {@code benchmarks/src/cold-suite}, which
 * holds its pom template and the listener that times the test phase.
 *
 * <p>Usage: {@code ColdSuiteGenerator <template dir> <output dir> traced|plain|reference <classes> <methods per class>
 * <version> [<probes jar>,<extension jar> for reference]}
 */
public final class ColdSuiteGenerator {

    /** The four kinds of work, by method index; the first three carry a limit in the traced variant. */
    private static final String[] KINDS = {"write", "roundTrip", "checksum", "sort"};

    public static void main(String[] args) throws IOException {
        String variant = args.length >= 6 ? args[2] : "";
        boolean reference = variant.equals("reference");
        if (!(variant.equals("traced") || variant.equals("plain") || reference) || args.length != (reference ? 7 : 6)) {
            throw new IllegalArgumentException("usage: ColdSuiteGenerator <template dir> <output dir> traced|plain|reference"
                    + " <classes> <methods per class> <kerneltrace version> [<probes jar>,<extension jar> for reference];"
                    + " got " + String.join(" ", args));
        }
        Path template = Path.of(args[0]);
        Path out = Path.of(args[1]);
        boolean traced = !variant.equals("plain");
        int classes = Integer.parseInt(args[3]);
        int methods = Integer.parseInt(args[4]);
        copyTemplate(template, out, variant, traced, args[5], reference ? List.of(args[6].split(",")) : List.of());
        Path sources = out.resolve("src/test/java/coldsuite");
        for (int c = 1; c <= classes; c++) {
            String name = String.format("Cold%02dTest", c);
            Files.writeString(sources.resolve(name + ".java"), testClass(name, methods, traced));
        }
    }

    private static void copyTemplate(Path template, Path out, String variant, boolean traced, String version,
                                     List<String> referenceJars) throws IOException {
        try (Stream<Path> files = Files.walk(template)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = out.resolve(template.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        String dependency = traced ? """
                <dependency>
                      <groupId>io.github.kerneltrace</groupId>
                      <artifactId>kerneltrace-junit</artifactId>
                      <version>${project.parent.version}</version>
                      <scope>test</scope>
                    </dependency>""" : "";
        // The reference variant compiles against this build's annotations but runs with the other jars.
        String referenceClasspath = referenceJars.isEmpty() ? "" : """
                <classpathDependencyExcludes>
                            <classpathDependencyExclude>io.github.kerneltrace:kerneltrace-junit</classpathDependencyExclude>
                            <classpathDependencyExclude>io.github.kerneltrace:kerneltrace-probes</classpathDependencyExclude>
                          </classpathDependencyExcludes>
                          <additionalClasspathElements>
                """ + referenceJars.stream()
                .map(jar -> "            <additionalClasspathElement>" + jar + "</additionalClasspathElement>\n")
                .collect(Collectors.joining()) + "          </additionalClasspathElements>";
        Path pom = out.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom)
                .replace("@KERNELTRACE_VERSION@", version)
                .replace("@VARIANT@", variant)
                .replace("@KERNELTRACE_DEPENDENCY@", dependency)
                .replace("@REFERENCE_CLASSPATH@", referenceClasspath));
    }

    private static String testClass(String name, int methods, boolean traced) {
        StringBuilder java = new StringBuilder();
        java.append("""
                package coldsuite;

                import static org.junit.jupiter.api.Assertions.assertArrayEquals;
                import static org.junit.jupiter.api.Assertions.assertEquals;

                import java.io.IOException;
                import java.nio.charset.StandardCharsets;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.ArrayList;
                import java.util.Collections;
                import java.util.List;
                import java.util.zip.CRC32;

                import org.junit.jupiter.api.BeforeAll;
                import org.junit.jupiter.api.Test;
                """);
        if (traced) {
            java.append("""

                    import io.github.kerneltrace.junit.KernelTrace;
                    import io.github.kerneltrace.junit.MaxBytesWritten;
                    import io.github.kerneltrace.junit.MaxHeapAllocation;
                    import io.github.kerneltrace.junit.MaxSyscalls;
                    """);
        }
        java.append('\n').append(traced ? "@KernelTrace\n" : "").append("class ").append(name).append(" {\n\n")
                .append("    private static final Path DIR = Path.of(\"target\", \"cold-work\", \"").append(name).append("\");\n\n")
                .append("    @BeforeAll\n    static void createDirectory() throws IOException {\n")
                .append("        Files.createDirectories(DIR);\n    }\n");
        for (int m = 1; m <= methods; m++) {
            String kind = KINDS[(m - 1) % KINDS.length];
            String method = String.format("%s%02d", kind, m);
            java.append("\n    @Test\n");
            if (traced) {
                java.append(limit(kind));
            }
            java.append("    void ").append(method).append("() throws IOException {\n")
                    .append(body(kind, name + "." + method, m))
                    .append("    }\n");
        }
        return java.append("}\n").toString();
    }

    private static String limit(String kind) {
        return switch (kind) {
            case "write" -> "    @MaxSyscalls(value = 16, syscall = \"write\")\n";
            case "roundTrip" -> "    @MaxBytesWritten(\"4 KiB\")\n";
            case "checksum" -> "    @MaxHeapAllocation(\"8 MiB\")\n";
            default -> "";
        };
    }

    private static String body(String kind, String id, int seed) {
        return switch (kind) {
            case "write" -> """
                            byte[] data = "%s wrote this".getBytes(StandardCharsets.UTF_8);
                            Path file = DIR.resolve("%s.txt");
                            Files.write(file, data);
                            assertEquals(data.length, Files.size(file));
                    """.formatted(id, id);
            case "roundTrip" -> """
                            byte[] data = new byte[%d];
                            for (int i = 0; i < data.length; i++) {
                                data[i] = (byte) (i * 31);
                            }
                            Path file = DIR.resolve("%s.bin");
                            Files.write(file, data);
                            assertArrayEquals(data, Files.readAllBytes(file));
                    """.formatted(256 + seed, id);
            case "checksum" -> """
                            byte[] data = new byte[4096];
                            for (int i = 0; i < data.length; i++) {
                                data[i] = (byte) (i ^ %d);
                            }
                            CRC32 once = new CRC32();
                            once.update(data);
                            CRC32 twice = new CRC32();
                            twice.update(data, 0, 2048);
                            twice.update(data, 2048, 2048);
                            assertEquals(once.getValue(), twice.getValue());
                    """.formatted(seed);
            default -> """
                            List<String> words = new ArrayList<>();
                            for (int i = 0; i < 200; i++) {
                                words.add(Integer.toString(i * %d %% 997, 36));
                            }
                            Collections.sort(words);
                            for (int i = 1; i < words.size(); i++) {
                                assertEquals(true, words.get(i - 1).compareTo(words.get(i)) <= 0);
                            }
                    """.formatted(seed * 7 + 1);
        };
    }

    private ColdSuiteGenerator() {
    }
}
