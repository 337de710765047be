package io.github.kerneltrace.junit;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

import io.github.kerneltrace.junit.Baseline.Entry;
import io.github.kerneltrace.junit.TraceOutcome.Series;
import io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics;
import io.github.kerneltrace.probes.metrics.Metric;
import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * A test class's baseline while the class runs: read once when its first traced test starts (a
 * corrupt file fails every traced test of the class before it runs), compared with each traced
 * test's metrics, and in update mode written back when the class's tests are done. Lives in the
 * class's {@link ExtensionContext.Store}, which closes it (as a {@code CloseableResource} on JUnit 5.8
 * to 5.12, which do not close plain {@code AutoCloseable} values; update mode would write nothing).
 *
 * <p>Configuration: {@code kerneltrace.baseline} = {@code compare} (the default when the class has
 * a baseline file, else {@code off}), {@code update} or {@code off}; {@code kerneltrace.baselineDir}
 * (default {@code src/test/kerneltrace}); {@code kerneltrace.baselineMismatch} = {@code report}
 * (default) or {@code fail}.
 */
@SuppressWarnings("deprecation") // CloseableResource: how JUnit 5.8 to 5.12 close a store's values (5.13+ also AutoCloseable)
final class ClassBaseline implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    static final String MODE = "kerneltrace.baseline";
    static final String DIRECTORY = "kerneltrace.baselineDir";
    static final String MISMATCH = "kerneltrace.baselineMismatch";
    static final String REPORT_KEY = "kerneltrace.baseline";
    static final String DEFAULT_DIRECTORY = "src/test/kerneltrace";

    private static final Namespace NAMESPACE = Namespace.create(ClassBaseline.class);

    /**
     * {@code SITES} compares like {@code COMPARE}, and runs every test once more, recorded, to write
     * the file's call-site lines (its values untouched). Update mode does not: a re-run warms the
     * JVM for the tests after it, and values recorded in a warmer JVM than later runs would make
     * false alarms (the sample's putAllOf100EntriesIsOneWriteAndOneSync: 406 KB of heap recorded,
     * 463 KB measured in every later run).
     */
    enum Mode { COMPARE, UPDATE, SITES, OFF }

    private final String className;
    private final Mode mode;
    private final boolean failOnMismatch;
    /** As read; an empty baseline when there is no file. */
    private final Baseline recorded;
    /** Update mode: each test measured, with its entries as they will be written. */
    private final Map<String, SortedMap<String, Entry>> measured = new ConcurrentHashMap<>();
    /** Sites mode: each re-run test's call sites by metric, as they will be written. */
    private final Map<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> measuredSites =
            new ConcurrentHashMap<>();
    /** Where the class's tests ran, for the file update mode writes. */
    private volatile Map<String, String> environmentHere;
    /**
     * The file's tests that the class no longer has (renamed or removed): their gate is lost
     * without a word unless said. Said once, with the class's first verdict; update mode drops them.
     */
    private final SortedSet<String> testsGone;
    private final AtomicBoolean testsGoneSaid = new AtomicBoolean();

    private ClassBaseline(String className, Mode mode, boolean failOnMismatch, Baseline recorded, SortedSet<String> testsGone) {
        this.className = className;
        this.mode = mode;
        this.failOnMismatch = failOnMismatch;
        this.recorded = recorded;
        this.testsGone = testsGone;
    }

    /** The baseline of the test's class, read the first time one of its tests asks. */
    static ClassBaseline of(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        Class<?> testClass = context.getRequiredTestClass();
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(testClass,
                key -> read(context, testClass), ClassBaseline.class);
    }

    private static ClassBaseline read(ExtensionContext context, Class<?> testClass) {
        String className = testClass.getName();
        Path file = directory(context.getConfigurationParameter(DIRECTORY)).resolve(className + ".baseline");
        String modeValue = context.getConfigurationParameter(MODE).map(String::strip).orElse("");
        Mode mode;
        try {
            mode = modeValue.isEmpty() ? (Files.exists(file) ? Mode.COMPARE : Mode.OFF)
                    : Mode.valueOf(modeValue.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw new KernelTraceConfigurationException("configuration parameter " + MODE + " = \"" + modeValue
                    + "\"; use compare, update, sites or off");
        }
        String mismatch = context.getConfigurationParameter(MISMATCH).map(String::strip).orElse("report");
        if (!mismatch.equalsIgnoreCase("report") && !mismatch.equalsIgnoreCase("fail")) {
            throw new KernelTraceConfigurationException("configuration parameter " + MISMATCH + " = \"" + mismatch
                    + "\"; use report or fail");
        }
        // Update mode reads the file too: it keeps the entries of tests that do not run, and a
        // corrupt file must fail rather than be overwritten.
        Baseline recorded = mode != Mode.OFF && Files.exists(file) ? Baseline.read(file) : Baseline.empty(file, Map.of());
        return new ClassBaseline(className, mode, mismatch.equalsIgnoreCase("fail"), recorded,
                testsGone(recorded.tests().keySet(), testClass));
    }

    /** The baseline directory the configuration parameter names, or the default. */
    static Path directory(Optional<String> parameter) {
        return Path.of(parameter.map(String::strip).filter(dir -> !dir.isEmpty()).orElse(DEFAULT_DIRECTORY));
    }

    /**
     * The test keys ({@link #testKey}: {@code method(ParameterTypes)}, then an invocation's name)
     * whose method the class, its superclasses and the interfaces they extend do not declare.
     */
    static SortedSet<String> testsGone(Set<String> testKeys, Class<?> testClass) {
        Set<String> methods = new HashSet<>();
        Set<Class<?>> types = new LinkedHashSet<>();
        List<Class<?>> toVisit = new ArrayList<>(List.of(testClass));
        while (!toVisit.isEmpty()) { // the class, its superclasses, and every interface any of them extends
            Class<?> type = toVisit.remove(toVisit.size() - 1);
            if (type != Object.class && types.add(type)) {
                if (type.getSuperclass() != null) {
                    toVisit.add(type.getSuperclass());
                }
                toVisit.addAll(List.of(type.getInterfaces()));
            }
        }
        for (Class<?> type : types) {
            for (Method method : type.getDeclaredMethods()) {
                methods.add(method.getName() + "(" + Arrays.stream(method.getParameterTypes())
                        .map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")");
            }
        }
        SortedSet<String> gone = new TreeSet<>();
        testKeys.forEach(key -> {
            int end = key.indexOf(')');
            if (end < 0 || !methods.contains(key.substring(0, end + 1))) {
                gone.add(key);
            }
        });
        return gone;
    }

    /**
     * Compares (or, in update mode, records) one traced test's metrics; reports what is worth
     * knowing (new metrics, improvements, an incomparable environment) as a report entry and, with
     * the summary on, a console line.
     */
    BaselineVerdict check(TraceOutcome outcome, DeclaredTolerances tolerances, ExtensionContext context, boolean summary) {
        if (mode == Mode.OFF) {
            return BaselineVerdict.OFF;
        }
        Map<String, String> here = Baseline.environmentHere(outcome.kernel());
        environmentHere = here;
        String test = testKey(outcome.test());
        SortedMap<String, Series> metrics = outcome.series();
        SortedMap<String, Entry> entries = recorded.tests().get(test);
        Rules rules = Rules.of(tolerances, entries, outcome);
        List<String> notes = new ArrayList<>();
        List<BaselineVerdict.Change> regressions = new ArrayList<>();
        List<BaselineVerdict.Change> improvements = new ArrayList<>();
        String differences = environmentDifferences(here);
        String incomparable = differences == null ? null : "incomparable, not checked: " + differences;
        BaselineVerdict.Status status;
        if (mode == Mode.UPDATE) {
            if (differences != null) {
                notes.add("environment changed (" + differences + "): recorded for this one;"
                        + " tests that did not run keep their old entries");
            }
            SortedMap<String, Entry> recording = record(entries, metrics, rules, entries == null ? new ArrayList<>() : notes);
            if (entries == null) {
                notes.add("new: no entries for " + test + "; recorded " + recording.size() + " metrics");
            }
            measured.put(test, recording);
            status = BaselineVerdict.Status.RECORDED;
        } else if (incomparable != null) {
            notes.add(incomparable);
            status = BaselineVerdict.Status.INCOMPARABLE;
        } else if (entries == null) {
            notes.add("new: no entries for " + test + " in " + recorded.file() + "; record them with -D" + MODE + "=update");
            status = BaselineVerdict.Status.NEW;
        } else {
            boolean newMetrics = compare(entries, metrics, rules, regressions, improvements, notes);
            status = !regressions.isEmpty() ? BaselineVerdict.Status.REGRESSED
                    : newMetrics ? BaselineVerdict.Status.NEW
                    : !improvements.isEmpty() ? BaselineVerdict.Status.IMPROVED
                    : BaselineVerdict.Status.PASSED;
        }
        if (!testsGone.isEmpty() && testsGoneSaid.compareAndSet(false, true)) {
            notes.add(mode == Mode.UPDATE
                    ? "dropped the entries of tests " + simpleName() + " no longer has: " + String.join(", ", testsGone)
                    : recorded.file() + " has entries of tests " + simpleName() + " no longer has, renamed or removed: "
                            + String.join(", ", testsGone) + ", which nothing gates now (-D" + MODE
                            + "=update records the renamed ones and drops these)");
        }
        List<String> reported = new ArrayList<>();
        improvements.forEach(change -> reported.add("baseline can be tightened: " + change.text()));
        reported.addAll(notes);
        if (!reported.isEmpty()) {
            context.publishReportEntry(REPORT_KEY, String.join("; ", reported));
            if (summary) {
                reported.forEach(note -> System.out.println("KernelTrace baseline " + outcome.test().shortName() + ": " + note));
            }
        }
        return new BaselineVerdict(status, recorded.file().toString(), regressions, improvements, notes);
    }

    /**
     * Whether the class's tests need their Java call sites looked up for the baseline: in sites
     * mode, to record them; in compare mode, when the file has sites to compare with.
     */
    boolean active() {
        return mode == Mode.SITES || mode == Mode.COMPARE && !recorded.callSites().isEmpty();
    }

    /** Whether every test's call sites are recorded into the file (sites mode), not only a failing test's. */
    boolean recordsCallSites() {
        return mode == Mode.SITES;
    }

    /**
     * In sites mode, the metrics whose call sites the file keeps for this test: its limits', and
     * its counts gated exactly in the file (the system calls the code makes, which a Java event
     * explains); empty otherwise.
     */
    Set<String> callSiteMetrics(TraceOutcome outcome) {
        Set<String> metrics = new LinkedHashSet<>();
        if (mode != Mode.SITES) {
            return metrics;
        }
        outcome.limits().forEach(result -> metrics.add(result.limit().metric()));
        SortedMap<String, Entry> entries = recorded.tests().getOrDefault(testKey(outcome.test()), new TreeMap<>());
        entries.forEach((metric, entry) -> {
            if (entry.rule().kind() == BaselineRule.Kind.EXACT && metric.endsWith(".count")) {
                metrics.add(metric);
            }
        });
        // times are explained by the same events as counts, and vary: their sites would repeat the counts'
        metrics.removeIf(metric -> CallSites.sourceOf(metric).isEmpty() || metric.contains("Nanos"));
        return metrics;
    }

    /**
     * In sites mode, keeps the test's sites for the file; in compare mode, adds what changed
     * against the file's sites of the same metrics.
     */
    TestCallSites withCallSites(TraceOutcome outcome, TestCallSites sites) {
        String test = testKey(outcome.test());
        if (mode == Mode.SITES) {
            SortedMap<String, Map<String, CallSiteChanges.Recorded>> kept = new TreeMap<>();
            // a figure of 0 has nothing to explain (JFR's file events do not tell read from pread64)
            callSiteMetrics(outcome).forEach(metric -> sites.of(metric)
                    .filter(found -> found.measured() > 0 && !found.sites().isEmpty())
                    .ifPresent(found -> kept.put(metric, CallSiteChanges.byMethods(found))));
            measuredSites.put(test, kept);
            return sites;
        }
        SortedMap<String, Map<String, CallSiteChanges.Recorded>> before = recorded.callSites().get(test);
        if (mode != Mode.COMPARE || before == null) {
            return sites;
        }
        Map<String, CallSiteChanges> changes = new LinkedHashMap<>();
        sites.byMetric().forEach((metric, now) -> {
            Map<String, CallSiteChanges.Recorded> then = before.get(metric);
            if (then != null && now.notAttributable() == null) {
                CallSiteChanges changed = CallSiteChanges.between(then, now);
                if (!changed.isEmpty()) {
                    changes.put(metric, changed);
                }
            }
        });
        return sites.withChanges(changes);
    }

    /**
     * The failure a verdict calls for: when a metric regressed, or the environment differs and
     * {@code kerneltrace.baselineMismatch=fail}.
     */
    Optional<KernelLimitExceededError> failure(TraceOutcome outcome, BaselineVerdict verdict) {
        return failure(outcome, verdict, TestCallSites.NONE, 0);
    }

    /** {@link #failure(TraceOutcome, BaselineVerdict)}, each regression followed by its call sites and their changes. */
    Optional<KernelLimitExceededError> failure(TraceOutcome outcome, BaselineVerdict verdict, TestCallSites sites,
                                               int topSites) {
        if (!verdict.regressions().isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (BaselineVerdict.Change change : verdict.regressions()) {
                StringBuilder line = new StringBuilder(change.text());
                sites.linesFor(change.metric(), topSites).forEach(site -> line.append("\n      ").append(site));
                lines.add(line.toString());
            }
            return Optional.of(failure(outcome, "KernelTrace baseline regressions in ", lines,
                    "if the increase is intended, record the baseline again with -D" + MODE + "=update"));
        }
        if (verdict.status() == BaselineVerdict.Status.INCOMPARABLE && failOnMismatch && mode == Mode.COMPARE) {
            return Optional.of(failure(outcome, "KernelTrace baseline incomparable in ", verdict.notes(),
                    "record a baseline in this environment with -D" + MODE + "=update, or set " + MISMATCH + "=report"));
        }
        return Optional.empty();
    }

    /**
     * The test's name within its class: method and parameter types, and a repeated test's display
     * name (on one line: a parameter's line break would split the file's line).
     */
    static String testKey(TracedTest test) {
        return test.shortName().substring(test.shortName().indexOf('.') + 1).replaceAll("[\\r\\n]+", " ").strip();
    }

    /** The class's name without its package, as messages name it ({@code Outer$Inner}). */
    private String simpleName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** How {@code here} differs from where the baseline was recorded, or null when it does not. */
    private String environmentDifferences(Map<String, String> here) {
        if (recorded.tests().isEmpty() || recorded.environment().equals(here)) {
            return null;
        }
        List<String> differences = new ArrayList<>();
        here.forEach((name, value) -> {
            String then = recorded.environment().getOrDefault(name, "(none)");
            if (!then.equals(value)) {
                differences.add(name + " " + then + " in the baseline, " + value + " here");
            }
        });
        recorded.environment().keySet().stream().filter(name -> !here.containsKey(name))
                .forEach(name -> differences.add(name + " " + recorded.environment().get(name) + " in the baseline, (none) here"));
        return String.join(", ", differences);
    }

    /**
     * Which rule gates each metric of one test, first found wins: a {@link BaselineTolerance} in
     * code, the rule on the metric's line in the file, the default for the metric.
     */
    private record Rules(DeclaredTolerances tolerances, SortedMap<String, Entry> entries, Set<String> hostWide) {

        /**
         * @param outcome its declared probes that count the whole host ({@code scope = HOST}) get no
         *                default rule: other processes' events are not the code's
         */
        static Rules of(DeclaredTolerances tolerances, SortedMap<String, Entry> entries, TraceOutcome outcome) {
            Set<String> hostWide = new HashSet<>();
            outcome.metrics().probes().byName().values().stream().filter(ProbeMetrics::host)
                    .forEach(probe -> hostWide.add(DeclaredProbeMetrics.hitsKey(probe.name())));
            return new Rules(tolerances, entries, hostWide);
        }

        /** The rule, or null for a metric that is neither recorded nor compared. */
        BaselineRule of(String key, Series series) {
            BaselineRule inCode = tolerances.ruleFor(key, series.unit());
            if (inCode != null) {
                return inCode;
            }
            Entry entry = entries != null ? entries.get(key) : null;
            if (entry != null) {
                return entry.rule();
            }
            return hostWide.contains(key) ? null : BaselineRule.defaultFor(key, series);
        }

        /** The rule of a line of the file, unless code sets another. */
        BaselineRule of(String key, Entry entry, Series series) {
            BaselineRule inCode = tolerances.ruleFor(key, series != null ? series.unit() : null);
            return inCode != null ? inCode : entry.rule();
        }
    }

    /** The metric keys a rule applies to for this test, whatever the mode: the report lists their repetitions. */
    SortedSet<String> gatedKeys(TraceOutcome outcome, DeclaredTolerances tolerances) {
        SortedMap<String, Entry> entries = mode == Mode.OFF ? null : recorded.tests().get(testKey(outcome.test()));
        Rules rules = Rules.of(tolerances, entries, outcome);
        SortedSet<String> keys = new TreeSet<>();
        outcome.series().forEach((key, series) -> {
            if (rules.of(key, series) != null) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** @return whether a metric was measured that the test's entries do not list */
    private static boolean compare(SortedMap<String, Entry> entries, SortedMap<String, Series> metrics, Rules rules,
                                   List<BaselineVerdict.Change> regressions, List<BaselineVerdict.Change> improvements,
                                   List<String> notes) {
        boolean[] newMetrics = {false};
        entries.forEach((key, entry) -> {
            Series series = metrics.get(key);
            BaselineRule rule = rules.of(key, entry, series);
            if (rule.statistical()) {
                compareSamples(key, entry, series, rule, regressions, improvements, notes);
                return;
            }
            // A system call the test no longer makes is not listed: it was made 0 times.
            Long value = series != null ? Long.valueOf(series.median()) : key.startsWith("syscalls.") ? Long.valueOf(0) : null;
            if (value == null) {
                notes.add("not measured: " + key + " (baseline " + entry.value() + ")");
            } else if (rule.regressed(entry.value(), value)) {
                regressions.add(change(key, entry.value(), value, rule));
            } else if (rule.improved(entry.value(), value)) {
                improvements.add(change(key, entry.value(), value, rule));
            }
        });
        metrics.forEach((key, series) -> {
            BaselineRule rule = rules.of(key, series);
            if (rule == null || entries.containsKey(key)) {
                return;
            }
            if (key.startsWith("syscalls.") && rule.statistical()) {
                // the call's time, new with the call: its count says so; update mode records it
                return;
            }
            // A system call the baseline does not list was made 0 times when it was recorded.
            if (key.startsWith("syscalls.")) {
                if (rule.regressed(0, series.median())) {
                    regressions.add(change(key, 0, series.median(), rule));
                }
            } else {
                notes.add("new: " + key + " = " + series.median());
                newMetrics[0] = true;
            }
        });
        return newMetrics[0];
    }

    /** The statistical rule: all the baseline's samples against all the repetitions. */
    private static void compareSamples(String key, Entry entry, Series series, BaselineRule rule,
                                       List<BaselineVerdict.Change> regressions, List<BaselineVerdict.Change> improvements,
                                       List<String> notes) {
        if (series == null) {
            notes.add("not measured: " + key + " (baseline median " + entry.value() + ")");
            return;
        }
        if (entry.samples().isEmpty()) {
            notes.add("not gated: " + key + ": the baseline has no samples for " + rule + "; record them with -D" + MODE + "=update");
            return;
        }
        if (!BaselineRule.enoughSamples(entry.samples(), series.values())) {
            notes.add("not gated: " + key + ": times need repetitions >= " + BaselineRule.MIN_SAMPLES + " to be gated ("
                    + entry.samples().size() + " in the baseline, " + series.values().size() + " here)");
            return;
        }
        if (rule.slower(entry.samples(), series.values())) {
            regressions.add(sampleChange(key, entry.samples(), series, rule, BaselineRule.pSlower(entry.samples(), series.values())));
        } else if (rule.faster(entry.samples(), series.values())) {
            improvements.add(sampleChange(key, entry.samples(), series, rule, BaselineRule.pSlower(series.values(), entry.samples())));
        }
    }

    /**
     * E.g. {@code syscalls.clock_nanosleep.latencyNanos.p50: median 1.07ms → 3.08ms (+188.9%, 5 and 5
     * repetitions, p = 0.0040, slower 50% p 0.01)}; the medians are the change's values.
     *
     * @param p the one-sided p-value of the rank test in the direction of the change
     */
    static BaselineVerdict.Change sampleChange(String key, List<Long> baseline, Series measured, BaselineRule rule, double p) {
        long before = Repetitions.median(baseline);
        long after = measured.median();
        String values = measured.unit() == Metric.Unit.NANOSECONDS || key.contains("Nanos")
                ? Durations.format(before) + " → " + Durations.format(after) : before + " → " + after;
        String percent = before > 0 ? String.format(Locale.ROOT, "%+.1f%%, ", (after - before) * 100.0 / before) : "";
        String pText = String.format(Locale.ROOT, p < 0.0001 ? "%.1e" : "%.4f", p);
        String text = String.format(Locale.ROOT, "%s: median %s (%s%d and %d repetitions, p = %s, %s)", key, values,
                percent, baseline.size(), measured.values().size(), pText, rule);
        return new BaselineVerdict.Change(key, before, after, rule.toString(), text);
    }

    /** The test's entries as update mode writes them: the measured values, under the rules that applied. */
    private static SortedMap<String, Entry> record(SortedMap<String, Entry> entries, SortedMap<String, Series> metrics,
                                                   Rules rules, List<String> notes) {
        SortedMap<String, Entry> before = entries != null ? entries : new TreeMap<>();
        SortedMap<String, Entry> after = new TreeMap<>();
        metrics.forEach((key, series) -> {
            Entry old = before.get(key);
            BaselineRule rule = rules.of(key, series);
            if (rule == null) {
                return;
            }
            if (rule.statistical() && series.values().size() < BaselineRule.MIN_SAMPLES) {
                if (old != null) {
                    after.put(key, old);
                    notes.add("kept: " + key + ": times need repetitions >= " + BaselineRule.MIN_SAMPLES
                            + " to be recorded (" + series.values().size() + " here)");
                }
                return;
            }
            Entry entry = new Entry(series.median(), rule.statistical() ? series.values() : List.of(), rule);
            after.put(key, entry);
            if (old == null) {
                notes.add("new: " + key + " = " + entry.value() + " " + rule + ", recorded");
            } else if (old.value() != entry.value() && !rule.statistical()) {
                notes.add("recorded: " + key + " " + old.value() + " → " + entry.value());
            }
        });
        // A metric not measured this time (heap on a JVM that cannot count it) keeps its line; a
        // system call no longer made loses its lines (absent means 0).
        before.forEach((key, entry) -> {
            if (!after.containsKey(key) && !key.startsWith("syscalls.")) {
                after.put(key, entry);
            }
        });
        return after;
    }

    /** E.g. {@code syscalls.write.count: 3 → 4 (+1, exact)} or {@code totals.syscalls: 40 → 50 (+10, +25.0%, relative 5% min 3)}. */
    static BaselineVerdict.Change change(String key, long baseline, long measured, BaselineRule rule) {
        long delta = measured - baseline;
        String percent = rule.kind() == BaselineRule.Kind.RELATIVE && baseline > 0
                ? String.format(Locale.ROOT, ", %+.1f%%", delta * 100.0 / baseline) : "";
        return new BaselineVerdict.Change(key, baseline, measured, rule.toString(),
                key + ": " + baseline + " → " + measured + " (" + (delta >= 0 ? "+" : "") + delta + percent + ", " + rule + ")");
    }

    private KernelLimitExceededError failure(TraceOutcome outcome, String heading, List<String> lines, String advice) {
        StringBuilder message = new StringBuilder(heading).append(outcome.test().shortName())
                .append(" [scope ").append(outcome.scope()).append("]:");
        lines.forEach(line -> message.append("\n  - ").append(line));
        message.append("\nBaseline ").append(recorded.file()).append(": ").append(advice);
        for (MetricFamily family : MetricFamilies.ALL) {
            if (family.inEveryFailure()) {
                message.append('\n').append(family.heading()).append(": ").append(family.describe(outcome.metrics()));
            }
        }
        return new KernelLimitExceededError(message.toString());
    }

    /**
     * Writes the file once the class's tests are done: in update mode, the tests measured replace
     * their entries (their call-site lines stay as they were); in sites mode, the tests re-run
     * replace their call-site lines (the entries and the environment stay as they were).
     */
    @Override
    public void close() {
        if (mode == Mode.UPDATE && !measured.isEmpty()) {
            TreeMap<String, SortedMap<String, Entry>> tests = new TreeMap<>(recorded.tests());
            tests.keySet().removeAll(testsGone); // they can never run again
            tests.putAll(measured);
            TreeMap<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> sites = new TreeMap<>(recorded.callSites());
            sites.keySet().removeAll(testsGone);
            new Baseline(recorded.file(), environmentHere, tests, sites).write(className);
        } else if (mode == Mode.SITES && !measuredSites.isEmpty()) {
            TreeMap<String, SortedMap<String, Map<String, CallSiteChanges.Recorded>>> sites = new TreeMap<>(recorded.callSites());
            // a test re-run replaces its sites, also with none (nothing to attribute)
            measuredSites.forEach((test, kept) -> {
                sites.remove(test);
                if (!kept.isEmpty()) {
                    sites.put(test, kept);
                }
            });
            new Baseline(recorded.file(), recorded.environment(), recorded.tests(), sites).write(className);
        }
    }
}
