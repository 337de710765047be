package io.github.kerneltrace.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.sun.jna.NativeLibrary;

/**
 * One test class's baseline file: the environment it was recorded in, and per test the recorded
 * value and rule of each metric. The format is one fact per line, sorted, so that a pull
 * request's diff reads line by line:
 * <pre>
 * # KernelTrace baseline of com.example.AppendLogTest (docs/baselines.md)
 * environment.kernel = 6.18.44
 * environment.arch = amd64
 * environment.jdk = Eclipse Adoptium 21.0.5
 * environment.libc = glibc 2.36
 * environment.attach = tp_btf
 * append(int) [1] 64 :: syscalls.write.count = 1 exact
 * appendIsOneWrite() :: totals.syscalls = 34 relative 5% min 3
 * sync() :: syscalls.fdatasync.latencyNanos.p50 = 812345 samples 801000,805000,812345,820000,830000 slower 50% p 0.01
 * appendIsOneWrite() :: site syscalls.write.count = 1 at AppendLog.flush(AppendLog.java:88) ← AppendLog.append(AppendLog.java:40)
 * </pre>
 * A line with a {@code slower} rule keeps every repetition's value after {@code samples} (the value
 * before them is their median, for people); the other rules compare the value alone. A {@code site}
 * line is a Java call site of a metric's events ({@link CallSite}) and how many it had: not gated,
 * the differential view of a failure compares them ({@link CallSiteChanges}).
 * Blank lines and {@code #} comments are allowed (recording rewrites the file without them). Any
 * other line that is not exactly this is an error naming the file and line, never skipped.
 *
 * @param file        where it is read from and written to
 * @param environment the fingerprint, e.g. {@code kernel} → {@code 6.18.44}
 * @param tests       test (method, parameter types, and for repeated tests the display name) →
 *                    metric key → entry
 * @param callSites   test → metric key → call site (its methods) → as recorded
 */
record Baseline(Path file, Map<String, String> environment, SortedMap<String, SortedMap<String, Entry>> tests,
                SortedMap<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> callSites) {

    static final String SITE = "site ";
    static final String AT = " at ";

    static final String ENVIRONMENT = "environment.";
    static final String TEST_SEPARATOR = " :: ";

    /**
     * One line: the recorded value and the rule that gates it.
     *
     * @param samples for a {@code slower} rule, every repetition's value; else empty
     */
    record Entry(long value, List<Long> samples, BaselineRule rule) {

        Entry {
            samples = List.copyOf(samples);
        }

        Entry(long value, BaselineRule rule) {
            this(value, List.of(), rule);
        }
    }

    static Baseline empty(Path file, Map<String, String> environment) {
        return new Baseline(file, environment, new TreeMap<>(), new TreeMap<>());
    }

    /**
     * Reads the file.
     *
     * @throws KernelTraceConfigurationException naming the file and line of the first line that is
     *                                           not a comment, an environment line or an entry
     */
    static Baseline read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read baseline " + file, e);
        }
        Map<String, String> environment = new LinkedHashMap<>();
        SortedMap<String, SortedMap<String, Entry>> tests = new TreeMap<>();
        Map<String, Integer> seenAt = new HashMap<>();
        SortedMap<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> callSites = new TreeMap<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int separator = line.lastIndexOf(TEST_SEPARATOR);
            if (separator < 0 && line.startsWith(ENVIRONMENT) && line.contains(" = ")) {
                String name = line.substring(ENVIRONMENT.length(), line.indexOf(" = ")).strip();
                String previous = environment.put(name, line.substring(line.indexOf(" = ") + 3).strip());
                if (previous != null) {
                    throw corrupt(file, number, line, "environment." + name + " is given twice");
                }
                continue;
            }
            if (separator <= 0) {
                throw corrupt(file, number, line, "expected <test> :: <metric> = <value> <rule>,"
                        + " or environment.<name> = <value>");
            }
            String test = line.substring(0, separator).strip();
            String fact = line.substring(separator + TEST_SEPARATOR.length());
            if (fact.startsWith(SITE)) {
                readSite(file, number, line, test, fact.substring(SITE.length()), callSites);
                continue;
            }
            int equals = fact.indexOf(" = ");
            if (equals <= 0 || fact.substring(0, equals).isBlank() || fact.substring(0, equals).contains(" ")) {
                throw corrupt(file, number, line, "expected <metric> = <value> <rule> after \" :: \"");
            }
            String metric = fact.substring(0, equals);
            String[] words = fact.substring(equals + 3).strip().split(" +", 2);
            long value = wholeNumber(words[0]);
            if (value < 0) {
                throw corrupt(file, number, line, "the value \"" + words[0] + "\" is not a whole number >= 0");
            }
            String rest = words.length == 2 ? words[1] : "";
            List<Long> samples = List.of();
            if (rest.startsWith("samples ")) {
                String[] listAndRule = rest.substring("samples ".length()).strip().split(" +", 2);
                samples = samples(listAndRule[0]);
                if (samples == null) {
                    throw corrupt(file, number, line, "the samples \"" + listAndRule[0] + "\" are not whole numbers >= 0"
                            + " separated by commas");
                }
                rest = listAndRule.length == 2 ? listAndRule[1] : "";
            }
            BaselineRule rule = BaselineRule.parse(rest);
            if (rule == null) {
                throw corrupt(file, number, line, "the rule after the value must be " + BaselineRule.SYNTAX);
            }
            if (rule.statistical() && samples.isEmpty()) {
                throw corrupt(file, number, line, "a " + rule + " rule compares samples: write"
                        + " <value> samples <v1>,<v2>,... " + rule);
            }
            if (!rule.statistical() && !samples.isEmpty()) {
                throw corrupt(file, number, line, "samples are kept only for a slower rule; remove them or use slower");
            }
            if (!rule.statistical() && BaselineRule.isTime(metric, null)) {
                throw corrupt(file, number, line, "a time is gated only by a slower rule over samples, e.g. "
                        + BaselineRule.SLOWER_DEFAULT);
            }
            Integer earlier = seenAt.put(test + TEST_SEPARATOR + metric, number);
            if (earlier != null) {
                throw corrupt(file, number, line, "the same test and metric as line " + earlier);
            }
            tests.computeIfAbsent(test, key -> new TreeMap<>()).put(metric, new Entry(value, samples, rule));
        }
        return new Baseline(file, environment, tests, callSites);
    }

    /** {@code syscalls.write.count = 1 at SegmentLog.flush(SegmentLog.java:88) ← SegmentLog.append(SegmentLog.java:40)}. */
    private static void readSite(Path file, int number, String line, String test, String site,
                                 SortedMap<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> callSites) {
        int equals = site.indexOf(" = ");
        int at = site.indexOf(AT);
        if (equals <= 0 || at < equals || site.substring(0, equals).contains(" ")) {
            throw corrupt(file, number, line, "expected site <metric> = <count> at <call site> after \" :: \"");
        }
        long weight = wholeNumber(site.substring(equals + 3, at).strip());
        if (weight < 0) {
            throw corrupt(file, number, line, "the count \"" + site.substring(equals + 3, at).strip()
                    + "\" is not a whole number >= 0");
        }
        String shown = site.substring(at + AT.length()).strip();
        if (shown.isEmpty()) {
            throw corrupt(file, number, line, "the call site after \"at\" is empty");
        }
        CallSite callSite = CallSite.ofShown(shown);
        CallSiteChanges.Recorded previous = callSites.computeIfAbsent(test, key -> new TreeMap<>())
                .computeIfAbsent(site.substring(0, equals), key -> new LinkedHashMap<>())
                .putIfAbsent(callSite.methods(), new CallSiteChanges.Recorded(shown, weight));
        if (previous != null) {
            throw corrupt(file, number, line, "the same test, metric and call site as an earlier line");
        }
    }

    /** The number, or -1 when the text is not a whole number >= 0. */
    private static long wholeNumber(String text) {
        try {
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : -1;
        } catch (NumberFormatException tooLarge) {
            return -1;
        }
    }

    /** {@code 1,2,3}; null when one is not a whole number >= 0. */
    private static List<Long> samples(String text) {
        List<Long> samples = new java.util.ArrayList<>();
        for (String sample : text.split(",", -1)) {
            long value = wholeNumber(sample);
            if (value < 0) {
                return null;
            }
            samples.add(value);
        }
        return samples;
    }

    private static KernelTraceConfigurationException corrupt(Path file, int number, String line, String problem) {
        return new KernelTraceConfigurationException("baseline " + file + " line " + number + ": " + problem
                + ": \"" + line + "\"; correct the line, or delete the file and record it again with"
                + " -D" + ClassBaseline.MODE + "=update");
    }

    /** The file's text: a header, the environment, then every entry sorted by test and metric. */
    String render(String className) {
        StringBuilder text = new StringBuilder("# KernelTrace baseline of ").append(className)
                .append(" (docs/baselines.md)\n")
                .append("# Record again with -D").append(ClassBaseline.MODE).append("=update;")
                .append(" a rule after a value may be edited: exact, max, relative <percent>% min <amount>,")
                .append(" slower <percent>% p <alpha> (times, over samples)\n");
        environment.forEach((name, value) -> text.append(ENVIRONMENT).append(name).append(" = ").append(value).append('\n'));
        java.util.SortedSet<String> names = new java.util.TreeSet<>(tests.keySet());
        names.addAll(callSites.keySet());
        for (String test : names) {
            tests.getOrDefault(test, new TreeMap<>()).forEach((metric, entry) -> text.append(test).append(TEST_SEPARATOR)
                    .append(metric).append(" = ").append(entry.value()).append(samplesText(entry)).append(' ')
                    .append(entry.rule()).append('\n'));
            // a metric's sites after its entries, largest first: the test's story in one place
            callSites.getOrDefault(test, new TreeMap<>()).forEach((metric, sites) -> sites.values().forEach(site ->
                    text.append(test).append(TEST_SEPARATOR).append(SITE).append(metric).append(" = ")
                            .append(site.weight()).append(AT).append(site.shown()).append('\n')));
        }
        return text.toString();
    }

    private static String samplesText(Entry entry) {
        return entry.samples().isEmpty() ? "" : " samples " + String.join(",",
                entry.samples().stream().map(String::valueOf).toList());
    }

    /** Writes the file through a temporary file, so that a crash never leaves half of it. */
    void write(String className) {
        try {
            Path directory = file.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
            Files.writeString(temporary, render(className), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write baseline " + file, e);
        }
    }

    /** Where this JVM runs: what a baseline is only comparable with. */
    static Map<String, String> environmentHere(String tracing) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("kernel", System.getProperty("os.version"));
        environment.put("arch", System.getProperty("os.arch"));
        environment.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        environment.put("libc", libc());
        environment.put("attach", tracing.contains("tp_btf") ? "tp_btf" : tracing.contains("raw_tp") ? "raw_tp" : tracing);
        return environment;
    }

    private static String libc() {
        try {
            return "glibc " + NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version")
                    .invokeString(new Object[0], false);
        } catch (UnsatisfiedLinkError | RuntimeException notGlibc) {
            return "not glibc";
        }
    }
}
