package io.github.kerneltrace.junit;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
 * <p>Only the test method is measured: {@code @BeforeEach} and {@code @AfterEach} run untraced.
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
        trace(invocation, extensionContext, false);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        trace(invocation, extensionContext, true);
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

    private void trace(Invocation<Void> invocation, ExtensionContext context, boolean repeated) throws Throwable {
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
        TraceRun run;
        try {
            // Bad input fails this test before it runs, and before any kernel resource is taken.
            configuration = KernelTraceConfiguration.of(context);
            limits = DeclaredLimits.of(context, test);
            baseline = ClassBaseline.of(context);
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
            CountingPlan plan = new CountingPlan(scope, latency, nativeAllocations, configuration.followHandOffs(),
                    limits.stream().anyMatch(Limit::needsScheduler));
            run = open(backend, plan, configuration);
        } catch (Throwable notRun) {
            invocation.skip();
            throw notRun;
        }
        marker.set();
        TraceOutcome outcome;
        Throwable testFailure = null;
        try {
            KernelTraceSession session = session(context);
            session.running(run);
            Instant startedAt = Instant.now();
            long startNanos = System.nanoTime();
            startOrNotTraceable(run, invocation, configuration);
            try {
                invocation.proceed();
            } catch (Throwable t) {
                testFailure = t;
            } finally {
                session.stopping();
                run.stop();
            }
            long durationNanos = System.nanoTime() - startNanos;
            KernelMetrics metrics = run.metrics();
            session.finished(metrics);
            List<LimitResult> results = limits.stream().map(limit -> limit.check(metrics)).toList();
            outcome = new TraceOutcome(test, session.scope(), backend.kernelDescription(), startedAt,
                    durationNanos, metrics, results);
        } catch (Throwable readingFailed) {
            if (testFailure == null) {
                throw readingFailed;
            }
            testFailure.addSuppressed(readingFailed);
            throw testFailure;
        } finally {
            run.close();
            marker.clear();
        }
        // Compared (or recorded) before any failure is thrown: update mode records every test.
        BaselineVerdict verdict = baseline.check(outcome, context, configuration.summary());
        outcome = outcome.withBaseline(verdict);
        report(outcome, configuration, context);
        Optional<KernelLimitExceededError> regression = baseline.failure(outcome, verdict);
        List<KernelLimitExceededError> failures = new ArrayList<>();
        if (!outcome.breaches().isEmpty()) {
            failures.add(KernelLimitExceededError.of(outcome));
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
    private static void startOrNotTraceable(TraceRun run, Invocation<Void> invocation, KernelTraceConfiguration configuration) {
        try {
            run.start();
        } catch (TracingUnavailableException notSeen) {
            invocation.skip();
            throw TracingUnavailable.handle(notSeen.getMessage(), configuration.require(), configuration.summary());
        }
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

    private static TraceRun open(TracingBackend backend, CountingPlan plan, KernelTraceConfiguration configuration) {
        Optional<String> unavailable = backend.unavailableReason();
        if (unavailable.isPresent()) {
            throw TracingUnavailable.handle(unavailable.get(), configuration.require(), configuration.summary());
        }
        try {
            return backend.open(plan);
        } catch (TracingUnavailableException e) {
            throw TracingUnavailable.handle(e.getMessage(), configuration.require(), configuration.summary());
        }
    }

    private static void report(TraceOutcome outcome, KernelTraceConfiguration configuration, ExtensionContext context) {
        context.publishReportEntry(ReportEntries.of(outcome));
        if (configuration.summary()) {
            System.out.println(SummaryLine.of(outcome));
        }
        // The JSON is made and written on the report writer's thread: the test does not wait for it.
        Path reportDir = configuration.reportDir();
        ReportFiles.write(outcome.test().uniqueId(), () -> new ReportFiles.Report(
                reportDir.resolve(JsonReport.fileName(outcome.test())), JsonReport.render(outcome),
                HistogramLog.render(outcome)));
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
