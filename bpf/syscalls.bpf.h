/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-test system-call metrics: calls, failures by errno, bytes moved and an HdrHistogram of
 * entry-to-exit latency per system call; and the address space mapped or unmapped by the calls
 * that change it (memory.bpf.h keeps those sums).
 *
 * These two programs run at every system call on the host while KernelTrace is attached, so
 * their path is kept short (measured with benchmarks/run.sh, see docs/performance.md):
 * - every process but a traced one leaves at the process filter (one array load);
 * - a traced thread is found through its task storage, not the `tracked` hash (tracking.bpf.h);
 * - the call in flight is kept in that task storage too, so the exit needs no lookup either;
 * - the clock is read only for slots that record latency (SLOT_LATENCY).
 * Counters stay atomic adds: a slot counts several threads (a test's pool, its children), and
 * an uncontended atomic add costs a few nanoseconds here.
 */
#ifndef SYSCALLS_BPF_H
#define SYSCALLS_BPF_H

#include "common.bpf.h"
#include "tracking.bpf.h"
#include "histograms.bpf.h"
#include "pidns.bpf.h"
#include "sched.bpf.h"
#include "memory.bpf.h"
#include "signals.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS * MAX_SYSCALLS);
	__type(key, __u32);			/* slot * MAX_SYSCALLS + nr */
	__type(value, struct syscall_stats);
} syscall_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct error_key);
	__type(value, __u64);
} error_counts SEC(".maps");

static __always_inline struct syscall_stats *stats_of_call(__u32 slot, __u32 nr)
{
	__u32 key = slot * MAX_SYSCALLS + nr;

	return bpf_map_lookup_elem(&syscall_stats, &key);
}

/*
 * A futex call begins (in_flight) or ends: noted in the thread's `tracked` entry as well, where
 * follow.bpf.h looks for it when the thread wakes or is woken by another. Futex calls only: they
 * are how Java threads park, and slow enough that one hash lookup more does not show.
 */
static __always_inline void note_futex_call(__u32 tid, __s64 nr, bool in_flight)
{
	struct tracked_thread *t = bpf_map_lookup_elem(&tracked, &tid);

	if (!t)
		return;
	t->nr = nr;
	t->enter_ns = in_flight;
}

/*
 * A tracked thread makes a system call while its slot is not counting: the edges of the
 * counting window (sched.bpf.h). Rare next to the calls inside the window, so it may look the
 * thread up.
 */
static __always_inline void outside_window(void)
{
	struct tracked_thread *t = current_tracked();

	if (!t)
		return;
	t->enter_ns = 0;
	close_running_interval(t);	/* first: it must not take a restart's call for a stop's */
	capture_start_faults(t);
}

static __always_inline int on_sys_enter(__u64 *ctx)
{
	__u64 pid_tgid;
	__s64 raw_nr = (__s64)ctx[1];
	struct thread_calls *c;
	struct slot_control *control;
	struct syscall_stats *stats;
	__u32 slot, nr;
	bool in_handler;

	answer_identity();
	pid_tgid = bpf_get_current_pid_tgid();
	if (!process_may_be_tracked((__u32)(pid_tgid >> 32)))
		return 0;
	c = current_calls();
	/* first: a handler's rt_sigreturn must end it whether the thread counts now or not */
	in_handler = c && c->signal_depth && in_signal_handler(c, ctx, raw_nr);
	if (!current_slot(c, (__u32)pid_tgid, &slot))
		return 0;
	control = slot_control_at(slot);
	if (!control)
		return 0;
	if (in_handler) {
		if (control->open)
			__sync_fetch_and_add(&control->signal_handler_calls, 1);
		c->call.enter_ns = 0;
		c->call.nr = SIGNAL_HANDLER_CALL;
		return 0;
	}
	if (!control->open) {
		if (c)
			c->call.enter_ns = 0;
		outside_window();
		return 0;
	}
	nr = clamp_nr(raw_nr);
	if (raw_nr != config.uretprobe_syscall) {
		stats = stats_of_call(slot, nr);
		if (stats)
			__sync_fetch_and_add(&stats->calls, 1);
	}
	/* without task storage (the kernel could not allocate it) the exit is counted as unmatched */
	if (!c)
		return 0;
	c->call.nr = raw_nr;
	if (raw_nr == config.uretprobe_syscall) {
		c->call.enter_ns = 0;
		return 0;
	}
	c->call.slot = slot;
	c->call.window = control->start_ns;
	if (syscall_in(config.address_space_syscalls, nr))
		c->call.total_vm_at_enter = current_total_vm();
	/* enter_ns doubles as "a call is in flight": without latency, any non-zero value */
	c->call.enter_ns = control->flags & SLOT_LATENCY ? bpf_ktime_get_ns() : 1;
	if (raw_nr == config.futex_syscall)
		note_futex_call((__u32)pid_tgid, raw_nr, true);
	return 0;
}

/* The failure of a counted call: by errno, or a restart (not a failure: the kernel calls it again). */
static __always_inline void count_failure(struct slot_control *control, struct syscall_stats *stats,
					  __u32 slot, __u32 nr, __s64 ret)
{
	struct error_key ek = { .slot = slot, .nr = nr, .err = (__u16)-ret };

	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK) {
		__sync_fetch_and_add(&control->restarts, 1);
		return;
	}
	__sync_fetch_and_add(&stats->errors, 1);
	if (!increment(&error_counts, &ek))
		__sync_fetch_and_add(&control->dropped_errors, 1);
}

static __always_inline int on_sys_exit(__u64 *ctx)
{
	__u64 pid_tgid, now, enter_ns;
	__s64 ret = (__s64)ctx[1];
	struct thread_calls *c;
	struct slot_control *control;
	struct syscall_stats *stats;
	__u32 slot, nr;

	pid_tgid = bpf_get_current_pid_tgid();
	if (!process_may_be_tracked((__u32)(pid_tgid >> 32)))
		return 0;
	c = current_calls();
	if (!current_slot(c, (__u32)pid_tgid, &slot))
		return 0;
	control = slot_control_at(slot);
	if (!c) {
		if (control && control->open)
			__sync_fetch_and_add(&control->unmatched_exits, 1);
		return 0;
	}
	enter_ns = c->call.enter_ns;
	c->call.enter_ns = 0;
	if (enter_ns && c->call.nr == config.futex_syscall)
		note_futex_call((__u32)pid_tgid, c->call.nr, false);
	if (!control || !control->open)
		return 0;
	/*
	 * Counted only if its entry was, in this slot and this counting window: not a clone child's
	 * first return, a call begun before the window, nor one begun for another test in this slot.
	 */
	if (!enter_ns || c->call.slot != slot || c->call.window != control->start_ns) {
		if (c->call.nr != config.uretprobe_syscall && c->call.nr != SIGNAL_HANDLER_CALL)
			__sync_fetch_and_add(&control->unmatched_exits, 1);
		return 0;
	}
	nr = clamp_nr(c->call.nr);
	stats = stats_of_call(slot, nr);
	if (!stats)
		return 0;
	if (syscall_in(config.address_space_syscalls, nr))
		add_address_space_change(slot, c->call.total_vm_at_enter);
	/* enter_ns 1: the call began untimed (latency was off then) */
	if (enter_ns > 1 && (control->flags & SLOT_LATENCY)) {
		now = bpf_ktime_get_ns();
		if (now > enter_ns)
			record_value(control, slot, nr, now - enter_ns);
	}
	if (ret < 0 && ret >= -4095)
		count_failure(control, stats, slot, nr, ret);
	else if (ret > 0 && syscall_in(config.byte_counting_syscalls, nr))
		__sync_fetch_and_add(&stats->bytes, (__u64)ret);
	return 0;
}

#endif
