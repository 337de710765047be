package io.github.kerneltrace.junit;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.kerneltrace.probes.KernelSupport;

/**
 * Loads the BPF programs once per JVM on a daemon thread. Whoever needs them first calls
 * {@link KernelSupport#detect()}, which waits for this load instead of starting another. (The
 * assertion classes are loaded only when a test first needs them, {@link AssertionWarmUp}: loading
 * them for every JVM cost 2.5 ms per test in a cold run of 500, on 2 CPUs.)
 */
final class BackgroundLoad {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private BackgroundLoad() {
    }

    static void start() {
        if (STARTED.compareAndSet(false, true)) {
            Thread loader = new Thread(KernelSupport::detect, "kerneltrace-load");
            loader.setDaemon(true);
            loader.start();
        }
    }
}
