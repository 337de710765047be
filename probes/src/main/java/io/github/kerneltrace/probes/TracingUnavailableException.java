package io.github.kerneltrace.probes;

/** Tracing cannot run in this JVM on this machine; the message says why in one sentence. */
public class TracingUnavailableException extends RuntimeException {

    public TracingUnavailableException(String reason) {
        super(reason);
    }

    public TracingUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
