package io.github.kerneltrace.junit;

import java.lang.reflect.Method;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * Traces the tests that carry no KernelTrace annotation, when {@code kerneltrace.traceAll=true}:
 * a first look at a whole existing suite without annotating it. Listed in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}, so JUnit registers it for
 * every test wherever extension autodetection is on
 * ({@code junit.jupiter.extensions.autodetection.enabled=true}); without {@code traceAll} it does
 * nothing, so a suite that has autodetection on for another extension is not traced by surprise.
 *
 * <p>Tests that asked to be traced (an annotation, {@code @ExtendWith}, a {@code @RegisterExtension}
 * field) behave as always: their own {@link KernelTraceExtension} finds the test traced already
 * and steps aside, or, where tracing cannot run, it skips or fails the test as it always does,
 * once the tracer here has let the test through. The others are traced as if annotated with a
 * bare {@code @KernelTrace}, except that where tracing cannot run they run untraced, after one
 * line on the console, since they did not ask to be traced; with {@code kerneltrace.require=true}
 * they fail as annotated tests do.
 */
public final class KernelTraceAutodetected implements InvocationInterceptor {

    static final String TRACE_ALL = "kerneltrace.traceAll";

    private static final Namespace NAMESPACE = Namespace.create(KernelTraceAutodetected.class);

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        if (!traceAll(extensionContext)) {
            invocation.proceed();
            return;
        }
        trace(invocation, run -> tracer(extensionContext).interceptTestMethod(run, invocationContext, extensionContext));
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext extensionContext) throws Throwable {
        if (!traceAll(extensionContext)) {
            invocation.proceed();
            return;
        }
        trace(invocation, run -> tracer(extensionContext).interceptTestTemplateMethod(run, invocationContext, extensionContext));
    }

    private static boolean traceAll(ExtensionContext context) {
        return KernelTraceConfiguration.flag(context, TRACE_ALL, false);
    }

    /** One tracer for the whole run (the engine's root store), made when traceAll first asks for it. */
    private static KernelTraceExtension tracer(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KernelTraceExtension.class, type -> new KernelTraceExtension(), KernelTraceExtension.class);
    }

    /**
     * Lets the tracer run the test, but keeps its "skip" to itself: the tracer skips a test that
     * cannot be traced, and then, unless tracing is required, the test runs untraced instead. A
     * test that the tracer did run is never run again, whatever it threw.
     */
    private static void trace(Invocation<Void> invocation, Tracing tracing) throws Throwable {
        SkipKept run = new SkipKept(invocation);
        try {
            TracingUnavailable.unasked(() -> tracing.trace(run));
        } catch (TestAbortedException notTraced) {
            if (!run.skipped) {
                throw notTraced; // the test's own assumption
            }
            invocation.proceed();
        } catch (Throwable notRun) {
            if (run.skipped) {
                invocation.skip(); // bad input, or tracing required: the test does not run
            }
            throw notRun;
        }
    }

    @FunctionalInterface
    private interface Tracing {
        void trace(Invocation<Void> run) throws Throwable;
    }

    /** The invocation as the tracer sees it: proceeding runs the test, skipping is only noted. Confined to the test's thread. */
    private static final class SkipKept implements Invocation<Void> {

        private final Invocation<Void> invocation;
        private boolean skipped;

        SkipKept(Invocation<Void> invocation) {
            this.invocation = invocation;
        }

        @Override
        public Void proceed() throws Throwable {
            return TracingUnavailable.bodyOfUnasked(invocation::proceed);
        }

        @Override
        public void skip() {
            skipped = true;
        }
    }
}
