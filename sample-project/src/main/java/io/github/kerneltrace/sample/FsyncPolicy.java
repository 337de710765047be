package io.github.kerneltrace.sample;

/**
 * When a {@link SegmentLog} asks the kernel to make appended records durable ({@code fdatasync}).
 *
 * <p>An fsync is by far the most expensive thing a log does (milliseconds on real disks, against
 * microseconds for a write into the page cache), so the policy is the main throughput/durability
 * trade-off. Whatever the policy, a segment is synced when it is sealed (rolled over or closed).
 */
public enum FsyncPolicy {

    /** Every append call (a batch counts as one call) is durable before it returns. */
    EVERY_WRITE,

    /** A sync after every {@code syncEveryN} records: at most that many records can be lost. */
    EVERY_N,

    /** Only when a segment is sealed or the log is closed: fastest, loses the tail on a crash. */
    ON_CLOSE
}
