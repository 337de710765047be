package io.github.kerneltrace.junit;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.kerneltrace.probes.KernelSupport;

/**
 * Loads the BPF programs once per JVM on a daemon thread. Whoever needs them first calls
 * {@link KernelSupport#detect()}, which waits for this load instead of starting another. Also
 * starts loading the assertion classes ({@link AssertionWarmUp}).
 */
final class BackgroundLoad {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private BackgroundLoad() {
    }

    static void start() {
        AssertionWarmUp.start();
        if (STARTED.compareAndSet(false, true)) {
            Thread loader = new Thread(KernelSupport::detect, "kerneltrace-load");
            loader.setDaemon(true);
            loader.start();
        }
    }
}
