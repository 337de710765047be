package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which Linux capabilities each kind of probe needs, which ones this JVM has, and the sentence a
 * refusal (EPERM or EACCES) adds to say which one is missing and how to fix it.
 *
 * <p>The needs were measured, not assumed, on Linux 6.18 as a non-root user with each set of
 * capabilities ({@code benchmarks/capabilities/run.sh}; results in docs/troubleshooting.md). The
 * surprise: since Linux 6.16 (commit ba677dbe77af, "perf: Revert to requiring CAP_SYS_ADMIN for
 * uprobes", July 2025, also in the stable kernels) a uprobe, and so a uretprobe and a USDT probe,
 * needs CAP_SYS_ADMIN; CAP_BPF and CAP_PERFMON get EACCES at attach time.
 */
public final class Capabilities {

    static final int CAP_DAC_OVERRIDE = 1;
    static final int CAP_DAC_READ_SEARCH = 2;
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    /** The capability names of linux/capability.h, by number. */
    private static final List<String> NAMES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private static final Pattern PERMISSION_DENIED = Pattern.compile("\\b(EPERM|EACCES)\\b");
    /** Where BpfObject's messages start libbpf's log lines. */
    private static final String LIBBPF_LOG = "; libbpf said:";
    private static final String SYS_ADMIN_NEEDED = "CAP_SYS_ADMIN (CAP_PERFMON is not enough since Linux 6.16"
            + " and the stable kernels of July 2025)";
    private static final String SYS_ADMIN_FIX = "run the tests as root, or add CAP_SYS_ADMIN to the JVM's capabilities"
            + " (ambient: setpriv --inh-caps +sys_admin --ambient-caps +sys_admin, or capsh --addamb=cap_sys_admin;"
            + " a container: --cap-add SYS_ADMIN)";
    private static final String DAC_FIX = "run the tests as root, or add CAP_DAC_READ_SEARCH to CAP_BPF and CAP_PERFMON"
            + " (or make tracefs readable to the test's user)";

    /** A kind of probe, with what the kernel asks of the process that loads and attaches it. */
    public enum ProbeKind {
        /** tp_btf and raw_tp programs: the system-call, scheduler and page-fault families. */
        TRACEPOINT_PROGRAMS("KernelTrace's tracepoint programs (tp_btf/raw_tp)", "CAP_BPF and CAP_PERFMON",
                "start the JVM as root or with those capabilities (ambient capabilities via capsh or systemd,"
                        + " setcap on a test-only JDK, or a container with --cap-add BPF --cap-add PERFMON)"),
        /** Uprobes and uretprobes: native allocations, declared user-space functions. */
        UPROBE("uprobes and uretprobes", SYS_ADMIN_NEEDED,
                SYS_ADMIN_FIX),
        /** USDT probes are uprobes (with a reference counter where the probe has a semaphore). */
        USDT("USDT probes (uprobes underneath)", SYS_ADMIN_NEEDED,
                SYS_ADMIN_FIX),
        /** Classic tracepoints through perf_event_open, with their ids read from tracefs. */
        TRACEPOINT("classic tracepoints", "CAP_BPF and CAP_PERFMON, and read access to"
                + " /sys/kernel/tracing/events/<category>/<name>/id (root only by default: CAP_DAC_READ_SEARCH)",
                DAC_FIX),
        /** Kprobes (where the kernel has them; libbpf falls back to tracefs's kprobe_events). */
        KPROBE("kprobes", "CAP_BPF and CAP_PERFMON, and read access to /sys/kernel/tracing (CAP_DAC_READ_SEARCH)",
                DAC_FIX);

        private final String description;
        private final String needs;
        private final String fix;

        ProbeKind(String description, String needs, String fix) {
            this.description = description;
            this.needs = needs;
            this.fix = fix;
        }

        /** What the kernel asks for, e.g. {@code SYS_ADMIN_NEEDED}. */
        public String needs() {
            return needs;
        }

        /** Whether a process with these effective capabilities has what this kind needs (tracefs modes aside). */
        boolean grantedBy(long effective) {
            boolean admin = has(effective, CAP_SYS_ADMIN);
            boolean bpfAndPerfmon = admin || has(effective, CAP_BPF) && has(effective, CAP_PERFMON);
            switch (this) {
                case UPROBE:
                case USDT:
                    return admin;
                case TRACEPOINT:
                case KPROBE:
                    return bpfAndPerfmon && (has(effective, CAP_DAC_READ_SEARCH) || has(effective, CAP_DAC_OVERRIDE));
                default:
                    return bpfAndPerfmon;
            }
        }
    }

    private Capabilities() {
    }

    /**
     * {@code failure} (a libbpf load or attach message) with, where it is EPERM or EACCES, which
     * capabilities {@code kind} needs, which this JVM has and how to fix it, in parentheses right
     * after the error (before libbpf's log lines); otherwise {@code failure} unchanged.
     */
    public static String explain(ProbeKind kind, String failure) {
        return explain(kind, failure, effective());
    }

    static String explain(ProbeKind kind, String failure, long effective) {
        String why = why(kind, failure, effective);
        if (why.isEmpty()) {
            return failure;
        }
        int log = failure.indexOf(LIBBPF_LOG);
        return log < 0 ? failure + " (" + why + ")"
                : failure.substring(0, log) + " (" + why + ")" + failure.substring(log);
    }

    /**
     * Empty unless {@code failure} is EPERM or EACCES; then which capabilities {@code kind} needs,
     * which this JVM has, and how to fix it; where it has them, EPERM names what else refuses, and
     * EACCES stays unexplained (the verifier rejects a program with EACCES too).
     */
    static String why(ProbeKind kind, String failure, long effective) {
        if (failure == null || !PERMISSION_DENIED.matcher(failure).find()) {
            return "";
        }
        String has = "this JVM has " + describe(effective);
        if (kind.grantedBy(effective)) {
            if (!failure.contains("EPERM")) {
                return ""; // EACCES with the capabilities present: most likely the verifier's verdict, not a privilege
            }
            return kind.description + " need " + kind.needs + "; " + has + ", so something else refuses:"
                    + " a seccomp profile, an LSM such as SELinux or AppArmor, kernel lockdown, or a user namespace";
        }
        return kind.description + " need " + kind.needs + "; " + has + "; " + kind.fix;
    }

    /**
     * The effective capabilities this JVM holds that matter for tracing, by name, e.g.
     * {@code "CAP_BPF and CAP_PERFMON (CapEff 000000c000000000)"}.
     */
    public static String describeEffective() {
        return describe(effective());
    }

    static String describe(long effective) {
        if (effective == -1L) {
            return "unknown capabilities (/proc/self/status unreadable)";
        }
        List<String> names = new ArrayList<>();
        for (int cap = 0; cap < 64; cap++) {
            if (has(effective, cap)) {
                names.add(cap < NAMES.size() ? NAMES.get(cap) : "capability " + cap);
            }
        }
        String hex = String.format("CapEff %016x", effective);
        if (names.isEmpty()) {
            return "no capabilities (" + hex + ")";
        }
        if (names.size() == NAMES.size()) {
            return "all capabilities (" + hex + ", root)";
        }
        String list = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
        return list + " (" + hex + ")";
    }

    /** CapEff from /proc/self/status; all ones (-1) if it cannot be read (then the kernel decides). */
    static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1L;
    }

    static boolean has(long effective, int capability) {
        return (effective & (1L << capability)) != 0;
    }
}
