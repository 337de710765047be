package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.github.kerneltrace.probes.Capabilities.ProbeKind;

/** The sentence a refusal gains: what the probe kind needs, what this JVM has, how to fix it. */
class CapabilitiesTest {

    /** What setpriv --inh-caps +bpf,+perfmon --ambient-caps +bpf,+perfmon gives a non-root user. */
    private static final long BPF_AND_PERFMON = 0x000000c000000000L;
    /** Root's CapEff on Linux 6.18 (41 capabilities). */
    private static final long ROOT = 0x000001ffffffffffL;

    private static final String UPROBE_REFUSED = "cannot attach a uretprobe to malloc in /lib/x86_64-linux-gnu/libc.so.6:"
            + " EACCES: Permission denied; libbpf said:\nlibbpf: prog 'allocator_exit': failed to create uretprobe";

    @Test
    void aUprobeRefusedWithBpfAndPerfmonNamesSysAdmin() {
        assertThat(Capabilities.explain(ProbeKind.UPROBE, UPROBE_REFUSED, BPF_AND_PERFMON)).isEqualTo(
                "cannot attach a uretprobe to malloc in /lib/x86_64-linux-gnu/libc.so.6: EACCES: Permission denied"
                        + " (uprobes and uretprobes need CAP_SYS_ADMIN (CAP_PERFMON is not enough since Linux 6.16 and"
                        + " the stable kernels of July 2025); this JVM has CAP_PERFMON and CAP_BPF (CapEff 000000c000000000);"
                        + " run the tests as root, or add CAP_SYS_ADMIN to the JVM's capabilities (ambient: setpriv"
                        + " --inh-caps +sys_admin --ambient-caps +sys_admin, or capsh --addamb=cap_sys_admin; a container:"
                        + " --cap-add SYS_ADMIN)); libbpf said:\nlibbpf: prog 'allocator_exit': failed to create uretprobe");
    }

    @Test
    void aClassicTracepointNeedsToReadTracefs() {
        assertThat(Capabilities.explain(ProbeKind.TRACEPOINT, "cannot attach to tracepoint sched:sched_process_fork:"
                + " EACCES: Permission denied", BPF_AND_PERFMON))
                .contains("classic tracepoints need CAP_BPF and CAP_PERFMON, and read access to /sys/kernel/tracing/events/")
                .contains("this JVM has CAP_PERFMON and CAP_BPF")
                .endsWith("add CAP_DAC_READ_SEARCH to CAP_BPF and CAP_PERFMON (or make tracefs readable to the test's user))");
        long withDacReadSearch = BPF_AND_PERFMON | 1L << Capabilities.CAP_DAC_READ_SEARCH;
        assertThat(ProbeKind.TRACEPOINT.grantedBy(withDacReadSearch)).isTrue();
        assertThat(ProbeKind.UPROBE.grantedBy(withDacReadSearch)).isFalse();
        assertThat(ProbeKind.USDT.grantedBy(1L << Capabilities.CAP_SYS_ADMIN)).isTrue();
    }

    @Test
    void withTheCapabilitiesPresentEpermNamesWhatElseRefusesAndEaccesIsLeftToTheVerifier() {
        assertThat(Capabilities.explain(ProbeKind.TRACEPOINT_PROGRAMS,
                "the kernel refused to load the BPF programs (EPERM: Operation not permitted); libbpf said:\n…", ROOT))
                .isEqualTo("the kernel refused to load the BPF programs (EPERM: Operation not permitted)"
                        + " (KernelTrace's tracepoint programs (tp_btf/raw_tp) need CAP_BPF and CAP_PERFMON; this JVM has"
                        + " all capabilities (CapEff 000001ffffffffff, root), so something else refuses: a seccomp profile,"
                        + " an LSM such as SELinux or AppArmor, kernel lockdown, or a user namespace); libbpf said:\n…");
        String verifier = "the kernel refused to load the BPF programs (EACCES: Permission denied); libbpf said:\n…";
        assertThat(Capabilities.explain(ProbeKind.TRACEPOINT_PROGRAMS, verifier, ROOT)).isEqualTo(verifier);
    }

    @Test
    void otherErrorsAreLeftAlone() {
        String missing = "cannot attach a kprobe to no_such_function: ENOENT: No such file or directory";
        assertThat(Capabilities.explain(ProbeKind.KPROBE, missing, BPF_AND_PERFMON)).isEqualTo(missing);
    }

    @Test
    void decodesCapEff() {
        assertThat(Capabilities.describe(0)).isEqualTo("no capabilities (CapEff 0000000000000000)");
        assertThat(Capabilities.describe(1L << Capabilities.CAP_SYS_ADMIN)).isEqualTo("CAP_SYS_ADMIN (CapEff 0000000000200000)");
        assertThat(Capabilities.describe(1L << 45)).isEqualTo("capability 45 (CapEff 0000200000000000)");
        assertThat(Capabilities.effective()).as("this JVM's CapEff").isNotEqualTo(-1L);
    }
}
