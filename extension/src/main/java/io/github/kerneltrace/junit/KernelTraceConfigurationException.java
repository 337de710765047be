package io.github.kerneltrace.junit;

/**
 * A KernelTrace annotation on a test has a value that cannot work, e.g. an unknown system call
 * or a malformed duration. The message names the annotation, the attribute, the value and what
 * is accepted. Only the test carrying the annotation fails; it does not run.
 */
public class KernelTraceConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KernelTraceConfigurationException(String message) {
        super(message);
    }
}
