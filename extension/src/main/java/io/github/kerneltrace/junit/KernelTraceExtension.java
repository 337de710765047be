package io.github.kerneltrace.junit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import jdk.jfr.consumer.RecordedEvent;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

import io.github.kerneltrace.probes.TracingUnavailableException;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Traces each test method it applies to with eBPF, then checks the test's limits and reports
 * its metrics. Registered by {@link KernelTrace} and by the limit annotations; see those.
 *
 * <p>Only the test method is measured: {@code @BeforeEach} and {@code @AfterEach} run untraced,
 * once around all of a test's warm-ups and repetitions ({@link KernelTrace#repetitions()}).
 * Each invocation keeps its state in local variables and its {@link ExtensionContext}'s store,
 * so tests may run in parallel; only the kernel tracer is shared by the whole JVM.
 */
public final class KernelTraceExtension implements InvocationInterceptor, ParameterResolver {

    private static final Namespace NAMESPACE = Namespace.create(KernelTraceExtension.class);
    private static final System.Logger LOGGER = System.getLogger(KernelTraceExtension.class.getName());

    private final TracingBackend kernel = new KernelTracingBackend();

    /**
     * JUnit creates the extension when it prepares the first class that uses it, before that
     * class's instances and {@code @BeforeAll} methods: start loading the BPF programs then, so
     * that the first traced test waits only for what is left of it.
     */
    public KernelTraceExtension() {
        BackgroundLoad.start();
    }

    /**
     * Substitutes the kernel for the tests below {@code context}: a seam for this module's own
     * tests of machines that cannot trace. Package-private on purpose; not API.
     */
    static void substituteBackend(ExtensionContext context, TracingBackend backend) {
        context.getStore(NAMESPACE).put(TracingBackend.class, backend);
    }

    private TracingBackend backend(ExtensionContext context) {
        TracingBackend substitute = context.getStore(NAMESPACE).get(TracingBackend.class, TracingBackend.class);
        return substitute != null ? substitute : kernel;
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        trace(invocation, invocationContext, extensionContext, false);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        trace(invocation, invocationContext, extensionContext, true);
    }

    /**
     * {@code @TestFactory} methods are not traced: they only build dynamic tests, which JUnit runs
     * later without per-test interception. A KernelTrace annotation on the factory itself would
     * otherwise pass silently untraced, so it fails the factory with the reason.
     */
    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        Method factory = invocationContext.getExecutable();
        boolean annotated = AnnotationSupport.isAnnotated(factory, KernelTrace.class)
                || !DeclaredLimits.of(List.of(factory), TracedTest.of(extensionContext, false)).isEmpty();
        if (annotated) {
            invocation.skip();
            throw new KernelTraceConfigurationException("KernelTrace annotations on @TestFactory method "
                    + factory.getDeclaringClass().getSimpleName() + "." + factory.getName() + "() cannot be honoured:"
                    + " dynamic tests are not traced; move the annotations to @Test, @RepeatedTest or"
                    + " @ParameterizedTest methods");
        }
        return invocation.proceed();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KernelTraceSession.class
                && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public KernelTraceSession resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return session(extensionContext);
    }

    private void trace(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method, ExtensionContext context,
                       boolean repeated) throws Throwable {
        TracingMarker marker = new TracingMarker(context);
        if (marker.present()) {
            // Registered twice (say, by an annotation and programmatically): the outer one measures.
            invocation.proceed();
            return;
        }
        TracedTest test = TracedTest.of(context, repeated);
        TracingBackend backend = backend(context);
        KernelTraceConfiguration configuration;
        List<Limit> limits;
        ClassBaseline baseline;
        DeclaredTolerances tolerances;
        Repetitions repetitions;
        CountingPlan plan;
        Set<Profile> profiles;
        try {
            // Bad input fails this test before it runs, and before any kernel resource is taken.
            configuration = KernelTraceConfiguration.of(context);
            limits = DeclaredLimits.of(context, test);
            baseline = ClassBaseline.of(context);
            tolerances = DeclaredTolerances.of(context, test);
            repetitions = Repetitions.of(context, test);
            profiles = DeclaredProfiles.of(context, configuration, test);
            boolean latency = DeclaredScope.latency(context);
            requireLatencyForLatencyLimits(latency, limits, test);
            // Only tests that ask pay for the allocator uprobes; a limit on native allocations asks.
            boolean nativeAllocations = DeclaredScope.nativeAllocations(context)
                    || limits.stream().anyMatch(Limit::needsNativeAllocations);
            Scope scope = session(context).scope();
            if (scope == Scope.PROCESS) {
                // Counts every thread of the JVM, so the assertion classes are loaded before counting starts.
                AssertionWarmUp.awaitLoaded();
            }
            // A CPU or off-CPU flame graph's title compares with the kernel's CPU times: the scheduler programs measure them.
            plan = new CountingPlan(scope, latency, nativeAllocations, configuration.followHandOffs(),
                    limits.stream().anyMatch(Limit::needsScheduler)
                            || profiles.contains(Profile.CPU) || profiles.contains(Profile.OFF_CPU),
                    configuration.parallelExecution(), DeclaredProbes.of(context, test, limits),
                    DeclaredScope.jvmEvents(context) || limits.stream().anyMatch(Limit::needsJvmEvents));
        } catch (Throwable notRun) {
            invocation.skip();
            throw notRun;
        }
        marker.set();
        // Java call sites: for a test with limits or a baseline, looked up when it fails, in a
        // re-run of its method with the Flight Recorder on (diagnosticCallSites): the gated runs
        // are counted without it, whose events, buffers and stack walks the kernel would count too.
        boolean attributing = configuration.callSites() && (!limits.isEmpty() || baseline.active());
        // Flame graphs are asked for: their recording runs in the counted runs, and says so (user guide).
        JfrRecorder.Lease recording = profiles.isEmpty() ? null
                : JfrRecorder.shared().tryOpen(FlameGraphs.settings(profiles)).orElse(null);
        RunWindow window = null; // the last run's, for its flame graphs
        List<RecordedEvent> profileEvents = List.of();
        TraceOutcome outcome = null;
        Throwable testFailure = null;
        List<KernelMetrics> measured = new ArrayList<>();
        // JUnit's invocation must be proceeded or skipped exactly once.
        boolean proceeded = false;
        try {
            KernelTraceSession session = session(context);
            Instant startedAt = null;
            long durationNanos = 0;
            // Warm-ups (numbered 0 and below), then the repetitions, each counted in a run of its own.
            // A warm-up's count is discarded; it is counted all the same, so that a test asserting on
            // session.metrics() inside the method works in warm-ups too. The last repetition is
            // JUnit's invocation (it can proceed only once); the runs before it call the method
            // again, and one that fails ends the test.
            for (int repetition = 1 - repetitions.warmups(); repetition <= repetitions.count() && testFailure == null;
                 repetition++) {
                boolean last = repetition == repetitions.count();
                TraceRun run = open(backend, plan, configuration);
                try {
                    session.running(run);
                    startedAt = Instant.now();
                    // the Java events' window, taken before counting starts: an Instant is heap the test would count
                    Instant countingFrom = recording != null ? Instant.now() : null;
                    long startNanos = System.nanoTime();
                    startOrNotTraceable(run, configuration);
                    try {
                        if (last) {
                            proceeded = true;
                            invocation.proceed();
                        } else {
                            invokeAgain(method);
                        }
                    } catch (Throwable t) {
                        testFailure = t;
                    } finally {
                        session.stopping();
                        run.stop();
                    }
                    Set<Long> threads = recording != null && last ? run.javaThreadIds() : Set.of();
                    if (!threads.isEmpty()) { // none: a stand-in backend, whose runs have no threads
                        window = new RunWindow(countingFrom, Instant.now(), threads, session.scope() != Scope.THREAD,
                                session.pauses());
                    }
                    if (repetition > 0) {
                        durationNanos = System.nanoTime() - startNanos;
                        KernelMetrics metrics = run.metrics();
                        measured.add(metrics);
                        session.finished(metrics);
                    }
                } finally {
                    run.close();
                }
            }
            if (window != null) {
                // read while the lease holds the recording: it stops when the last lease closes
                profileEvents = profileEvents(window, test);
            }
            if (measured.size() == repetitions.count()) {
                List<LimitResult> results = limits.stream().map(limit -> checkMedian(limit, measured)).toList();
                outcome = new TraceOutcome(test, session.scope(), backend.kernelDescription(), startedAt, durationNanos,
                        measured.get(measured.size() - 1), results, BaselineVerdict.OFF, repetitions.warmups(), measured,
                        new TreeSet<>());
            }
        } catch (Throwable readingFailed) {
            if (testFailure == null) {
                throw readingFailed;
            }
            testFailure.addSuppressed(readingFailed);
            throw testFailure;
        } finally {
            if (recording != null) {
                recording.close();
            }
            marker.clear();
            if (!proceeded) {
                invocation.skip();
            }
        }
        if (outcome == null) {
            throw testFailure; // a repetition before the last failed: nothing to check or report
        }
        // Compared (or recorded) before any failure is thrown: update mode records every test.
        BaselineVerdict verdict = baseline.check(outcome, tolerances, context, configuration.summary());
        // The report lists the gated keys' values over repetitions; one run has nothing to list.
        outcome = outcome.withBaseline(verdict, outcome.repetitions().size() > 1
                ? baseline.gatedKeys(outcome, tolerances) : new TreeSet<>());
        TestCallSites sites = attributing && testFailure == null
                ? diagnosticCallSites(outcome, baseline, backend, plan, method, context) : TestCallSites.NONE;
        report(outcome, sites, testFailure, configuration, context, profiles, profileEvents);
        Optional<KernelLimitExceededError> regression = baseline.failure(outcome, verdict, sites,
                configuration.topCallSites());
        List<KernelLimitExceededError> failures = new ArrayList<>();
        if (!outcome.breaches().isEmpty()) {
            failures.add(KernelLimitExceededError.of(outcome, sites, configuration.topCallSites()));
        }
        regression.ifPresent(failures::add);
        if (!failures.isEmpty()) {
            if (testFailure == null) {
                failures.stream().skip(1).forEach(failures.get(0)::addSuppressed);
                throw failures.get(0);
            }
            failures.forEach(testFailure::addSuppressed);
        }
        if (configuration.failOnUncountedHandOffs() && outcome.metrics().diagnostics().handOffs().uncounted()) {
            UncountedWorkError uncounted = UncountedWorkError.of(outcome);
            if (testFailure == null) {
                throw uncounted;
            }
            testFailure.addSuppressed(uncounted);
        }
        if (testFailure != null) {
            throw testFailure;
        }
    }

    /**
     * Starts counting before the test method runs. Where the programs turn out not to see the
     * test's thread (the canary: a container whose ids do not match, programs detached by another
     * tool), counting would measure nothing: the test is then skipped or failed as where tracing
     * is unavailable, never run to pass untraced.
     */
    private static void startOrNotTraceable(TraceRun run, KernelTraceConfiguration configuration) {
        try {
            run.start();
        } catch (TracingUnavailableException notSeen) {
            throw TracingUnavailable.handle(notSeen.getMessage(), configuration.require(), configuration.summary());
        }
    }

    /**
     * Runs the test method once more on the same instance and arguments, for a warm-up or a
     * repetition before the last: JUnit's invocation can proceed only once.
     */
    private static void invokeAgain(ReflectiveInvocationContext<Method> method) throws Throwable {
        Method executable = method.getExecutable();
        executable.setAccessible(true);
        try {
            executable.invoke(method.getTarget().orElse(null), method.getArguments().toArray());
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The limit checked against the median of its value over the repetitions (a value that was
     * measured: the lower middle for an even number). A limit some repetition could not measure
     * fails as not measured. With more than one repetition the breach says so, with every value.
     */
    static LimitResult checkMedian(Limit limit, List<KernelMetrics> repetitions) {
        List<LimitResult> results = repetitions.stream().map(limit::check).toList();
        if (results.size() == 1) {
            return results.get(0);
        }
        for (LimitResult result : results) {
            if (!result.measuredAtAll()) {
                return result;
            }
        }
        long median = Repetitions.median(results.stream().map(LimitResult::measured).toList());
        LimitResult middle = results.stream().filter(result -> result.measured() == median).findFirst().orElseThrow();
        if (!middle.breached()) {
            return middle;
        }
        List<String> details = new ArrayList<>();
        details.add("median of " + results.size() + " repetitions: " + String.join(", ",
                results.stream().map(result -> limit.unit().format(result.measured())).toList()));
        details.addAll(middle.details());
        return new LimitResult(limit, median, null, details);
    }

    private static void requireLatencyForLatencyLimits(boolean latency, List<Limit> limits, TracedTest test) {
        if (latency) {
            return;
        }
        for (Limit limit : limits) {
            if (limit.needsSyscallLatency()) {
                throw new KernelTraceConfigurationException(limit.declaration() + " on " + test.shortName()
                        + ": latency is not measured for this test (@KernelTrace(latency = false));"
                        + " remove the limit or turn latency on");
            }
        }
    }

    private static void requireAvailable(TracingBackend backend, KernelTraceConfiguration configuration) {
        Optional<String> unavailable = backend.unavailableReason();
        if (unavailable.isPresent()) {
            throw TracingUnavailable.handle(unavailable.get(), configuration.require(), configuration.summary());
        }
    }

    private static TraceRun open(TracingBackend backend, CountingPlan plan, KernelTraceConfiguration configuration) {
        requireAvailable(backend, configuration);
        try {
            return backend.open(plan);
        } catch (TracingUnavailableException e) {
            throw TracingUnavailable.handle(e.getMessage(), configuration.require(), configuration.summary());
        }
    }

    /** The last run's events for its flame graphs, or none (said on the log) when the recording cannot be read. */
    private static List<RecordedEvent> profileEvents(RunWindow window, TracedTest test) {
        try {
            return window.events();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not read the flight recording for the flame graphs of "
                    + test.shortName(), e);
            return List.of();
        }
    }

    /**
     * The Java call sites of a test that breached a limit or regressed against its baseline, or of
     * every test while its baseline is recorded: from one more run of its method, counted like the
     * others, with the Flight Recorder recording the Java stacks of that run's threads. Only those
     * tests pay it (a run, a dump of the recording); a passing test pays nothing, and no counted
     * run has the recording's own work in its figures. A re-run that throws, or a JVM that cannot
     * record, leaves the verdict without sites and says why.
     */
    private static TestCallSites diagnosticCallSites(TraceOutcome outcome, ClassBaseline baseline, TracingBackend backend,
                                                     CountingPlan plan, ReflectiveInvocationContext<Method> method,
                                                     ExtensionContext context) {
        boolean failing = !outcome.breaches().isEmpty() || outcome.baseline().status() == BaselineVerdict.Status.REGRESSED;
        if (!failing && !baseline.recordsCallSites() || !backend.countsThreadsOfThisJvm()) {
            return TestCallSites.NONE;
        }
        Set<String> metrics = new LinkedHashSet<>();
        outcome.breaches().forEach(breach -> metrics.add(breach.limit().metric()));
        outcome.baseline().regressions().forEach(change -> metrics.add(change.metric()));
        metrics.addAll(baseline.callSiteMetrics(outcome));
        Map<String, String> settings = metrics.stream().anyMatch(CallSites::needsCpuSamples) ? JfrRecorder.cpuSamples() : Map.of();
        Optional<JfrRecorder.Lease> lease = JfrRecorder.shared().tryOpen(settings);
        if (lease.isEmpty()) {
            return TestCallSites.NONE; // said once on the log: this JVM cannot record
        }
        KernelTraceSession session = session(context);
        try (JfrRecorder.Lease recording = lease.get(); TraceRun run = backend.open(plan)) {
            session.running(run);
            Instant from = Instant.now();
            run.start();
            try {
                invokeAgain(method);
            } finally {
                session.stopping();
                run.stop();
            }
            RunWindow window = new RunWindow(from, Instant.now(), run.javaThreadIds(), session.scope() != Scope.THREAD, session.pauses());
            TestCallSites sites = TestCallSites.record(metrics, run.metrics(), window);
            return baseline.withCallSites(outcome, sites);
        } catch (Throwable notRecorded) {
            // The verdict stands without its sites; say why they are missing rather than fail differently.
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not find the Java call sites of "
                    + outcome.test().shortName() + " (its method run once more, with the Flight Recorder on): " + notRecorded);
            return TestCallSites.NONE;
        }
    }

    /** @param testFailure what the test method itself threw, or null: the run reports say the test failed */
    private static void report(TraceOutcome outcome, TestCallSites sites, Throwable testFailure,
                               KernelTraceConfiguration configuration, ExtensionContext context,
                               Set<Profile> profiles, List<RecordedEvent> profileEvents) {
        String failure = testFailure == null ? null : JsonReport.describeFailure(testFailure);
        context.publishReportEntry(ReportEntries.of(outcome));
        if (configuration.summary()) {
            System.out.println(SummaryLine.of(outcome));
        }
        // The JSON is made and written on the report writer's thread: the test does not wait for it.
        // So are the flame graphs, from the test's flight recording.
        Path reportDir = configuration.reportDir();
        String fileName = JsonReport.fileName(outcome.test());
        ReportFiles.write(outcome.test().uniqueId(), () -> {
            List<FlameGraphs.Graph> graphs = flameGraphs(outcome, profiles, profileEvents, fileName);
            Map<String, String> pages = new LinkedHashMap<>();
            graphs.forEach(graph -> pages.put(graph.file(), graph.html()));
            return new ReportFiles.Report(reportDir.resolve(fileName), JsonReport.render(outcome, failure, sites, graphs),
                    configuration.histogramLogs() ? HistogramLog.render(outcome) : null, pages);
        });
    }

    /** The test's flame graphs, or none when it asked for none or they could not be drawn (the report says nothing of them then). */
    private static List<FlameGraphs.Graph> flameGraphs(TraceOutcome outcome, Set<Profile> profiles, List<RecordedEvent> events,
                                                       String fileName) {
        if (profiles.isEmpty() || events.isEmpty()) {
            return List.of();
        }
        try {
            return FlameGraphs.render(profiles, events, outcome.test(), outcome.metrics(), fileName);
        } catch (RuntimeException e) {
            // A flame graph that cannot be drawn must not cost the test its JSON report.
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not draw the flame graphs of "
                    + outcome.test().shortName(), e);
            return List.of();
        }
    }

    private static KernelTraceSession session(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KernelTraceSession.class,
                key -> new KernelTraceSession(DeclaredScope.of(context)), KernelTraceSession.class);
    }

    /** Marks, in the invocation's store, that a KernelTrace extension is measuring it. */
    private record TracingMarker(ExtensionContext context) {

        private static final String KEY = "traced";

        boolean present() {
            return context.getStore(NAMESPACE).get(KEY) != null;
        }

        void set() {
            context.getStore(NAMESPACE).put(KEY, Boolean.TRUE);
        }

        void clear() {
            context.getStore(NAMESPACE).remove(KEY);
        }
    }
}
