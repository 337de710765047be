package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.extension.ExtensionContext;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Reads and validates the limits that apply to a test: those on its enclosing classes and its
 * class (for every test), then those on the method (added to them). Direct, repeated and
 * meta-annotations all count. Each {@link MetricFamily} reads its own annotations; this class
 * walks the declaring elements, offers the families the checks every limit needs (negative
 * counts, durations, sizes, percentiles) and collects every problem into one error.
 */
final class DeclaredLimits {

    private final TracedTest test;
    /**
     * Valid limits by where they were declared (enclosing classes, class, method). Searching the
     * annotations, meta-annotations included, is most of the extension's own cost per test; the
     * answer never changes for a method, so repeated and parameterized invocations, and every
     * later run in the JVM, reuse it.
     */
    private static final Map<List<AnnotatedElement>, List<Limit>> VALID = new ConcurrentHashMap<>();

    private final List<Limit> limits = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private DeclaredLimits(TracedTest test) {
        this.test = test;
    }

    /**
     * @throws KernelTraceConfigurationException listing every bad value, so that the test fails
     *                                           before it runs
     */
    static List<Limit> of(ExtensionContext context, TracedTest test) {
        List<AnnotatedElement> declaring = new ArrayList<>(DeclaringClasses.of(context));
        Collections.reverse(declaring); // outermost class first, then the test class
        declaring.add(context.getRequiredTestMethod());
        List<Limit> known = VALID.get(declaring);
        if (known != null) {
            return known;
        }
        List<Limit> limits = of(declaring, test);
        VALID.put(declaring, limits); // only valid declarations: a bad one is reported every time
        return limits;
    }

    static List<Limit> of(List<? extends AnnotatedElement> declaring, TracedTest test) {
        DeclaredLimits reader = new DeclaredLimits(test);
        for (AnnotatedElement element : declaring) {
            if (element instanceof java.lang.reflect.Method method && !mayCarryLimits(method)) {
                continue; // most test methods: only @Test and the like
            }
            if (element instanceof Class<?> type) {
                List<Limit> known = CLASS_LIMITS.get(type);
                if (known != null) {
                    known.forEach(reader::add);
                    continue;
                }
                int limitsBefore = reader.limits.size();
                int problemsBefore = reader.problems.size();
                readEveryFamily(element, reader);
                if (reader.problems.size() == problemsBefore) { // only valid declarations: a bad one is reported every time
                    CLASS_LIMITS.put(type, List.copyOf(reader.limits.subList(limitsBefore, reader.limits.size())));
                }
                continue;
            }
            readEveryFamily(element, reader);
        }
        if (!reader.problems.isEmpty()) {
            throw new KernelTraceConfigurationException(String.join("\n", reader.problems));
        }
        return List.copyOf(reader.limits);
    }

    private static void readEveryFamily(AnnotatedElement element, DeclaredLimits reader) {
        for (MetricFamily family : MetricFamilies.ALL) {
            family.readLimits(element, reader);
        }
    }

    /**
     * The limits each class declares, read once per class: a class's twenty methods read the same
     * annotations twenty times otherwise, every family's, each a search of meta-annotations, which a
     * cold JVM runs interpreted (a family of eight limit annotations added 4 ms to each of a run's
     * first hundred tests). A class with a bad declaration is read (and reported) every time.
     */
    private static final Map<Class<?>, List<Limit>> CLASS_LIMITS = new ConcurrentHashMap<>();

    /** Whether each annotation type carries a KernelTrace annotation, itself or among its meta-annotations. */
    private static final Map<Class<? extends java.lang.annotation.Annotation>, Boolean> CARRIES_KERNELTRACE =
            new ConcurrentHashMap<>();

    /**
     * Whether a method's own annotations may declare limits: one of them, or one of their
     * meta-annotations, is KernelTrace's. Each family's search walks every annotation's
     * meta-annotations, sixteen times over; in a suite that runs each test once, every method is
     * new, and most carry only {@code @Test}. (Methods only: JUnit also searches a class's
     * interfaces and superclasses, which this would not see.)
     */
    static boolean mayCarryLimits(java.lang.reflect.Method method) {
        for (java.lang.annotation.Annotation annotation : method.getDeclaredAnnotations()) {
            if (CARRIES_KERNELTRACE.computeIfAbsent(annotation.annotationType(), DeclaredLimits::carriesKernelTrace)) {
                return true;
            }
        }
        return false;
    }

    private static boolean carriesKernelTrace(Class<? extends java.lang.annotation.Annotation> type) {
        java.util.Deque<Class<? extends java.lang.annotation.Annotation>> pending = new java.util.ArrayDeque<>(List.of(type));
        java.util.Set<Class<?>> seen = new java.util.HashSet<>();
        while (!pending.isEmpty()) {
            Class<? extends java.lang.annotation.Annotation> next = pending.pop();
            if (!seen.add(next)) {
                continue;
            }
            if (next.getPackageName().equals(DeclaredLimits.class.getPackageName())) {
                return true;
            }
            for (java.lang.annotation.Annotation meta : next.getDeclaredAnnotations()) {
                pending.push(meta.annotationType());
            }
        }
        return false;
    }

    /** Adds a limit that passed its family's checks. */
    void add(Limit limit) {
        limits.add(limit);
    }

    /**
     * Adds a limit in bytes written as a size, e.g. {@code @MaxHeapAllocation("10MiB")}, after
     * parsing {@code value}; records the problem instead when it is not a size.
     */
    void addBytes(MetricFamily family, String annotation, String value, String metric, String label,
                  ToLongFunction<KernelMetrics> measure, LimitContext context) {
        try {
            long bytes = ByteSizes.parseBytes(value);
            limits.add(new Limit(family, metric, label, bytes, Limit.Unit.BYTES,
                    "@" + annotation + "(" + quoted(value) + ")", measure, context));
        } catch (IllegalArgumentException e) {
            problem("@" + annotation + "(value = " + quoted(value) + ")", e.getMessage());
        }
    }

    /** Whether {@code value} is a negative count, after recording the problem. */
    boolean negative(String annotation, long value) {
        if (value >= 0) {
            return false;
        }
        problem("@" + annotation + "(value = " + value + ")", "negative limit " + value + "; use 0 or more");
        return true;
    }

    boolean validPercentile(String annotation, double percentile) {
        if (percentile > 0 && percentile <= 100) {
            return true;
        }
        problem("@" + annotation + "(percentile = " + percentile + ")", "percentile " + percentile
                + " is outside (0, 100]; use a number greater than 0 and at most 100, e.g. 99 or 99.9");
        return false;
    }

    /** The duration in nanoseconds, or -1 after recording the problem. */
    long duration(String annotation, String value) {
        try {
            return Durations.parseNanos(value);
        } catch (IllegalArgumentException e) {
            problem("@" + annotation + "(value = " + quoted(value) + ")", e.getMessage());
            return -1;
        }
    }

    /** Records a bad declaration, e.g. {@code @MaxSyscalls(value = -1)} and why, naming the test. */
    void problem(String attribute, String message) {
        problems.add(attribute + " on " + test.shortName() + ": " + message);
    }

    /** {@code p99}, {@code p99.9}, {@code p50}. */
    static String percentileLabel(double percentile) {
        return "p" + percentileNumber(percentile);
    }

    /** {@code 99}, {@code 99.9}: as a declaration would write it. */
    static String percentileNumber(double percentile) {
        return BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
    }

    static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
