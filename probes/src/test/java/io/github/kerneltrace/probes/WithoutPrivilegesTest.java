package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A JVM without CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON (dropped with setpriv, as root), or in a
 * user namespace of its own, cannot trace, and says so in one sentence that names what is missing.
 */
class WithoutPrivilegesTest {

    /** Run in a child JVM: prints what {@link KernelSupport#detect()} found. */
    public static void main(String[] args) {
        System.out.println(KernelSupport.detect());
    }

    @Test
    void reportsMissingCapabilities() throws Exception {
        TracingAssumptions.requireTracing(); // only meaningful where the parent can trace (as root)
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of("setpriv",
                "--bounding-set", "-sys_admin,-bpf,-perfmon", "--inh-caps", "-sys_admin,-bpf,-perfmon",
                java.toString(), "-cp", System.getProperty("java.class.path"), WithoutPrivilegesTest.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).contains("KernelTrace unavailable: tracing needs root or the capabilities CAP_BPF and CAP_PERFMON");
        assertThat(child.exitValue()).isZero();
    }

    /** A rootless container: root inside a user namespace of its own, whose capabilities do not grant BPF. */
    @Test
    void namesTheUserNamespaceAsTheCause() throws Exception {
        TracingAssumptions.requireTracing();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of("unshare", "--user", "--map-root-user",
                java.toString(), "-cp", System.getProperty("java.class.path"), WithoutPrivilegesTest.class.getName()))
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(output).contains("KernelTrace unavailable: this JVM runs in a user namespace of its own (uid_map \"0 0 1\";"
                + " a rootless container, or unshare --user): the capabilities it has there do not grant BPF");
        assertThat(child.exitValue()).isZero();
    }

    @Test
    void staticChecksPassWhereTracingWorks() throws IOException {
        TracingAssumptions.requireTracing();
        assertThat(Prerequisites.firstMissing()).isNull();
        assertThat(Files.exists(Path.of("/sys/kernel/btf/vmlinux"))).isTrue();
        assertThat(KernelSupport.detect().describe()).containsAnyOf("tp_btf", "raw_tp").contains("libbpf 1.");
    }
}
