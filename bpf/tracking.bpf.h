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

struct list_head {
	struct list_head *next;
} __attribute__((preserve_access_index));

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct pid_namespace {
	struct ns_common ns;
} __attribute__((preserve_access_index));

/* A task's id in one PID namespace: struct pid holds one per level, the initial namespace first. */
struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

struct signal_struct {
	struct list_head thread_head;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	int on_cpu;
	char comm[TASK_COMM_LEN];
	struct sched_entity se;
	struct sched_info sched_info;
	unsigned long min_flt;
	unsigned long maj_flt;
	struct mm_struct *mm;
	struct pid *thread_pid;
	struct signal_struct *signal;
	struct list_head thread_node;
} __attribute__((preserve_access_index));

/* Set by user space before load: the only .rodata variable, so that it starts at offset 0. */
const volatile struct config config = {};

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
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct identity);
} identity SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct handoff_names);
} handoff_names SEC(".maps");

/* Which threads woke a slot's threads from outside it (follow.bpf.h), so that each is listed once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct foreign_key);
	__type(value, __u8);
} foreign_wakers SEC(".maps");

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
 * The `tracked` entry of the thread with this kernel thread id in this process, or NULL; idle
 * entries included. Threads of processes with no tracked thread (most events on the host) leave
 * at the first check, one array load.
 */
static __always_inline struct tracked_thread *tracked_entry(__u32 tgid, __u32 tid)
{
	__u32 bucket = tgid % PROCESS_FILTER_SIZE;
	__u32 *maybe_tracked = bpf_map_lookup_elem(&process_filter, &bucket);

	if (!maybe_tracked || !*maybe_tracked)
		return NULL;
	return bpf_map_lookup_elem(&tracked, &tid);
}

/* The tracked thread with this kernel thread id in this process, or NULL (idle ones: NULL). */
static __always_inline struct tracked_thread *tracked_thread(__u32 tgid, __u32 tid)
{
	struct tracked_thread *t = tracked_entry(tgid, tid);

	return t && !(t->flags & TRACK_IDLE) ? t : NULL;
}

/* The tracked thread running now, or NULL. */
static __always_inline struct tracked_thread *current_tracked(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	return tracked_thread((__u32)(pid_tgid >> 32), (__u32)pid_tgid);
}

/* The control record of a tracked thread's slot (NULL only if the slot number is out of range). */
static __always_inline struct slot_control *slot_control_of(struct tracked_thread *t)
{
	__u32 slot = t->slot;

	return bpf_map_lookup_elem(&slot_control, &slot);
}

/* The open slot of a tracked thread, or NULL: the filter every event passes first. */
static __always_inline struct slot_control *open_slot(struct tracked_thread *t)
{
	struct slot_control *control = slot_control_of(t);

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

static __always_inline struct identity *the_identity(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&identity, &zero);
}

/* The kernel's monotonic per-task counters that slots sum up, read together. */
struct task_counters {
	__u64 runtime;		/* se.sum_exec_runtime */
	__u64 run_delay;	/* sched_info.run_delay */
	__u64 min_flt;
	__u64 maj_flt;
};

static __always_inline __u64 run_delay_of(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->sched_info))
		return 0; /* a kernel without CONFIG_SCHED_INFO: no run-queue sums */
	return BPF_CORE_READ(task, sched_info.run_delay);
}

static __always_inline void read_counters(struct task_struct *task, struct task_counters *c)
{
	c->runtime = BPF_CORE_READ(task, se.sum_exec_runtime);
	c->run_delay = run_delay_of(task);
	c->min_flt = BPF_CORE_READ(task, min_flt);
	c->maj_flt = BPF_CORE_READ(task, maj_flt);
}

/* The thread's counters are known from now on: its sums grow from these values. */
static __always_inline void remember_counters(struct tracked_thread *t, const struct task_counters *c)
{
	t->runtime_at_out = c->runtime;
	t->run_delay_at_out = c->run_delay;
	t->min_flt_at_out = c->min_flt;
	t->maj_flt_at_out = c->maj_flt;
	t->flags |= TRACK_RUNTIME_KNOWN;
}

#endif
