package io.github.kerneltrace.probes.libbpf;

/**
 * The kernel (or libbpf on its behalf) refused to load an object's programs. libbpf loads an
 * object whole or not at all, and names the first program that failed in its log: {@link #program()}.
 */
public final class BpfLoadException extends IllegalStateException {

    private final String program;
    private final String summary;

    BpfLoadException(String message, String program, String summary) {
        super(message);
        this.program = program;
        this.summary = summary;
    }

    /** One line: the failing program, the error, and libbpf's last line about that program. */
    public String summary() {
        return summary;
    }

    /** The program libbpf named as failing to load, or null when its log did not name one. */
    public String program() {
        return program;
    }
}
