package io.github.kerneltrace.junit;

import org.assertj.core.api.AbstractLongAssert;

import io.github.kerneltrace.probes.metrics.KernelMetrics;

/**
 * Assertions on all of a test's system calls together, reached by
 * {@code assertThat(metrics).syscalls()}; one call's are {@link SyscallAssert}.
 * <pre>
 * assertThat(metrics).syscalls().hasNoErrors().hasBytesWrittenAtMost("64KiB");
 * assertThat(metrics).syscalls().total().isLessThan(100);
 * </pre>
 */
public class SyscallsAssert extends FamilyAssert<SyscallsAssert> {

    protected SyscallsAssert(KernelMetrics actual) {
        super(actual, SyscallsAssert.class, SyscallFamily.FAMILY);
    }

    /** All system calls together. */
    public AbstractLongAssert<?> total() {
        isNotNull();
        return measured("system calls", actual.totalSyscalls());
    }

    /** Bytes written by the write and send families. */
    public AbstractLongAssert<?> bytesWritten() {
        isNotNull();
        return measured("bytes written", actual.bytesWritten());
    }

    /** Bytes read by the read and recv families. */
    public AbstractLongAssert<?> bytesRead() {
        isNotNull();
        return measured("bytes read", actual.bytesRead());
    }

    /** At most {@code limit} system calls of any kind together. */
    public SyscallsAssert hasAtMostCalls(long limit) {
        isNotNull();
        if (actual.totalSyscalls() > limit) {
            failWithContext("Expected at most %d system calls but the test made %d", limit, actual.totalSyscalls());
        }
        return this;
    }

    public SyscallsAssert hasNoErrors() {
        isNotNull();
        if (actual.totalErrors() != 0) {
            failWithContext("Expected no failed system calls but %d failed", actual.totalErrors());
        }
        return this;
    }

    /** E.g. {@code hasBytesWrittenAtMost("64KiB")}. */
    public SyscallsAssert hasBytesWrittenAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesWritten() > limit) {
            failWithContext("Expected at most %s written but the test wrote %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesWritten()));
        }
        return this;
    }

    /** E.g. {@code hasBytesReadAtMost("1MiB")}. */
    public SyscallsAssert hasBytesReadAtMost(String size) {
        isNotNull();
        long limit = ByteSizes.parseBytes(size);
        if (actual.bytesRead() > limit) {
            failWithContext("Expected at most %s read but the test read %s", Limit.Unit.BYTES.format(limit),
                    Limit.Unit.BYTES.format(actual.bytesRead()));
        }
        return this;
    }
}
