package io.github.kerneltrace.probes.libbpf;

/**
 * The kernel (or libbpf on its behalf) refused to load an object's programs. libbpf loads an
 * object whole or not at all, and names the first program that failed in its log: {@link #program()}.
 */
public final class BpfLoadException extends IllegalStateException {

    private final String program;
    private final String summary;

    private BpfLoadException(String message, String program, String summary) {
        super(message);
        this.program = program;
        this.summary = summary;
    }

    /** The failure of a load that returned {@code result}, told from what libbpf logged meanwhile. */
    static BpfLoadException of(int result, LibbpfLog log) {
        String error = Libbpf.describeError(result);
        String programLine = log.lastProgramLine();
        String program = LibbpfLog.programOf(programLine);
        String complaint = log.lastVerifierComplaint();
        String detail = complaint != null ? " (verifier: " + complaint + ")"
                : programLine != null ? " (libbpf: " + programLine.replaceFirst("^libbpf: ", "") + ")" : "";
        return new BpfLoadException("the kernel refused to load the BPF programs (" + error + "); libbpf said:\n"
                + log.recentLines(), program, (program == null ? "" : program + ": ") + error + detail);
    }

    /** One line: the failing program, the error, and the verifier's complaint (or libbpf's last line about the program). */
    public String summary() {
        return summary;
    }

    /** The program libbpf named as failing to load, or null when its log did not name one. */
    public String program() {
        return program;
    }
}
