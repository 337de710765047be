/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which threads count for which traced test (slot), and each slot's control record: the maps
 * every family reads, and the filter every event passes first.
 *
 * `tracked` (kernel thread id -> struct tracked_thread) is the authoritative list. User space
 * writes it by the kernel's thread id (which it learns through pidns.bpf.h, so this works in
 * PID namespaces); the programs add the threads they follow (follow.bpf.h). Looking a thread up
 * there costs a hash of its id at every event, so the system-call programs, which run twice per
 * call, keep what the lookup said in the thread's own task storage (thread_calls) and look again
 * only when `tracked` may have changed: every writer of `tracked` bumps tracking_generation after
 * its change (user space: KernelTracer; the programs: follow_handoff, on_task_rename). See current_slot().
 */
#ifndef TRACKING_BPF_H
#define TRACKING_BPF_H

#include "common.bpf.h"

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

/* Bumped by every writer of `tracked` after its change: the task-local copies below are then stale. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tracking_generation SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct slot_control);
} slot_control SEC(".maps");

/* The system call a thread is in, between sys_enter and sys_exit (syscalls.bpf.h). */
struct call_in_flight {
	__s64 nr;		/* as the kernel numbers it (valid while enter_ns != 0) */
	__u64 enter_ns;		/* 0: none seen (e.g. a clone child's first return); without latency, 1 */
	__u64 window;		/* its slot's start_ns at entry: the exit counts in the same counting window only */
	__u32 slot;		/* the slot that counted its entry */
	__u32 pad;
	__u64 total_vm_at_enter;/* mm->total_vm (pages) at entry, for the address-space calls */
};

/* Nested signal handlers whose interrupted stack pointers are kept (signals.bpf.h); deeper ones end at their rt_sigreturn only. */
#define SIGNAL_LEVELS 4

/*
 * Per thread, in task storage (freed with the task, so no entry outlives its thread and a reused
 * thread id starts afresh): what `tracked` said about the thread, and its system call in flight.
 */
struct thread_calls {
	__u64 valid_for;	/* tracking_generation + 1 when slot/counted were read from `tracked`; 0: never */
	__u32 slot;
	__u32 counted;		/* 1: tracked and not idle */
	struct call_in_flight call;
	/* signal handlers in progress on the thread (signals.bpf.h): their system calls are not the test's */
	__u64 signal_interrupted_sp[SIGNAL_LEVELS];	/* per nesting level: the user stack pointer its handler interrupted */
	__u32 signal_depth;		/* handlers in progress, nested; 0: none */
	__u32 signal_epoch;		/* attach_epoch when the outermost handler began (signals.bpf.h) */
	__u64 signal_begin_ns;		/* when the outermost handler began (signals.bpf.h) */
	/* a park and a sleep in progress (jvm.bpf.h): their begin times, 0 when none */
	__u64 jvm_park_ns;
	__u64 jvm_sleep_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_calls);
} thread_calls SEC(".maps");

/*
 * Whether threads of this process may be tracked: processes with no tracked thread (most events
 * on the host) leave at this check, one array load.
 */
static __always_inline bool process_may_be_tracked(__u32 tgid)
{
	__u32 bucket = tgid % PROCESS_FILTER_SIZE;
	__u32 *maybe_tracked = bpf_map_lookup_elem(&process_filter, &bucket);

	return maybe_tracked && *maybe_tracked;
}

/*
 * The `tracked` entry of the thread with this kernel thread id in this process, or NULL; idle
 * entries included.
 */
static __always_inline struct tracked_thread *tracked_entry(__u32 tgid, __u32 tid)
{
	if (!process_may_be_tracked(tgid))
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

/* A slot's control record (NULL only if the slot number is out of range). */
static __always_inline struct slot_control *slot_control_at(__u32 slot)
{
	return bpf_map_lookup_elem(&slot_control, &slot);
}

/* The control record of a tracked thread's slot (NULL only if the slot number is out of range). */
static __always_inline struct slot_control *slot_control_of(struct tracked_thread *t)
{
	return slot_control_at(t->slot);
}

/* The open slot of a tracked thread, or NULL: the filter every event passes first. */
static __always_inline struct slot_control *open_slot(struct tracked_thread *t)
{
	struct slot_control *control = slot_control_of(t);

	return control && control->open ? control : NULL;
}

/* The current thread's task storage, created at its first event; NULL if the kernel has none to give. */
static __always_inline struct thread_calls *current_calls(void)
{
	return bpf_task_storage_get(&thread_calls, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * Whether the current thread (`tid`, task storage `c`, NULL if none) counts for a slot, and which.
 * From its task storage while no writer has changed `tracked` since it was filled: one load and a
 * compare instead of a hash lookup at each system call's entry and exit. Otherwise from `tracked`,
 * and the copy is refilled.
 *
 * Why the copy is never stale when used: every change of `tracked` is followed by a bump of the
 * generation, and the copy is tagged with the generation read before the lookup that filled it.
 * A change that lands between that read and the lookup leaves the copy tagged with an older
 * generation, so the next event looks again. An event in the short time between a change and its
 * bump is taken as if it came just before the change, which the writer cannot tell apart: user
 * space acts on a change only after its bump (e.g. opens the slot).
 */
static __always_inline bool current_slot(struct thread_calls *c, __u32 tid, __u32 *slot)
{
	__u32 zero = 0;
	__u64 *generation = bpf_map_lookup_elem(&tracking_generation, &zero);
	struct tracked_thread *t;
	__u64 seen;
	bool counted;

	if (!generation)
		return false;
	if (c && c->valid_for == *generation + 1) {
		*slot = c->slot;
		return c->counted;
	}
	/* a full barrier: the generation is read before the entry is (a plain load could pass the lookup's) */
	seen = __sync_fetch_and_add(generation, 0);
	t = bpf_map_lookup_elem(&tracked, &tid);
	counted = t && !(t->flags & TRACK_IDLE);
	*slot = counted ? t->slot : 0;
	if (c) {
		c->slot = *slot;
		c->counted = counted;
		c->valid_for = seen + 1;
	}
	return counted;
}

/* After a change of `tracked` by the programs: the threads' task-local copies are stale. */
static __always_inline void tracked_changed(void)
{
	__u32 zero = 0;
	__u64 *generation = bpf_map_lookup_elem(&tracking_generation, &zero);

	if (generation)
		__sync_fetch_and_add(generation, 1);
}

#endif
