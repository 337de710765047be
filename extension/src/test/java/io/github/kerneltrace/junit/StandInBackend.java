package io.github.kerneltrace.junit;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Registered in a fixture, makes its traced tests use {@code backend} instead of the kernel. */
final class StandInBackend implements BeforeEachCallback {

    private final TracingBackend backend;

    StandInBackend(TracingBackend backend) {
        this.backend = backend;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        KernelTraceExtension.substituteBackend(context, backend);
    }
}
