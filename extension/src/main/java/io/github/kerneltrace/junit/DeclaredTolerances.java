package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.metrics.Metric;

/**
 * The {@link BaselineTolerance} rules that apply to a test, nearest first: the method's, then its
 * class's, then its enclosing classes'. Read and validated before the test runs.
 */
final class DeclaredTolerances {

    static final DeclaredTolerances NONE = new DeclaredTolerances(List.of());

    /** One annotation: its pattern as a regular expression, its rule, and how it was written. */
    private record Tolerance(Pattern keys, BaselineRule rule, String declaration) {
    }

    /**
     * By the elements searched (method, class, enclosing classes): the annotations never change, and
     * searching them is a large part of the extension's own cost per test (see DeclaredLimits).
     */
    private static final Map<List<AnnotatedElement>, DeclaredTolerances> VALID = new ConcurrentHashMap<>();

    private final List<Tolerance> nearestFirst;

    private DeclaredTolerances(List<Tolerance> nearestFirst) {
        this.nearestFirst = List.copyOf(nearestFirst);
    }

    /**
     * @throws KernelTraceConfigurationException for a rule or pattern that cannot be read, naming
     *                                           the annotation, the test and the syntax
     */
    static DeclaredTolerances of(ExtensionContext context, TracedTest test) {
        List<AnnotatedElement> nearestFirst = new ArrayList<>();
        nearestFirst.add(context.getRequiredTestMethod());
        nearestFirst.addAll(DeclaringClasses.of(context));
        DeclaredTolerances known = VALID.get(nearestFirst);
        if (known != null) {
            return known;
        }
        List<Tolerance> tolerances = new ArrayList<>();
        for (AnnotatedElement element : nearestFirst) {
            for (BaselineTolerance annotation : AnnotationSupport.findRepeatableAnnotations(element, BaselineTolerance.class)) {
                tolerances.add(read(annotation, test));
            }
        }
        DeclaredTolerances declared = tolerances.isEmpty() ? NONE : new DeclaredTolerances(tolerances);
        VALID.put(nearestFirst, declared); // only valid ones: a bad one is reported every time
        return declared;
    }

    private static Tolerance read(BaselineTolerance annotation, TracedTest test) {
        String declaration = "@BaselineTolerance(metric = \"" + annotation.metric() + "\", rule = \"" + annotation.rule() + "\")";
        BaselineRule rule = BaselineRule.parse(annotation.rule());
        if (rule == null) {
            throw new KernelTraceConfigurationException(declaration + " on " + test.shortName()
                    + ": the rule must be " + BaselineRule.SYNTAX);
        }
        String pattern = annotation.metric().strip();
        if (!pattern.matches("[A-Za-z0-9_*]+(\\.[A-Za-z0-9_*]+)*")) {
            throw new KernelTraceConfigurationException(declaration + " on " + test.shortName()
                    + ": the metric must be a metric key such as syscalls.write.count, whose dot-separated parts may use"
                    + " * (one or more characters within a part) and ** (one or more whole parts), e.g. syscalls.futex.**");
        }
        return new Tolerance(Pattern.compile(toRegex(pattern)), rule, declaration);
    }

    /** {@code **} → one or more characters; {@code *} → one or more characters other than a dot. */
    static String toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".+");
                i++;
            } else if (c == '*') {
                regex.append("[^.]+");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /**
     * The rule of the nearest annotation that matches the key and applies to it ({@code slower}
     * applies to any metric, the others not to times), or null.
     */
    BaselineRule ruleFor(String key, Metric.Unit unit) {
        boolean time = BaselineRule.isTime(key, unit);
        for (Tolerance tolerance : nearestFirst) {
            if ((tolerance.rule().statistical() || !time) && tolerance.keys().matcher(key).matches()) {
                return tolerance.rule();
            }
        }
        return null;
    }
}
