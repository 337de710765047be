package io.github.kerneltrace.junit;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.DeclaredProbe;
import io.github.kerneltrace.probes.MappedLibraries;

/**
 * The probes a test declares ({@link UserProbe}, {@link UsdtProbe}, {@link TracepointProbe},
 * {@link KernelProbe}) on its enclosing classes, its class and its method, resolved for the kernel:
 * library names to the files mapped into this JVM now. Every problem (a bad or duplicate name, an
 * unknown library, a malformed tracepoint, a limit on an undeclared probe or a latency limit on a
 * probe that is not timed) is collected into one {@link KernelTraceConfigurationException}.
 * Unknown symbols, USDT probes and tracepoints are found when attaching (the kernel's answer).
 */
final class DeclaredProbes {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern TRACEPOINT = Pattern.compile("([A-Za-z0-9_]+):([A-Za-z0-9_]+)");
    static final int MAX_PROBES = 16;

    private final TracedTest test;
    private final Map<String, DeclaredProbe> byName = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private List<String> mapped;

    private DeclaredProbes(TracedTest test) {
        this.test = test;
    }

    /** @throws KernelTraceConfigurationException listing every bad declaration */
    static List<DeclaredProbe> of(ExtensionContext context, TracedTest test, List<Limit> limits) {
        List<AnnotatedElement> declaring = new ArrayList<>(DeclaringClasses.of(context));
        Collections.reverse(declaring);
        declaring.add(context.getRequiredTestMethod());
        return of(declaring, test, limits);
    }

    static List<DeclaredProbe> of(List<? extends AnnotatedElement> declaring, TracedTest test, List<Limit> limits) {
        DeclaredProbes reader = new DeclaredProbes(test);
        for (AnnotatedElement element : declaring) {
            if (element instanceof java.lang.reflect.Method method && !DeclaredLimits.mayCarryLimits(method)) {
                continue; // most test methods: only @Test and the like (the annotation search is the costly part)
            }
            if (element instanceof Class<?> type && !DECLARES_PROBES.computeIfAbsent(type, DeclaredProbes::declaresAny)) {
                continue; // most classes, every one of their tests: searched once
            }
            reader.read(element);
        }
        reader.checkLimits(limits);
        if (reader.byName.size() > MAX_PROBES) {
            reader.problems.add(reader.byName.size() + " probes declared on " + test.shortName() + ", at most "
                    + MAX_PROBES + " can be; declare fewer");
        }
        if (!reader.problems.isEmpty()) {
            throw new KernelTraceConfigurationException(String.join("\n", reader.problems));
        }
        return List.copyOf(reader.byName.values());
    }

    /** Whether a class declares probes at all (its libraries are resolved at each test: one may be loaded later). */
    private static final Map<Class<?>, Boolean> DECLARES_PROBES = new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean declaresAny(Class<?> type) {
        return !AnnotationSupport.findRepeatableAnnotations(type, UserProbe.class).isEmpty()
                || !AnnotationSupport.findRepeatableAnnotations(type, UsdtProbe.class).isEmpty()
                || !AnnotationSupport.findRepeatableAnnotations(type, TracepointProbe.class).isEmpty()
                || !AnnotationSupport.findRepeatableAnnotations(type, KernelProbe.class).isEmpty();
    }

    private void read(AnnotatedElement element) {
        for (UserProbe probe : AnnotationSupport.findRepeatableAnnotations(element, UserProbe.class)) {
            String declaration = "@UserProbe(name = " + DeclaredLimits.quoted(probe.name()) + ")";
            List<String> files = files(declaration, probe.library());
            if (files != null && symbol(declaration, "function", probe.function())) {
                add(declaration, DeclaredProbe.uprobe(probe.name(), files, probe.function()));
            }
        }
        for (UsdtProbe probe : AnnotationSupport.findRepeatableAnnotations(element, UsdtProbe.class)) {
            String declaration = "@UsdtProbe(name = " + DeclaredLimits.quoted(probe.name()) + ")";
            List<String> files = files(declaration, probe.library());
            if (files != null && symbol(declaration, "provider", probe.provider()) && symbol(declaration, "probe", probe.probe())) {
                add(declaration, DeclaredProbe.usdt(probe.name(), files, probe.provider(), probe.probe()));
            }
        }
        for (TracepointProbe probe : AnnotationSupport.findRepeatableAnnotations(element, TracepointProbe.class)) {
            String declaration = "@TracepointProbe(name = " + DeclaredLimits.quoted(probe.name()) + ")";
            var matcher = TRACEPOINT.matcher(probe.tracepoint());
            if (!matcher.matches()) {
                problem(declaration, "tracepoint " + DeclaredLimits.quoted(probe.tracepoint()) + " is not category:name;"
                        + " write it as /sys/kernel/tracing/available_events lists it, e.g. \"sched:sched_process_fork\"");
                continue;
            }
            add(declaration, DeclaredProbe.tracepoint(probe.name(), matcher.group(1), matcher.group(2),
                    probe.scope() == ProbeScope.HOST));
        }
        for (KernelProbe probe : AnnotationSupport.findRepeatableAnnotations(element, KernelProbe.class)) {
            String declaration = "@KernelProbe(name = " + DeclaredLimits.quoted(probe.name()) + ")";
            if (symbol(declaration, "function", probe.function())) {
                add(declaration, DeclaredProbe.kprobe(probe.name(), probe.function()));
            }
        }
    }

    private void add(String declaration, DeclaredProbe probe) {
        if (!NAME.matcher(probe.name()).matches()) {
            problem(declaration, "the name must be letters, digits, '_' or '-' (it is part of metric keys: probes.<name>.hits)");
        } else if (byName.containsKey(probe.name())) {
            problem(declaration, "a probe named " + DeclaredLimits.quoted(probe.name()) + " is declared already ("
                    + byName.get(probe.name()).kind() + "); give each probe its own name");
        } else {
            byName.put(probe.name(), probe);
        }
    }

    private boolean symbol(String declaration, String attribute, String value) {
        if (value.isBlank()) {
            problem(declaration, attribute + " is empty; name the " + attribute);
            return false;
        }
        return true;
    }

    /** The mapped files the library names mean, in the order given; null after recording the problem. */
    private List<String> files(String declaration, String[] libraries) {
        if (libraries.length == 0) {
            problem(declaration, "library is empty; name one, e.g. \"libz\", or an absolute path");
            return null;
        }
        if (mapped == null) {
            mapped = MappedLibraries.mappedFiles();
        }
        List<String> files = new ArrayList<>();
        for (String library : libraries) {
            files.addAll(MappedLibraries.matching(library, mapped));
        }
        if (files.isEmpty()) {
            List<String> similar = new ArrayList<>();
            for (String library : libraries) {
                similar.addAll(MappedLibraries.similar(library, mapped));
            }
            problem(declaration, "no library " + String.join(" or ", libraries) + " is mapped into this JVM"
                    + (similar.isEmpty() ? "" : " (mapped and alike: " + String.join(", ", similar) + ")")
                    + "; name a library the JVM has loaded by then (as /proc/self/maps lists it), or give its absolute path");
            return null;
        }
        return files.stream().distinct().toList();
    }

    private void checkLimits(List<Limit> limits) {
        for (Limit limit : limits) {
            if (limit.family() != DeclaredProbeFamily.FAMILY) {
                continue;
            }
            String name = DeclaredProbeFamily.probeOf(limit);
            DeclaredProbe probe = byName.get(name);
            if (probe == null) {
                problems.add(limit.declaration() + " on " + test.shortName() + ": no probe named " + DeclaredLimits.quoted(name)
                        + " is declared" + (byName.isEmpty() ? "" : " (declared: " + String.join(", ", byName.keySet()) + ")")
                        + "; declare it with @UserProbe, @UsdtProbe, @TracepointProbe or @KernelProbe");
            } else if (limit.unit() == Limit.Unit.NANOSECONDS && !probe.kind().timed()) {
                problems.add(limit.declaration() + " on " + test.shortName() + ": probe " + DeclaredLimits.quoted(name)
                        + " is a " + probe.kind() + " probe, which counts hits but does not time calls;"
                        + " use @MaxProbeHits, or a @UserProbe or @KernelProbe for latency");
            }
        }
    }

    private void problem(String declaration, String message) {
        problems.add(declaration + " on " + test.shortName() + ": " + message);
    }

    /**
     * The message of a declaration the kernel would not attach (its text starts {@code probe "<name>": }),
     * led by the declaration as written, e.g. {@code @UserProbe(name = "calls", library = "libdeclared",
     * function = "no_such_function"): no mapped file [...] has the function no_such_function ...}.
     */
    static String attachFailure(List<DeclaredProbe> probes, String message) {
        for (DeclaredProbe probe : probes) {
            String prefix = "probe " + DeclaredLimits.quoted(probe.name()) + ": ";
            if (message.startsWith(prefix)) {
                return declaration(probe) + ": " + message.substring(prefix.length());
            }
        }
        return message;
    }

    /** A declaration as its annotation reads. */
    static String declaration(DeclaredProbe probe) {
        String name = "name = " + DeclaredLimits.quoted(probe.name());
        String library = probe.binaries().size() == 1 ? DeclaredLimits.quoted(probe.binaries().get(0))
                : probe.binaries().stream().map(DeclaredLimits::quoted).collect(java.util.stream.Collectors.joining(", ", "{", "}"));
        return switch (probe.kind()) {
            case UPROBE -> "@UserProbe(" + name + ", library = " + library + ", function = " + DeclaredLimits.quoted(probe.function()) + ")";
            case USDT -> "@UsdtProbe(" + name + ", library = " + library + ", provider = " + DeclaredLimits.quoted(probe.group())
                    + ", probe = " + DeclaredLimits.quoted(probe.event()) + ")";
            case TRACEPOINT -> "@TracepointProbe(" + name + ", tracepoint = " + DeclaredLimits.quoted(probe.group() + ":" + probe.event())
                    + (probe.host() ? ", scope = HOST" : "") + ")";
            case KPROBE -> "@KernelProbe(" + name + ", function = " + DeclaredLimits.quoted(probe.function()) + ")";
        };
    }
}
