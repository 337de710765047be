package io.github.kerneltrace.probes;

import java.util.Objects;

/**
 * A probe a test declares around itself, resolved to what the kernel attaches to: a function in an
 * ELF file of this process (uprobe), a USDT probe of such a file, a classic tracepoint, or a kernel
 * function (kprobe). Its name is the test's, used in metric keys ({@code probes.<name>.hits}).
 *
 * @param kind     what is attached
 * @param name     the test's name for it: letters, digits, '_' and '-'
 * @param binaries the ELF files (uprobe, USDT), absolute, in order of preference: the first one the probe
 *                 attaches to is used (a library attribute may name several, e.g. libz, or the libzip
 *                 that bundles zlib); empty otherwise
 * @param function the function (uprobe, kprobe); null otherwise
 * @param group    the USDT provider or the tracepoint's category; null otherwise
 * @param event    the USDT probe or the tracepoint's name; null otherwise
 * @param host     count every thread of the host, not only the test's (tracepoints whose events
 *                 run with no meaningful current task, e.g. in softirq)
 */
public record DeclaredProbe(Kind kind, String name, java.util.List<String> binaries, String function, String group, String event,
                            boolean host) {

    /** The kinds, each served by one generic program (two for the timed ones: entry and return). */
    public enum Kind {
        UPROBE("declared_uprobe", "declared_uretprobe"),
        USDT("declared_usdt", null),
        /** Copies {@code declared_tracepoint_0} to {@code _15}: the kernel links a program to a tracepoint once. */
        TRACEPOINT("declared_tracepoint_", null),
        KPROBE("declared_kprobe", "declared_kretprobe");

        private final String program;
        private final String returnProgram;

        Kind(String program, String returnProgram) {
            this.program = program;
            this.returnProgram = returnProgram;
        }

        String program() {
            return program;
        }

        /** The return probe's program, or null: such a kind counts hits only. */
        String returnProgram() {
            return returnProgram;
        }

        /** Whether its probes time each call, entry to return. */
        public boolean timed() {
            return returnProgram != null;
        }
    }

    public DeclaredProbe {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        binaries = java.util.List.copyOf(binaries);
    }

    public static DeclaredProbe uprobe(String name, java.util.List<String> binaries, String function) {
        return new DeclaredProbe(Kind.UPROBE, name, binaries, function, null, null, false);
    }

    public static DeclaredProbe usdt(String name, java.util.List<String> binaries, String provider, String probe) {
        return new DeclaredProbe(Kind.USDT, name, binaries, null, provider, probe, false);
    }

    public static DeclaredProbe tracepoint(String name, String category, String tracepoint, boolean host) {
        return new DeclaredProbe(Kind.TRACEPOINT, name, java.util.List.of(), null, category, tracepoint, host);
    }

    public static DeclaredProbe kprobe(String name, String function) {
        return new DeclaredProbe(Kind.KPROBE, name, java.util.List.of(), function, null, null, false);
    }

    /** What it is attached to in {@code binary} (null for kinds without one), for reports: "uprobe deflate in /usr/lib/.../libz.so.1.2.13". */
    public String target(String binary) {
        return switch (kind) {
            case UPROBE -> "uprobe " + function + " in " + binary;
            case USDT -> "USDT " + group + ":" + event + " in " + binary;
            case TRACEPOINT -> "tracepoint " + group + ":" + event + (host ? " (every thread of the host)" : "");
            case KPROBE -> "kprobe " + function;
        };
    }
}
