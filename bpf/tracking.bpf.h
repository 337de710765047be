/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which threads belong to which traced test: the maps every program shares, the filter every
 * event passes first, and the following of threads and processes a tracked thread creates.
 * Included once, by kerneltrace.bpf.c.
 */
#ifndef TRACKING_BPF_H
#define TRACKING_BPF_H

/* Kernel types, declared as far as used: CO-RE relocates the offsets at load. */
struct sched_entity {
	__u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct sched_info {
	unsigned long long run_delay;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct sched_entity se;
	struct sched_info sched_info;
	unsigned long min_flt;
	unsigned long maj_flt;
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

/*
 * Set by user space before load (the only .rodata variable, so that it starts at offset 0;
 * Java's twin: SlotLayout.CONFIG_*).
 */
const volatile struct {
	/* one bit per system call whose positive return is a byte count */
	__u64 byte_counting_syscalls[MAX_SYSCALLS / 64];
	/* one bit per system call that maps or unmaps address space: mmap, munmap, mremap, brk */
	__u64 address_space_syscalls[MAX_SYSCALLS / 64];
	__u64 page_size;
	/* the JVM's process id: heap counts of its threads that end are lost (exited_threads) */
	__u32 own_process;
	/*
	 * uretprobe (x86_64, Linux 6.11+): the system call a uretprobe's return trampoline makes on
	 * every return through it; KernelTrace's own, never counted. MAX_SYSCALLS: none.
	 */
	__u32 uretprobe_syscall;
} config = {};

static __always_inline bool syscall_in(const volatile __u64 *bitmap, __u32 nr)
{
	return (bitmap[nr / 64] >> (nr % 64)) & 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, PROCESS_FILTER_SIZE);
	__type(key, __u32);			/* tgid % PROCESS_FILTER_SIZE */
	__type(value, __u32);			/* non-zero: look the thread up in `tracked` */
} process_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);			/* thread id */
	__type(value, struct tracked_thread);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct slot_control);
} slot_control SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS * MAX_SYSCALLS);
	__type(key, __u32);			/* slot * MAX_SYSCALLS + nr */
	__type(value, struct syscall_stats);
} syscall_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct sched_stats);
} sched_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct memory_stats);
} memory_stats SEC(".maps");

/* Native allocations made by tracked threads and not yet released: the leak candidates. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u64);			/* address */
	__type(value, struct live_allocation);
} live_allocations SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct latency_key);
	__type(value, __u64);
} latency_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct error_key);
	__type(value, __u64);
} error_counts SEC(".maps");

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/*
 * The tracked thread with this thread id in this process, or NULL. Threads of processes with no
 * tracked thread (most events on the host) leave at the first check, one array load.
 */
static __always_inline struct tracked_thread *tracked_thread(__u32 tgid, __u32 tid)
{
	__u32 bucket = tgid % PROCESS_FILTER_SIZE;
	__u32 *maybe_tracked = bpf_map_lookup_elem(&process_filter, &bucket);

	if (!maybe_tracked || !*maybe_tracked)
		return NULL;
	return bpf_map_lookup_elem(&tracked, &tid);
}

/* The tracked thread running now, or NULL. */
static __always_inline struct tracked_thread *current_tracked(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	return tracked_thread((__u32)(pid_tgid >> 32), (__u32)pid_tgid);
}

/* The open slot of a tracked thread, or NULL: the filter every event passes first. */
static __always_inline struct slot_control *open_slot(struct tracked_thread *t)
{
	__u32 slot = t->slot;
	struct slot_control *control = bpf_map_lookup_elem(&slot_control, &slot);

	return control && control->open ? control : NULL;
}

static __always_inline __u32 clamp_nr(__s64 nr)
{
	return nr >= 0 && nr < MAX_SYSCALLS ? (__u32)nr : OTHER_SYSCALL;
}

/* Adds one to a counter in a sparse hash; returns false when the hash is full. */
static __always_inline bool increment(void *map, const void *key)
{
	__u64 one = 1, *count = bpf_map_lookup_elem(map, key);

	if (count) {
		__sync_fetch_and_add(count, 1);
		return true;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) == 0)
		return true;
	/* another CPU created it between our lookup and update */
	count = bpf_map_lookup_elem(map, key);
	if (!count)
		return false;
	__sync_fetch_and_add(count, 1);
	return true;
}

/* Follows threads and processes created by a tracked thread that asked for it. */
static __always_inline int on_fork(__u64 *ctx)
{
	struct tracked_thread *parent = current_tracked();
	struct task_struct *child_task = (struct task_struct *)ctx[1];
	struct tracked_thread child = {};
	struct slot_control *control;
	__u32 child_tid, child_tgid, bucket, slot, *filter;

	if (!parent || !(parent->flags & TRACK_FOLLOW_CHILDREN))
		return 0;
	child_tid = (__u32)BPF_CORE_READ(child_task, pid);
	child_tgid = (__u32)BPF_CORE_READ(child_task, tgid);
	/* a new process: let its threads past the process filter (never cleared until detach) */
	bucket = child_tgid % PROCESS_FILTER_SIZE;
	filter = bpf_map_lookup_elem(&process_filter, &bucket);
	if (filter)
		*filter = 1;
	child.slot = parent->slot;
	/* a new task has run for 0 ns: its on-CPU time is known from its first switch-out on */
	child.flags = (parent->flags & TRACK_FOLLOW_CHILDREN) | TRACK_RUNTIME_KNOWN;
	slot = parent->slot;
	control = bpf_map_lookup_elem(&slot_control, &slot);
	if (!control)
		return 0;
	if (bpf_map_update_elem(&tracked, &child_tid, &child, BPF_ANY) == 0)
		__sync_fetch_and_add(&control->followed_children, 1);
	else
		__sync_fetch_and_add(&control->lost_children, 1);
	return 0;
}

/* A thread id can be reused once its thread is gone: forget it. */
static __always_inline int on_exit(void)
{
	__u32 tid = current_tid();

	bpf_map_delete_elem(&tracked, &tid);
	return 0;
}

#endif
