/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JVM events, from HotSpot's own USDT probes in libjvm.so, attached (to this process only) while
 * a test asks for them: four generic programs, each event told apart by its attach cookie (JVM_*).
 *
 * Who an event counts for:
 * - GC pauses, safepoints and JIT compilations are JVM-wide: a GC pause or a safepoint stops every
 *   Java thread, and compilations run on the JIT's own threads. Each counts for every slot that
 *   counts JVM events and whose window is open when it ends (a compilation: when it begins), with
 *   its whole length.
 * - Parks, sleeps, loaded classes and contended monitor enters fire in the thread concerned: they
 *   count for that thread's slot when it is tracked, the slot counts JVM events and its window is
 *   open (a park or sleep: open at both ends).
 */
#ifndef JVM_BPF_H
#define JVM_BPF_H

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
	__type(value, struct jvm_stats);
} jvm_stats SEC(".maps");

/*
 * A JVM-wide event in progress (GC pause, safepoint: one at a time each, on the VM thread). An end
 * counts only after a begin seen, and clears it: an end whose begin came before the probes were
 * attached is not counted, and a begin whose end came after they were detached is overwritten by
 * the next begin.
 */
struct jvm_wide_begin {
	__u64 ns;	/* 0: none in progress */
	__u32 full;	/* gc__begin's argument */
	__u32 reserved;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, JVM_EVENT_KINDS);
	__type(key, __u32);
	__type(value, struct jvm_wide_begin);
} jvm_wide_begins SEC(".maps");

/*
 * A tracked thread's park or sleep in progress: its begin time, in the thread's task storage
 * (thread_calls, tracking.bpf.h), where its slot is cached too: a park costs no hash lookup or
 * update (a hash keyed by thread made a counted park about 0.4 µs dearer than bpftrace's). A begin
 * whose end came after the probes were detached is overwritten by the thread's next begin.
 */
static __always_inline __u64 *jvm_thread_begin(struct thread_calls *c, __u32 kind)
{
	return kind == JVM_PARK ? &c->jvm_park_ns : kind == JVM_SLEEP ? &c->jvm_sleep_ns : NULL;
}

static __always_inline bool jvm_wide(__u32 kind)
{
	return kind == JVM_GC || kind == JVM_SAFEPOINT || kind == JVM_COMPILE;
}

static __always_inline __u16 jvm_histogram(__u32 kind)
{
	switch (kind) {
	case JVM_GC: return HIST_JVM_GC_PAUSE;
	case JVM_SAFEPOINT: return HIST_JVM_SAFEPOINT;
	case JVM_PARK: return HIST_JVM_PARK;
	case JVM_SLEEP: return HIST_JVM_SLEEP;
	default: return 0;
	}
}

/* Counts one event (with its time, if it has one) in a slot, if the slot counts JVM events and is open. */
static __always_inline void jvm_count_in(__u32 slot, __u32 kind, __u64 ns, bool timed, bool full)
{
	struct slot_control *control = slot_control_at(slot);
	struct jvm_stats *stats = bpf_map_lookup_elem(&jvm_stats, &slot);

	/* the bound the verifier needs on the cookie, kept by the compiler */
	barrier_var(kind);
	if (kind >= JVM_EVENT_KINDS)
		return;
	if (!control || !stats || !control->open || !stats->counting)
		return;
	__sync_fetch_and_add(&stats->events[kind], 1);
	if (full)
		__sync_fetch_and_add(&stats->full_gcs, 1);
	if (timed) {
		__sync_fetch_and_add(&stats->nanos[kind], ns);
		record_value(control, slot, jvm_histogram(kind), ns);
	}
}

/* What jvm_count_everywhere passes to each slot's turn. */
struct jvm_wide_event {
	__u32 kind;
	bool timed;
	bool full;
	__u64 ns;
};

static long jvm_count_in_slot(__u32 slot, void *ctx)
{
	struct jvm_wide_event *event = ctx;

	jvm_count_in(slot, event->kind, event->ns, event->timed, event->full);
	return 0;
}

/*
 * A JVM-wide event: every slot counting JVM events with an open window sees it. bpf_loop: the
 * verifier checks the body once; a plain loop over MAX_SLOTS made it check all 64 copies, and cost
 * every JVM a quarter of a second more at its first traced test (the object's load: 75 → 300 ms).
 */
static __always_inline void jvm_count_everywhere(__u32 kind, __u64 ns, bool timed, bool full)
{
	struct jvm_wide_event event = { .kind = kind, .timed = timed, .full = full, .ns = ns };

	bpf_loop(MAX_SLOTS, jvm_count_in_slot, &event, 0);
}

/*
 * The slot of the current thread if it is counted (the window and `counting` are checked later),
 * from its task storage's copy of `tracked` (`c`, NULL if none).
 */
static __always_inline bool jvm_thread_slot(struct thread_calls *c, __u32 *slot)
{
	return current_slot(c, current_tid(), slot);
}

static __always_inline int jvm_begin(__u32 kind, bool full)
{
	__u64 now = bpf_ktime_get_ns(), *began;
	struct jvm_wide_begin *begin;
	struct thread_calls *c;
	__u32 slot;

	if (jvm_wide(kind)) {
		begin = bpf_map_lookup_elem(&jvm_wide_begins, &kind);
		if (begin) {
			begin->full = full;
			begin->ns = now;
		}
		return 0;
	}
	c = current_calls();
	if (!c || !jvm_thread_slot(c, &slot))
		return 0;
	began = jvm_thread_begin(c, kind);
	if (began)
		*began = now;
	return 0;
}

static __always_inline int jvm_end(__u32 kind)
{
	__u64 now = bpf_ktime_get_ns(), *began, ns;
	struct jvm_wide_begin *begin;
	struct thread_calls *c;
	__u32 slot;

	if (jvm_wide(kind)) {
		begin = bpf_map_lookup_elem(&jvm_wide_begins, &kind);
		if (!begin || begin->ns == 0)
			return 0;
		ns = now - begin->ns;
		begin->ns = 0;
		jvm_count_everywhere(kind, ns, true, kind == JVM_GC && begin->full);
		return 0;
	}
	c = current_calls();
	if (!c)
		return 0;
	began = jvm_thread_begin(c, kind);
	if (!began || *began == 0)
		return 0;
	ns = now - *began;
	*began = 0;
	if (jvm_thread_slot(c, &slot))
		jvm_count_in(slot, kind, ns, true, false);
	return 0;
}

/* An event with no time: JVM-wide (compilations) or the current tracked thread's. */
static __always_inline int jvm_event(__u32 kind)
{
	__u32 slot;

	if (jvm_wide(kind))
		jvm_count_everywhere(kind, 0, false, false);
	else if (jvm_thread_slot(current_calls(), &slot))
		jvm_count_in(slot, kind, 0, false, false);
	return 0;
}

#endif
