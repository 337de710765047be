package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.kerneltrace.probes.libbpf.Libbpf;

/**
 * What must hold before loading the BPF programs is worth trying, checked without loading
 * anything, so that the common failures (not Linux, no libbpf, no BTF, no privileges) say exactly
 * what is missing and how to fix it.
 */
final class Prerequisites {

    private Prerequisites() {
    }

    /**
     * The first missing prerequisite that can be seen without loading anything, or null.
     * Order matters: each message assumes the ones before it passed.
     */
    static String firstMissing() {
        String os = System.getProperty("os.name");
        if (!"Linux".equals(os)) {
            return "KernelTrace needs Linux with eBPF; this is " + os;
        }
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "KernelTrace supports x86_64 and aarch64; this JVM runs on " + arch;
        }
        try {
            int major = Libbpf.get().api().libbpf_major_version();
            if (major < 1) {
                return "KernelTrace needs libbpf 1.0 or newer; this machine has libbpf " + Libbpf.get().version();
            }
        } catch (UnsatisfiedLinkError e) {
            return "libbpf.so.1 is not installed; install the libbpf1 package (Debian/Ubuntu) or libbpf (Fedora/RHEL)";
        }
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            return "the kernel has no BTF type information (/sys/kernel/btf/vmlinux is missing);"
                    + " KernelTrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of current distributions)";
        }
        String userNamespace = userNamespace();
        if (userNamespace != null) {
            return "this JVM runs in a user namespace of its own (" + userNamespace + "; a rootless container, or"
                    + " unshare --user): the capabilities it has there do not grant BPF, which needs CAP_BPF and CAP_PERFMON"
                    + " (or root) in the host's initial user namespace; run the container with real privileges"
                    + " (e.g. docker run --privileged, or --cap-add of those capabilities), or the tests outside it";
        }
        long capabilities = Capabilities.effective();
        if (!Capabilities.ProbeKind.TRACEPOINT_PROGRAMS.grantedBy(capabilities)) {
            return "tracing needs root or the capabilities CAP_BPF and CAP_PERFMON, and this JVM has neither"
                    + " (it has " + Capabilities.describe(capabilities) + "; run the tests as root, or start the JVM"
                    + " with those capabilities, e.g. ambient capabilities via capsh or systemd, or a container with"
                    + " --cap-add BPF --cap-add PERFMON)";
        }
        return null;
    }

    /**
     * How this JVM's user ids map to the host's, if it is in a user namespace other than the initial
     * one (whose map is the identity over all 2^32 ids); null otherwise or if it cannot be read.
     */
    static String userNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).strip().replaceAll("\\s+", " ");
            return map.equals("0 0 4294967295") || map.isEmpty() ? null : "uid_map \"" + map + "\"";
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
