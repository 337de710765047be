package io.github.kerneltrace.junit;

import java.net.URL;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;

import io.github.kerneltrace.probes.TraceSlot;

/**
 * Where in the user's code a recorded event came from: the first frame of the stack that is the
 * user's code (not the JDK's, JUnit's, AssertJ's, or KernelTrace's: its packages' classes loaded
 * from its own jars, so that a user's test in the same package counts as the user's), and the user-code frame that
 * called it, e.g. {@code SegmentLog.flushWriteBuffer(SegmentLog.java:291) ← SegmentLog.appendAll(SegmentLog.java:187)}.
 * Two frames, because the first is often a helper called from several places; the caller says which.
 *
 * @param methods the frames' methods without line numbers, e.g. {@code SegmentLog.flushWriteBuffer ←
 *                SegmentLog.appendAll}: what a baseline compares, so that an edit that moves lines does
 *                not turn every site into a new one
 * @param shown   the frames with their files and lines, for people
 */
record CallSite(String methods, String shown) {

    /** The events whose stack has no frame of the user's code (the JVM's or a library's own work). */
    static final CallSite OUTSIDE_USER_CODE = new CallSite("(no frame in your code)", "(no frame in your code)");
    /** Events recorded without a stack trace. */
    static final CallSite NO_STACK = new CallSite("(no stack trace)", "(no stack trace)");

    /** Packages whose frames are not the user's code; KernelTrace's own are matched exactly, see {@link #isUserCode}. */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.",
            "org.junit.", "org.assertj.", "org.opentest4j.", "org.apache.maven.surefire.", "net.bytebuddy.",
            "org.mockito.", "org.hamcrest.");
    /** KernelTrace's packages: their classes are its own when they come from its jars (a user's test may share the package). */
    private static final List<String> OWN_PREFIXES = List.of("io.github.kerneltrace.junit.", "io.github.kerneltrace.probes.");
    /** Where KernelTrace's classes are loaded from: the extension's jar and the probes' jar. */
    private static final Set<URL> OWN_LOCATIONS = ownLocations();
    /** Class name → whether it is KernelTrace's own; asked only for names in its packages. */
    private static final Map<String, Boolean> OWN = new ConcurrentHashMap<>();

    private static final int USER_FRAMES = 2;

    static CallSite of(RecordedStackTrace stack) {
        if (stack == null) {
            return NO_STACK;
        }
        List<RecordedFrame> user = new ArrayList<>(USER_FRAMES);
        for (RecordedFrame frame : stack.getFrames()) {
            if (frame.isJavaFrame() && isUserCode(frame.getMethod().getType().getName())) {
                user.add(frame);
                if (user.size() == USER_FRAMES) {
                    break;
                }
            }
        }
        if (user.isEmpty()) {
            return OUTSIDE_USER_CODE;
        }
        List<String> methods = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (RecordedFrame frame : user) {
            RecordedMethod method = frame.getMethod();
            String type = method.getType().getName();
            methods.add(simpleName(type) + "." + method.getName());
            shown.add(simpleName(type) + "." + method.getName() + "(" + fileName(type)
                    + (frame.getLineNumber() > 0 ? ":" + frame.getLineNumber() : "") + ")");
        }
        return new CallSite(String.join(" ← ", methods), String.join(" ← ", shown));
    }

    static boolean isUserCode(String className) {
        for (String prefix : FRAMEWORK_PREFIXES) {
            if (className.startsWith(prefix)) {
                return false;
            }
        }
        for (String prefix : OWN_PREFIXES) {
            if (className.startsWith(prefix)) {
                return !OWN.computeIfAbsent(className, CallSite::shipped);
            }
        }
        return true;
    }

    /** Whether the class was loaded from KernelTrace's own jars (or, in its build, its class directories). */
    private static boolean shipped(String className) {
        try {
            Class<?> type = Class.forName(className, false, CallSite.class.getClassLoader());
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null || OWN_LOCATIONS.contains(source.getLocation());
        } catch (ClassNotFoundException | LinkageError | SecurityException notHere) {
            return true; // not visible from here: not the user's test code either
        }
    }

    private static Set<URL> ownLocations() {
        Set<URL> locations = new HashSet<>();
        for (Class<?> own : List.of(CallSite.class, TraceSlot.class)) {
            CodeSource source = own.getProtectionDomain().getCodeSource();
            if (source != null) {
                locations.add(source.getLocation());
            }
        }
        return locations;
    }

    /** Whether the site is in the user's code: the others are listed, but are not what a user can change. */
    boolean inUserCode() {
        return this != OUTSIDE_USER_CODE && this != NO_STACK && !methods.startsWith("(");
    }

    /** A site as a baseline file shows it: its methods are the shown frames without their files and lines. */
    static CallSite ofShown(String shown) {
        return shown.startsWith("(") ? new CallSite(shown, shown) : new CallSite(LOCATION.matcher(shown).replaceAll(""), shown);
    }

    private static final java.util.regex.Pattern LOCATION = java.util.regex.Pattern.compile("\\([^()]*\\)");

    /** {@code SegmentLogTest$Nested} for {@code io.github.x.SegmentLogTest$Nested}. */
    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** The source file of the outermost class: what a stack trace shows, guessed as Java's convention has it. */
    private static String fileName(String className) {
        String simple = simpleName(className);
        int nested = simple.indexOf('$');
        return (nested < 0 ? simple : simple.substring(0, nested)) + ".java";
    }
}
