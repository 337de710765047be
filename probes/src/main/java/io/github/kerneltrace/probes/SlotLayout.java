package io.github.kerneltrace.probes;

/**
 * Sizes and offsets of the structs in {@code bpf/kerneltrace.h}, as Java reads them.
 * Change both files together.
 */
final class SlotLayout {

    static final int MAX_SLOTS = 64;
    static final int MAX_SYSCALLS = 512;

    /**
     * struct tracked_thread { u32 slot; u32 flags; s64 nr; u64 enter_ns; u64 sched_ns; u32 sched_state;
     * u32 pad; u64 runtime_at_out; u64 run_delay_at_out; }
     */
    static final int TRACKED_THREAD_SIZE = 56;
    static final int TRACKED_SCHED_NS = 24;
    static final int TRACKED_SCHED_STATE = 32;
    static final int SCHED_RUNNING = 1;
    static final int TRACK_FOLLOW_CHILDREN = 1;

    /** struct slot_control: open, flags, followed_children, dropped_latencies, dropped_errors, unmatched_exits, restarts, lost_children, start_ns, stop_ns, start_tid, start_runtime, stop_runtime, start_run_delay, stop_run_delay */
    static final int SLOT_CONTROL_SIZE = 112;
    static final int CONTROL_OPEN = 0;
    static final int CONTROL_FLAGS = 4;
    static final int SLOT_LATENCY = 1;
    static final int CONTROL_FOLLOWED_CHILDREN = 8;
    static final int CONTROL_DROPPED_LATENCIES = 16;
    static final int CONTROL_DROPPED_ERRORS = 24;
    static final int CONTROL_UNMATCHED_EXITS = 32;
    static final int CONTROL_RESTARTS = 40;
    static final int CONTROL_LOST_CHILDREN = 48;
    static final int CONTROL_START_NS = 56;
    static final int CONTROL_STOP_NS = 64;
    static final int CONTROL_START_TID = 72;
    static final int CONTROL_START_RUNTIME = 80;
    static final int CONTROL_STOP_RUNTIME = 88;
    static final int CONTROL_START_RUN_DELAY = 96;
    static final int CONTROL_STOP_RUN_DELAY = 104;

    /** struct syscall_stats { u64 calls, errors, bytes, reserved; } */
    static final int SYSCALL_STATS_SIZE = 32;
    static final int STATS_LONGS = SYSCALL_STATS_SIZE / 8;
    static final int STATS_CALLS = 0;
    static final int STATS_ERRORS = 8;
    static final int STATS_BYTES = 16;

    /** struct sched_stats: voluntary, involuntary, migrations, wakeups, on_cpu_ns, run_queue_ns, off_cpu_ns, inferred_wakeups */
    static final int SCHED_STATS_SIZE = 64;
    static final int SCHED_STATS_LONGS = SCHED_STATS_SIZE / 8;

    /** latency_buckets "system call numbers" of the scheduler histograms */
    static final int HIST_RUN_QUEUE = 0xFFF0;
    static final int HIST_OFF_CPU = 0xFFF1;

    /** struct latency_key { u32 slot; u16 nr; u16 index; } and struct error_key { u32 slot; u16 nr; u16 err; } */
    static final int HASH_KEY_SIZE = 8;
    static final int COUNT_VALUE_SIZE = 8;

    /** process_filter: u32 per tgid % PROCESS_FILTER_SIZE; array elements are 8-byte aligned */
    static final int PROCESS_FILTER_SIZE = 1024;
    static final int PROCESS_FILTER_STRIDE = 8;

    /** .rodata: const volatile u64 byte_counting_syscalls[MAX_SYSCALLS / 64] */
    static final int BYTE_COUNTING_BITMAP_SIZE = MAX_SYSCALLS / 8;

    private SlotLayout() {
    }
}
