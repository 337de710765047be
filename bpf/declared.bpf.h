/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declared probes (entry points at the end of kerneltrace.bpf.c): the uprobes, USDT probes, classic tracepoints and kprobes a test declares
 * around itself, each with a name. One generic program per kind serves every declaration of every
 * test; the attach cookie says which slot and which declaration (layout in kerneltrace.h).
 *
 * Hits: every event of a counted thread (the slot's tracked threads; any thread for DECLARED_HOST)
 * while the slot's window is open and the slot is at the cookie's generation.
 *
 * Latency (uprobes and kprobes, entry to return): per thread and declaration, only the outermost
 * call is timed, so a recursive or nested call counts as a hit but adds no latency value of its
 * own (its time is inside the outer call's). A return whose entry was not seen at this generation
 * (the call began before the probe was attached) is not timed.
 */
#ifndef DECLARED_BPF_H
#define DECLARED_BPF_H

#include <asm/ptrace.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "common.bpf.h"
#include "tracking.bpf.h"
#include "histograms.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct declared_slot);
} declared_slots SEC(".maps");

/* A thread's outermost call in flight, per declaration index, for the entry→return latency. */
struct declared_call {
	__u64 entry_ns;
	__u32 depth;		/* calls in flight, nested */
	__u32 generation;	/* the slot generation the entry was seen at; another one: depth is stale */
};

struct declared_calls {
	struct declared_call calls[MAX_DECLARED_PROBES];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct declared_calls);
} declared_calls SEC(".maps");

static __always_inline __u32 declared_slot_of(__u64 cookie) { return cookie & 0xff; }
static __always_inline __u32 declared_index_of(__u64 cookie) { return (cookie >> 8) & (MAX_DECLARED_PROBES - 1); }
static __always_inline __u32 declared_generation_of(__u64 cookie) { return cookie >> 32; }

/*
 * The slot's record if the event counts for it now (window open, generation current, and for
 * thread-scoped probes the current thread tracked in that slot), else NULL.
 */
static __always_inline struct declared_slot *declared_counting(__u64 cookie, struct slot_control **control)
{
	__u32 slot = declared_slot_of(cookie);
	struct declared_slot *declared = bpf_map_lookup_elem(&declared_slots, &slot);
	__u32 thread_slot;

	*control = slot_control_at(slot);
	if (!*control || !declared || !(*control)->open || declared->generation != declared_generation_of(cookie))
		return NULL;
	/* the thread's slot from its task storage's copy of `tracked`, as at a system call: no hash lookup per hit */
	if (!(cookie & DECLARED_HOST)
	    && (!current_slot(current_calls(), current_tid(), &thread_slot) || thread_slot != slot))
		return NULL;
	return declared;
}

static __always_inline struct declared_calls *declared_calls_of_current(__u64 flags)
{
	return bpf_task_storage_get(&declared_calls, bpf_get_current_task_btf(), 0, flags);
}

/* One event: a hit if it counts. */
static __always_inline int declared_hit(__u64 cookie)
{
	struct slot_control *control;
	struct declared_slot *declared = declared_counting(cookie, &control);

	if (declared)
		__sync_fetch_and_add(&declared->hits[declared_index_of(cookie)], 1);
	return 0;
}

/* A function is entered: a hit, and its entry time if it is the thread's outermost call of it. */
static __always_inline int declared_enter(__u64 cookie)
{
	struct slot_control *control;
	struct declared_slot *declared = declared_counting(cookie, &control);
	struct declared_calls *calls;
	struct declared_call *call;
	__u32 index = declared_index_of(cookie);

	if (!declared)
		return 0;
	__sync_fetch_and_add(&declared->hits[index], 1);
	calls = declared_calls_of_current(BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!calls)
		return 0;
	call = &calls->calls[index];
	if (call->generation != declared_generation_of(cookie)) {
		call->generation = declared_generation_of(cookie);
		call->depth = 0;
	}
	if (call->depth++ == 0)
		call->entry_ns = bpf_ktime_get_ns();
	return 0;
}

/* A function returns: the outermost call's latency, if its entry was seen and the event still counts. */
static __always_inline int declared_return(__u64 cookie)
{
	struct declared_calls *calls = declared_calls_of_current(0);
	struct slot_control *control;
	struct declared_call *call;
	__u32 index = declared_index_of(cookie);
	__u64 entry_ns;

	if (!calls)
		return 0;
	call = &calls->calls[index];
	if (call->generation != declared_generation_of(cookie) || call->depth == 0 || --call->depth > 0)
		return 0;
	entry_ns = call->entry_ns;
	if (declared_counting(cookie, &control) && control)
		record_value(control, declared_slot_of(cookie), HIST_DECLARED_BASE + index, bpf_ktime_get_ns() - entry_ns);
	return 0;
}

#endif
