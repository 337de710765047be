package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.support.ReflectionSupport;

import io.github.kerneltrace.probes.metrics.KernelMetrics;
import io.github.kerneltrace.probes.metrics.Metric;

/**
 * A limit's {@code metric} is the key under which {@link KernelMetrics#list()}, baselines and the
 * JSON report name the same figure, with the same value: one name per figure. Checked for every
 * limit annotation on the real kernel.
 */
class LimitKeysTest {

    /** Every limit annotation, each kind of the repeatable ones, percentiles inside and at the ends of the summary. */
    @Tag("fixture")
    static class EveryLimit extends RealKernel.Recorded {

        @Test
        @KernelTrace(nativeAllocations = true)
        @MaxSyscalls(1_000_000)
        @MaxSyscalls(value = 1_000_000, syscall = "write")
        @MaxSyscallLatency(syscall = "write", value = "10s")
        @MaxSyscallLatency(syscall = "write", percentile = 50, value = "10s")
        @MaxSyscallLatency(syscall = "write", percentile = 99.9, value = "10s")
        @MaxSyscallLatency(syscall = "write", percentile = 100, value = "10s")
        @MaxBytesWritten("1GiB")
        @MaxBytesRead("1GiB")
        @MaxContextSwitches(1_000_000)
        @MaxContextSwitches(value = 1_000_000, kind = SwitchKind.VOLUNTARY)
        @MaxContextSwitches(value = 1_000_000, kind = SwitchKind.INVOLUNTARY)
        @MaxMigrations(1_000_000)
        @MaxRunQueueLatency("10s")
        @MaxRunQueueLatency(percentile = 90, value = "10s")
        @MaxRunQueueLatency(percentile = 100, value = "10s")
        @MaxOffCpuTime("10s")
        @MaxOnCpuTime("10s")
        @MaxHeapAllocation("1GiB")
        @MaxNativeAllocations(1_000_000)
        @MaxNativeAllocatedBytes("1GiB")
        @MaxNativeOutstanding("1GiB")
        @MaxPageFaults(1_000_000)
        @MaxPageFaults(value = 1_000_000, kind = FaultKind.MINOR)
        @MaxPageFaults(value = 1_000_000, kind = FaultKind.MAJOR)
        @MaxAddressSpaceGrowth("1GiB")
        @UserProbe(name = "libcWrite", library = "libc", function = "write")
        @MaxProbeHits(probe = "libcWrite", value = 1_000_000)
        @MaxProbeLatency(probe = "libcWrite", value = "10s")
        @MaxGcPauses(1_000_000)
        @MaxGcPauseTime("10s")
        @MaxSafepoints(1_000_000)
        @MaxParks(1_000_000)
        @MaxSleeps(1_000_000)
        @MaxJitCompilations(1_000_000)
        @MaxClassesLoaded(1_000_000)
        void everyLimit() throws Exception {
            writeReadSleepAllocate();
        }

        /** May breach (the JVM keeps blocks of its own): only its key is checked. */
        @Test
        @NoNativeLeaks
        @MaxGcPauses(value = 1_000_000, full = true)
        @MaxGcPauseTime(percentile = 100, value = "10s")
        void noLeaks() throws Exception {
            writeReadSleepAllocate();
        }

        /** A percentile the summary does not list: named by the same rule, but not a metric of the list. */
        @Test
        @MaxSyscallLatency(syscall = "write", percentile = 95, value = "10s")
        void percentileOffTheSummary() throws Exception {
            writeReadSleepAllocate();
        }

        private static void writeReadSleepAllocate() throws IOException, InterruptedException {
            try (OutputStream devNull = new FileOutputStream("/dev/null")) {
                for (int i = 0; i < 20; i++) {
                    devNull.write(new byte[64]);
                }
            }
            try (InputStream zeros = new FileInputStream("/dev/zero")) {
                zeros.readNBytes(4096);
            }
            Thread.sleep(1);
            ByteBuffer.allocateDirect(4096); // a native allocation
        }
    }

    @Test
    void everyLimitNamesItsMetricByTheMetricsKeyWithTheSameValue(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();
        RealKernel.run(EveryLimit.class, Map.of("kerneltrace.reportDir", reports.toString()), 3);

        Set<Class<?>> declared = new HashSet<>();
        for (String test : List.of("everyLimit", "noLeaks")) {
            KernelMetrics metrics = RealKernel.MEASURED.get(test);
            assertThat(metrics).as(test + " ran traced").isNotNull();
            Map<String, Metric> listed = metrics.list().stream().collect(Collectors.toMap(Metric::key, m -> m));
            Map<String, Object> report = JsonTree.parse(Files.readString(RealKernel.report(reports, EveryLimit.class, test)));
            List<Map<String, Object>> limits = limits(report);
            assertThat(limits).as(test + "'s limits").hasSize(limitAnnotations(test, declared));
            for (Map<String, Object> limit : limits) {
                String key = (String) limit.get("metric");
                String about = test + ": " + limit.get("declaration") + " -> " + key;
                assertThat(listed.keySet()).as(about).contains(key);
                assertThat(limit.get("measured")).as(about + " measured").isEqualTo(listed.get(key).value());
                assertThat(JsonTree.at(report, key)).as(about + " in the report").isEqualTo(listed.get(key).value());
                assertThat(limit.get("unit")).as(about + " unit").isEqualTo(listed.get(key).unit().name().toLowerCase());
            }
        }
        // @MaxContendedMonitorEnters is not measured in a JVM without -XX:+DTraceMonitorProbes (this one):
        // RealKernelJvmEventsTest checks its not-measured text here, and the count in a child JVM with the flag
        declared.add(MaxContendedMonitorEnters.class);
        assertThat(declared).as("every limit annotation is in the fixture").containsExactlyInAnyOrderElementsOf(everyLimitAnnotation());
    }

    @Test
    void aPercentileTheSummaryDoesNotListIsNamedByTheSameRule(@TempDir Path reports) throws IOException {
        RealKernel.requireTracing();
        RealKernel.run(EveryLimit.class, Map.of("kerneltrace.reportDir", reports.toString()), 3);

        KernelMetrics metrics = RealKernel.MEASURED.get("percentileOffTheSummary");
        Map<String, Object> report = JsonTree.parse(Files.readString(
                RealKernel.report(reports, EveryLimit.class, "percentileOffTheSummary")));
        Map<String, Object> limit = limits(report).get(0);
        assertThat(limit.get("metric")).isEqualTo("syscalls.write.latencyNanos.p95");
        assertThat(limit.get("measured")).isEqualTo(metrics.syscall("write").latencyNanos().getValueAtPercentile(95));
        assertThat(metrics.list()).extracting(Metric::key).doesNotContain("syscalls.write.latencyNanos.p95")
                .contains("syscalls.write.latencyNanos.p90", "syscalls.write.latencyNanos.p99");
    }

    @Test
    void percentilesHaveOneNameEach() {
        assertThat(Metric.percentileKey(50)).isEqualTo("p50");
        assertThat(Metric.percentileKey(99)).isEqualTo("p99");
        assertThat(Metric.percentileKey(99.0)).isEqualTo("p99");
        assertThat(Metric.percentileKey(99.9)).isEqualTo("p999");
        assertThat(Metric.percentileKey(99.99)).isEqualTo("p9999");
        assertThat(Metric.percentileKey(5)).isEqualTo("p05");
        assertThat(Metric.percentileKey(2.5)).as("not p25").isEqualTo("p025");
        assertThat(Metric.percentileKey(9.99)).as("not p999").isEqualTo("p0999");
        assertThat(Metric.percentileKey(100)).isEqualTo("max");
        assertThatThrownBy(() -> Metric.percentileKey(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metric.percentileKey(100.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> limits(Map<String, Object> report) {
        return (List<Map<String, Object>>) report.get("limits");
    }

    /** How many limits the fixture method declares; adds their annotation types to {@code declared}. */
    private static int limitAnnotations(String methodName, Set<Class<?>> declared) {
        Method method = ReflectionSupport.findMethod(EveryLimit.class, methodName).orElseThrow();
        int limits = 0;
        for (Annotation annotation : method.getDeclaredAnnotations()) {
            List<Annotation> each = containedOrItself(annotation);
            for (Annotation limit : each) {
                if (limit.annotationType() != KernelTrace.class && !PROBE_DECLARATIONS.contains(limit.annotationType())) {
                    declared.add(limit.annotationType());
                    limits++;
                }
            }
        }
        return limits;
    }

    /** The annotations a repeatable container holds, or the annotation itself. */
    private static List<Annotation> containedOrItself(Annotation annotation) {
        try {
            Method value = annotation.annotationType().getDeclaredMethod("value");
            if (value.getReturnType().isArray() && value.getReturnType().getComponentType().isAnnotation()) {
                return Arrays.asList((Annotation[]) value.invoke(annotation));
            }
        } catch (NoSuchMethodException notAContainer) {
            // an annotation without a value, e.g. @NoNativeLeaks
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return annotation.annotationType().getPackageName().equals(KernelTrace.class.getPackageName())
                ? List.of(annotation) : List.of(); // not @Test
    }

    /** Declarations of what is counted, not limits. */
    private static final Set<Class<?>> PROBE_DECLARATIONS =
            Set.of(UserProbe.class, UsdtProbe.class, TracepointProbe.class, KernelProbe.class);

    /** Every top-level annotation of the extension that registers it, except @KernelTrace and the probe declarations: the limits. */
    private static List<Class<?>> everyLimitAnnotation() {
        return ReflectionSupport.findAllClassesInPackage(KernelTrace.class.getPackageName(),
                type -> type.isAnnotation() && type.getEnclosingClass() == null && type != KernelTrace.class
                        && !PROBE_DECLARATIONS.contains(type) && type.isAnnotationPresent(ExtendWith.class),
                name -> true);
    }
}
