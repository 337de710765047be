package io.github.kerneltrace.probes;

/**
 * Sizes and offsets of the structs in {@code bpf/kerneltrace.h}, as Java reads them. Not kept in
 * step by hand: {@code SlotLayoutTest} compares them with {@code layout.properties}, which
 * {@code bpf/build.sh} derives from the C structs (and {@code --check} keeps current). Who reads
 * with them: {@link SlotMemory} (every per-slot struct and hash entry), {@link KernelIds} (the
 * identity area) and {@link ProgramLoader} (the {@code .rodata} settings), each only its own.
 */
final class SlotLayout {

    static final int MAX_SLOTS = 64;
    static final int MAX_SYSCALLS = 512;

    /**
     * struct tracked_thread { u32 slot; u32 flags; s64 nr; u64 enter_ns; u64 sched_ns; u32 sched_state;
     * u32 ns_tid; u64 runtime_at_out; u64 run_delay_at_out; u64 min_flt_at_out; u64 maj_flt_at_out;
     * u64 total_vm_at_enter; u64 alloc_size; u64 alloc_arg; u32 alloc_depth; u32 alloc_function; }
     */
    static final int TRACKED_THREAD_SIZE = 104;
    static final int TRACKED_SLOT = 0;
    static final int TRACKED_FLAGS = 4;
    static final int TRACKED_SCHED_NS = 24;
    static final int TRACKED_SCHED_STATE = 32;
    static final int TRACKED_NS_TID = 36;
    static final int SCHED_RUNNING = 1;
    static final int TRACK_FOLLOW_CHILDREN = 1;
    static final int TRACK_FOLLOW_HANDOFFS = 4;
    static final int TRACK_BORROWED = 8;
    static final int TRACK_IDLE = 16;

    /**
     * struct slot_control: open, flags, followed_children, dropped_latencies, dropped_errors, unmatched_exits,
     * restarts, lost_children, start_ns, stop_ns, start_tid, start_runtime, stop_runtime, start_run_delay,
     * stop_run_delay, start_min_flt, stop_min_flt, start_maj_flt, stop_maj_flt, exited_threads, borrowed_threads,
     * borrowed_wakeups, unfollowed_threads, foreign_wakers, start_seen, outside_switches, signal_handler_calls, histogram_entries,
     * runner_name (16 bytes), runner_handoffs
     */
    static final int SLOT_CONTROL_SIZE = 240;
    static final int CONTROL_OPEN = 0;
    static final int CONTROL_FLAGS = 4;
    static final int SLOT_LATENCY = 1;
    static final int SLOT_NATIVE_ALLOCATIONS = 2;
    static final int SLOT_CAPTURE_START_FAULTS = 4;
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
    static final int CONTROL_START_MIN_FLT = 112;
    static final int CONTROL_STOP_MIN_FLT = 120;
    static final int CONTROL_START_MAJ_FLT = 128;
    static final int CONTROL_STOP_MAJ_FLT = 136;
    static final int CONTROL_EXITED_THREADS = 144;
    static final int CONTROL_BORROWED_THREADS = 152;
    static final int CONTROL_BORROWED_WAKEUPS = 160;
    static final int CONTROL_UNFOLLOWED_THREADS = 168;
    static final int CONTROL_FOREIGN_WAKERS = 176;
    static final int CONTROL_START_SEEN = 184;
    static final int CONTROL_OUTSIDE_SWITCHES = 192;
    static final int CONTROL_SIGNAL_HANDLER_CALLS = 200;
    static final int CONTROL_HISTOGRAM_ENTRIES = 208;
    static final int CONTROL_RUNNER_NAME = 216;
    static final int CONTROL_RUNNER_HANDOFFS = 232;

    /**
     * struct identity { u32 request, answer, ns_inum, ns_tid, list_threads, level, tgid, tid, listed, complete;
     * struct { u32 ns_tid, tid; } threads[MAX_LISTED_THREADS]; }
     */
    static final int MAX_LISTED_THREADS = 1024;
    static final int IDENTITY_REQUEST = 0;
    static final int IDENTITY_ANSWER = 4;
    static final int IDENTITY_NS_INUM = 8;
    static final int IDENTITY_NS_TID = 12;
    static final int IDENTITY_LIST_THREADS = 16;
    static final int IDENTITY_LEVEL = 20;
    static final int IDENTITY_TGID = 24;
    static final int IDENTITY_TID = 28;
    static final int IDENTITY_LISTED = 32;
    static final int IDENTITY_COMPLETE = 36;
    static final int IDENTITY_THREADS = 40;
    static final int IDENTITY_SIZE = IDENTITY_THREADS + MAX_LISTED_THREADS * 8;

    /** struct handoff_names { char borrowed[8][16]; char uncounted[8][16]; char foreign[8][16]; } */
    static final int HANDOFF_NAMES = 8;
    static final int HANDOFF_NAMES_SIZE = 3 * HANDOFF_NAMES * 16;
    static final int HANDOFF_BORROWED = 0;
    static final int HANDOFF_UNCOUNTED = HANDOFF_NAMES * 16;
    static final int HANDOFF_FOREIGN = 2 * HANDOFF_NAMES * 16;

    /** foreign_wakers: struct foreign_key { u32 slot; u32 tid; } -> u8 */
    static final int FOREIGN_KEY_SIZE = 8;

    /** struct syscall_stats { u64 calls, errors, bytes, reserved; } */
    static final int SYSCALL_STATS_SIZE = 32;
    static final int STATS_LONGS = SYSCALL_STATS_SIZE / 8;
    static final int STATS_CALLS = 0;
    static final int STATS_ERRORS = 8;
    static final int STATS_BYTES = 16;

    /** struct sched_stats: voluntary, involuntary, migrations, wakeups, on_cpu_ns, run_queue_ns, off_cpu_ns, inferred_wakeups */
    static final int SCHED_STATS_SIZE = 64;
    static final int SCHED_STATS_LONGS = SCHED_STATS_SIZE / 8;
    /** indexes of its longs (layout.properties checks only the size so far) */
    static final int SCHED_VOLUNTARY_SWITCHES = 0;
    static final int SCHED_INVOLUNTARY_SWITCHES = 1;
    static final int SCHED_MIGRATIONS = 2;
    static final int SCHED_WAKEUPS = 3;
    static final int SCHED_ON_CPU_NS = 4;
    static final int SCHED_RUN_QUEUE_NS = 5;
    static final int SCHED_OFF_CPU_NS = 6;
    static final int SCHED_INFERRED_WAKEUPS = 7;

    /**
     * struct memory_stats: u64 calls[6] (by NativeFunction), allocations, allocated_bytes, frees, freed_bytes,
     * failed_allocations, lost_allocations, minor_faults, major_faults, mapped_bytes, unmapped_bytes
     */
    static final int MEMORY_STATS_SIZE = 128;
    static final int MEMORY_STATS_LONGS = MEMORY_STATS_SIZE / 8;
    static final int NATIVE_FUNCTIONS = 6;
    /** indexes of the longs: calls[] first, then the counters */
    static final int MEM_CALLS = 0;
    static final int MEM_ALLOCATIONS = 6;
    static final int MEM_ALLOCATED_BYTES = 7;
    static final int MEM_FREES = 8;
    static final int MEM_FREED_BYTES = 9;
    static final int MEM_FAILED = 10;
    static final int MEM_LOST = 11;
    static final int MEM_MINOR_FAULTS = 12;
    static final int MEM_MAJOR_FAULTS = 13;
    static final int MEM_MAPPED_BYTES = 14;
    static final int MEM_UNMAPPED_BYTES = 15;

    /** live_allocations: u64 address -> struct live_allocation { u64 size; u32 slot; u32 tid; u32 function; u32 pad; } */
    static final int LIVE_KEY_SIZE = 8;
    static final int LIVE_VALUE_SIZE = 24;
    static final int LIVE_SIZE = 0;
    static final int LIVE_SLOT = 8;
    static final int LIVE_TID = 12;
    static final int LIVE_FUNCTION = 16;

    /**
     * histogram_counts: HISTOGRAM_ENTRIES per slot of struct histogram_count { u16 nr; u16 index; u32 reserved; u64 count; },
     * found by the histogram_index hash (key: struct latency_key)
     */
    static final int HISTOGRAM_ENTRIES = 4096;
    static final int HISTOGRAM_COUNT_SIZE = 16;
    static final int HISTOGRAM_COUNT_NR = 0;
    static final int HISTOGRAM_COUNT_INDEX = 2;
    static final int HISTOGRAM_COUNT_COUNT = 8;

    /** histogram numbers (histogram_count.nr) of the scheduler's and the allocator's histograms; below MAX_SYSCALLS a system call's */
    static final int HIST_RUN_QUEUE = 0xFFF0;
    static final int HIST_OFF_CPU = 0xFFF1;
    static final int HIST_ALLOCATION_SIZE = 0xFFF2;

    /** struct latency_key { u32 slot; u16 nr; u16 index; } and struct error_key { u32 slot; u16 nr; u16 err; } */
    static final int HASH_KEY_SIZE = 8;
    static final int COUNT_VALUE_SIZE = 8;

    /** process_filter: u32 per tgid % PROCESS_FILTER_SIZE; array elements are 8-byte aligned */
    static final int PROCESS_FILTER_SIZE = 1024;
    static final int PROCESS_FILTER_STRIDE = 8;

    /**
     * .rodata: const volatile struct { u64 byte_counting_syscalls[8]; u64 address_space_syscalls[8];
     * u64 page_size; u32 uretprobe_syscall; u32 futex_syscall; u32 rt_sigreturn_syscall; u32 reserved;
     * struct { u64 value[2]; u64 mask[2]; } jvm_internal_threads[32]; }
     */
    static final int JVM_INTERNAL_THREADS = 32;
    static final int TASK_COMM_LEN = 16;
    static final int CONFIG_BYTE_COUNTING = 0;
    static final int CONFIG_ADDRESS_SPACE = MAX_SYSCALLS / 8;
    static final int CONFIG_PAGE_SIZE = 2 * MAX_SYSCALLS / 8;
    static final int CONFIG_URETPROBE_SYSCALL = CONFIG_PAGE_SIZE + 8;
    static final int CONFIG_FUTEX_SYSCALL = CONFIG_URETPROBE_SYSCALL + 4;
    static final int CONFIG_RT_SIGRETURN_SYSCALL = CONFIG_FUTEX_SYSCALL + 4;
    static final int CONFIG_JVM_INTERNAL_THREADS = CONFIG_RT_SIGRETURN_SYSCALL + 8;
    static final int JVM_INTERNAL_THREAD_SIZE = 32;
    static final int CONFIG_SIZE = CONFIG_JVM_INTERNAL_THREADS + JVM_INTERNAL_THREADS * JVM_INTERNAL_THREAD_SIZE;

    /** struct declared_slot { u32 generation; u32 pad; u64 hits[MAX_DECLARED_PROBES]; } (declared probes) */
    static final int MAX_DECLARED_PROBES = 16;
    static final int DECLARED_SLOT_SIZE = 8 + MAX_DECLARED_PROBES * 8;
    static final int DECLARED_GENERATION = 0;
    static final int DECLARED_HITS = 8;
    static final int HIST_DECLARED_BASE = 0xF000;
    static final long DECLARED_HOST = 0x10000L;
    /**
     * Heap of threads that end inside the window (bpf/exited_heap.bpf.h). struct hotspot_offsets { s64
     * thread_pointer; u32 osthread, thread_id, allocated_bytes, tlab_start, tlab_top, ready; }; struct
     * exited_heap { u64 bytes, threads, unreadable; } (one per slot); TRACK_HEAP_COUNTED in tracked_thread.flags.
     */
    static final int HOTSPOT_OFFSETS_SIZE = 32;
    static final int HOTSPOT_THREAD_POINTER = 0;
    static final int HOTSPOT_OSTHREAD = 8;
    static final int HOTSPOT_THREAD_ID = 12;
    static final int HOTSPOT_ALLOCATED_BYTES = 16;
    static final int HOTSPOT_TLAB_START = 20;
    static final int HOTSPOT_TLAB_TOP = 24;
    static final int HOTSPOT_READY = 28;
    static final int EXITED_HEAP_SIZE = 24;
    static final int EXITED_HEAP_BYTES = 0;
    static final int EXITED_HEAP_THREADS = 8;
    static final int EXITED_HEAP_UNREADABLE = 16;
    static final int TRACK_HEAP_COUNTED = 256;
    /** struct jvm_stats (jvm.bpf.h): u32 counting; u32 reserved; u64 events[7]; u64 nanos[7]; u64 full_gcs; indexed by JVM_* */
    static final int JVM_EVENT_KINDS = 7;
    static final int JVM_STATS_SIZE = 128;
    static final int JVM_STATS_COUNTING = 0;
    static final int JVM_STATS_EVENTS = 8;
    static final int JVM_STATS_NANOS = JVM_STATS_EVENTS + JVM_EVENT_KINDS * 8;
    static final int JVM_STATS_FULL_GCS = JVM_STATS_NANOS + JVM_EVENT_KINDS * 8;
    static final int HIST_JVM_GC_PAUSE = 0xFFE0;
    static final int HIST_JVM_SAFEPOINT = 0xFFE1;
    static final int HIST_JVM_PARK = 0xFFE2;
    static final int HIST_JVM_SLEEP = 0xFFE3;

    private SlotLayout() {
    }
}
