/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-test scheduler metrics: context switches, migrations, on-CPU time, run-queue latency
 * (woken or preempted -> switched in) and off-CPU time (switched out blocking -> woken; the
 * run-queue wait that follows is not included).
 *
 * Each event is attributed to the task it is about (the woken task, prev, next, the migrated
 * task), never to whatever task happens to be current: that is libbpf-tools' runqlat bug.
 * Thread states are followed whether or not the slot is counting; counts change only while it
 * is, and durations are clipped to the slot's [start_ns, stop_ns] window.
 */
#ifndef SCHED_BPF_H
#define SCHED_BPF_H

#include "common.bpf.h"
#include "tracking.bpf.h"
#include "histograms.bpf.h"
#include "pidns.bpf.h"
#include "memory.bpf.h"

#define TASK_RUNNING 0

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct sched_stats);
} sched_stats SEC(".maps");

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

/* The tracked thread a task is, or NULL. */
static __always_inline struct tracked_thread *tracked_task(struct task_struct *task)
{
	return tracked_thread((__u32)BPF_CORE_READ(task, tgid), (__u32)BPF_CORE_READ(task, pid));
}

/* The slot's control record once it has started counting, else NULL. */
static __always_inline struct slot_control *started_slot(struct tracked_thread *t)
{
	struct slot_control *control = slot_control_of(t);

	return control && control->start_ns ? control : NULL;
}

/* The part of [since, now] inside the slot's window. */
static __always_inline __u64 in_window(struct slot_control *control, __u64 since, __u64 now)
{
	__u64 from = since > control->start_ns ? since : control->start_ns;
	__u64 to = control->stop_ns && control->stop_ns < now ? control->stop_ns : now;

	return to > from ? to - from : 0;
}

/*
 * Adds a finished interval to a sum and, if it lies wholly inside the window, to a histogram:
 * user space reads the histograms once after stop, and no key may appear after that read.
 */
static __always_inline void add_interval(struct tracked_thread *t, struct slot_control *control,
					 __u64 *sum, __u16 histogram, __u64 now)
{
	__u64 duration = in_window(control, t->sched_ns, now);

	if (!duration)
		return;
	if (sum)
		__sync_fetch_and_add(sum, duration);
	if (histogram && t->sched_ns >= control->start_ns && (!control->stop_ns || now <= control->stop_ns))
		record_value(control, t->slot, histogram, duration);
}

static __always_inline struct sched_stats *stats_of(struct tracked_thread *t)
{
	__u32 slot = t->slot;

	return bpf_map_lookup_elem(&sched_stats, &slot);
}

/*
 * On-CPU and run-queue sums come from the kernel's own per-task counters (se.sum_exec_runtime,
 * sched_info.run_delay), read at each switch-out, not from switch timestamps: on 6.18 a few
 * switch-ins are reported by no tracepoint (bpftrace misses the same ones), and timestamp sums
 * lose those stretches. The counting thread's figures at start and stop come from user space.
 * The histograms still come from the timestamps of the events that are reported.
 */
static __always_inline void add_counter_delta(__u64 *sum, bool known, bool counting_thread, __u64 last,
					      __u64 start, __u64 stop, __u64 now)
{
	__u64 base = last, until = now;

	if (!known && !counting_thread)
		return;
	if (counting_thread && start > base)
		base = start;
	if (counting_thread && stop && stop < until)
		until = stop;
	if (until > base)
		__sync_fetch_and_add(sum, until - base);
}

/* Adds what the counters grew by since the thread's last switch-out to the slot's sums. */
static __always_inline void add_counters(struct tracked_thread *t, struct slot_control *control,
					 __u32 tid, const struct task_counters *c)
{
	bool counting_thread = tid == control->start_tid && control->start_runtime;
	bool known = t->flags & TRACK_RUNTIME_KNOWN;
	struct sched_stats *sched = stats_of(t);
	struct memory_stats *memory = memory_of_slot(t->slot);

	if (sched) {
		add_counter_delta(&sched->on_cpu_ns, known, counting_thread, t->runtime_at_out,
				  control->start_runtime, control->stop_runtime, c->runtime);
		add_counter_delta(&sched->run_queue_ns, known, counting_thread, t->run_delay_at_out,
				  control->start_run_delay, control->stop_run_delay, c->run_delay);
	}
	if (memory) {
		add_counter_delta(&memory->minor_faults, known, counting_thread, t->min_flt_at_out,
				  control->start_min_flt, control->stop_min_flt, c->min_flt);
		add_counter_delta(&memory->major_faults, known, counting_thread, t->maj_flt_at_out,
				  control->start_maj_flt, control->stop_maj_flt, c->maj_flt);
	}
}

/*
 * Switched out while it seemed off the CPU: it was switched in (and, if it was blocked, woken)
 * with no tracepoint reporting it — about once in 1,500 blocks and a few times in 600
 * preemptions on 6.18; bpftrace misses the same events. The kernel's counters say how long it
 * then waited for a CPU (one wait) and ran; a blocked thread's wake-up is inferred, and the rest
 * of the stretch was its time blocked.
 */
static __always_inline void recover_missed_switch_in(struct tracked_thread *t, struct slot_control *control,
						     struct sched_stats *stats, const struct task_counters *c, __u64 now)
{
	__u64 waited, ran, stretch, runtime = c->runtime, run_delay = c->run_delay;

	if (!(t->flags & TRACK_RUNTIME_KNOWN) || t->sched_ns < control->start_ns
	    || (control->stop_ns && now > control->stop_ns))
		return;
	waited = run_delay > t->run_delay_at_out ? run_delay - t->run_delay_at_out : 0;
	ran = runtime > t->runtime_at_out ? runtime - t->runtime_at_out : 0;
	stretch = now - t->sched_ns;
	if (waited)
		record_value(control, t->slot, HIST_RUN_QUEUE, waited);
	if (t->sched_state == SCHED_BLOCKED) {
		if (stretch > waited + ran) {
			__u64 blocked = stretch - waited - ran;

			__sync_fetch_and_add(&stats->off_cpu_ns, blocked);
			record_value(control, t->slot, HIST_OFF_CPU, blocked);
		}
		if (control->open) {
			__sync_fetch_and_add(&stats->wakeups, 1);
			__sync_fetch_and_add(&stats->inferred_wakeups, 1);
		}
	}
}

/*
 * Whether this is the counting thread between the moment user space read its run time for a
 * window's edge and the moment it published that figure: after stop, before stop_runtime is
 * written; at start, after the call that read start_runtime, before start_ns is. A switch then
 * neither adds to the sums (they are closed, or opened, at the figures user space read) nor moves
 * the baselines they grow from; either would miss or add the stretch since the read.
 */
static __always_inline bool between_windows(struct slot_control *control, __u32 tid)
{
	if (!control || tid != control->start_tid)
		return false;
	return (control->stop_ns && !control->stop_runtime) || (control->start_seen && !control->start_ns);
}

static __always_inline void on_switch_out(struct tracked_thread *t, struct task_struct *task, __u32 tid,
					  bool preempt, __u64 prev_state, __u64 now)
{
	/* one lookup: the record, and whether the slot has started counting (started_slot) */
	struct slot_control *own = slot_control_of(t);
	struct slot_control *control = own && own->start_ns ? own : NULL;
	struct sched_stats *stats = stats_of(t);
	/* as the kernel counts nvcsw: switched out by schedule() in a sleeping state */
	bool voluntary = !preempt && prev_state != TASK_RUNNING;
	bool between = between_windows(own, tid);
	struct task_counters counters;

	read_counters(task, &counters);
	if (control && stats) {
		/* other threads count up to stop_ns; the counting thread up to its stop_runtime */
		if (!between && (!control->stop_ns || now <= control->stop_ns || tid == control->start_tid))
			add_counters(t, control, tid, &counters);
		if (t->sched_state != SCHED_RUNNING)
			recover_missed_switch_in(t, control, stats, &counters, now);
		if (control->open)
			__sync_fetch_and_add(voluntary ? &stats->voluntary_switches : &stats->involuntary_switches, 1);
	}
	/* kept apart, so that tests can tell the switches at a window's edges */
	if (own && !own->open)
		__sync_fetch_and_add(&own->outside_switches, 1);
	/* a preempted task stays on its run queue: it is waiting for a CPU from now on */
	t->sched_state = voluntary ? SCHED_BLOCKED : SCHED_QUEUED;
	t->sched_ns = now;
	if (!between)
		remember_counters(t, &counters);
}

static __always_inline void on_switch_in(struct tracked_thread *t, __u64 now)
{
	struct slot_control *control = started_slot(t);
	struct sched_stats *stats = stats_of(t);

	/* the run-queue sum comes from the kernel's counter at switch-out; here only the histogram */
	if (control && stats && t->sched_state == SCHED_QUEUED)
		add_interval(t, control, NULL, HIST_RUN_QUEUE, now);
	/*
	 * Blocked until now: its wake-up was not seen (rare; see docs/metrics.md). Infer it here, so
	 * that wake-ups still match the blocking switches; its run-queue wait counts as off-CPU.
	 */
	if (control && stats && t->sched_state == SCHED_BLOCKED) {
		add_interval(t, control, &stats->off_cpu_ns, HIST_OFF_CPU, now);
		if (control->open) {
			__sync_fetch_and_add(&stats->wakeups, 1);
			__sync_fetch_and_add(&stats->inferred_wakeups, 1);
		}
	}
	t->sched_state = SCHED_RUNNING;
	t->sched_ns = now;
}

static __always_inline int on_sched_switch(__u64 *ctx)
{
	bool preempt = (bool)ctx[0];
	struct task_struct *prev = (struct task_struct *)ctx[1];
	struct task_struct *next = (struct task_struct *)ctx[2];
	__u64 prev_state = ctx[3];
	struct tracked_thread *t;
	__u32 prev_tid;
	__u64 now = 0;

	prev_tid = (__u32)BPF_CORE_READ(prev, pid);
	t = tracked_thread((__u32)BPF_CORE_READ(prev, tgid), prev_tid);
	if (t) {
		now = bpf_ktime_get_ns();
		on_switch_out(t, prev, prev_tid, preempt, prev_state, now);
	}
	t = tracked_task(next);
	if (t) {
		if (!now)
			now = bpf_ktime_get_ns();
		on_switch_in(t, now);
	}
	return 0;
}

/* sched_wakeup and sched_wakeup_new: the task is runnable from now on. */
static __always_inline int on_sched_wakeup(__u64 *ctx)
{
	struct tracked_thread *t = tracked_task((struct task_struct *)ctx[0]);
	struct slot_control *control;
	struct sched_stats *stats;
	__u64 now;

	/* a running task that is "woken" before it got to sleep never left its CPU */
	if (!t || t->sched_state == SCHED_RUNNING || t->sched_state == SCHED_QUEUED)
		return 0;
	now = bpf_ktime_get_ns();
	control = started_slot(t);
	stats = stats_of(t);
	if (control && stats && t->sched_state == SCHED_BLOCKED) {
		add_interval(t, control, &stats->off_cpu_ns, HIST_OFF_CPU, now);
		if (control->open)
			__sync_fetch_and_add(&stats->wakeups, 1);
	}
	t->sched_state = SCHED_QUEUED;
	t->sched_ns = now;
	return 0;
}

static __always_inline int on_sched_migrate(__u64 *ctx)
{
	struct tracked_thread *t = tracked_task((struct task_struct *)ctx[0]);
	struct slot_control *control;
	struct sched_stats *stats;

	if (!t)
		return 0;
	control = started_slot(t);
	stats = stats_of(t);
	if (control && control->open && stats)
		__sync_fetch_and_add(&stats->migrations, 1);
	return 0;
}

/*
 * The counting thread is on a CPU when counting stops, so no switch-out closes its last stretch.
 * Its first system call after stop records its fault counters; user space then writes its run
 * time at stop (stop_runtime) and makes one more, whose entry, in the thread's own context, adds
 * the stretch (sys_enter calls this).
 */
static __always_inline void close_running_interval(struct tracked_thread *t)
{
	struct slot_control *control = started_slot(t);
	struct task_counters at_stop;
	__u32 tid = current_tid();

	if (!control || control->open || !control->stop_ns || tid != control->start_tid)
		return;
	/* the faults are the task's own, read at the thread's first call after stop (not a restart's) */
	if (!control->stop_min_flt && !(control->flags & SLOT_CAPTURE_START_FAULTS)) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		/* the run-queue wait moves only at switch-in, so the running thread's is exact */
		control->stop_run_delay = run_delay_of(task);
		control->stop_maj_flt = BPF_CORE_READ(task, maj_flt);
		control->stop_min_flt = BPF_CORE_READ(task, min_flt);
	}
	if (!control->stop_runtime)
		return;
	/*
	 * Already closed (this runs at every call after stop). Each counter on its own: schedstat's
	 * run time moves only at ticks and switches, so it may not have moved while faults did.
	 */
	if (t->runtime_at_out >= control->stop_runtime && t->min_flt_at_out >= control->stop_min_flt
	    && t->maj_flt_at_out >= control->stop_maj_flt)
		return;
	at_stop.runtime = control->stop_runtime;
	at_stop.run_delay = control->stop_run_delay;
	at_stop.min_flt = control->stop_min_flt;
	at_stop.maj_flt = control->stop_maj_flt;
	add_counters(t, control, tid, &at_stop);
	/* never move a counter back: a switch-out after stop may have remembered a later value */
	at_stop.runtime = at_stop.runtime > t->runtime_at_out ? at_stop.runtime : t->runtime_at_out;
	at_stop.run_delay = at_stop.run_delay > t->run_delay_at_out ? at_stop.run_delay : t->run_delay_at_out;
	at_stop.min_flt = at_stop.min_flt > t->min_flt_at_out ? at_stop.min_flt : t->min_flt_at_out;
	at_stop.maj_flt = at_stop.maj_flt > t->maj_flt_at_out ? at_stop.maj_flt : t->maj_flt_at_out;
	remember_counters(t, &at_stop);
}

/*
 * Just before counting starts, user space asks (SLOT_CAPTURE_START_FAULTS) and makes a system
 * call: its entry records the counting thread's fault counters as the start values (no /proc
 * read, and nothing the JVM allocates, at the edge of the window).
 */
static __always_inline void capture_start_faults(struct tracked_thread *t)
{
	struct slot_control *control = slot_control_of(t);
	struct task_struct *task;

	if (!control || !(control->flags & SLOT_CAPTURE_START_FAULTS) || current_tid() != control->start_tid)
		return;
	task = (struct task_struct *)bpf_get_current_task();
	control->start_run_delay = run_delay_of(task);
	control->start_min_flt = BPF_CORE_READ(task, min_flt);
	control->start_maj_flt = BPF_CORE_READ(task, maj_flt);
	__sync_fetch_and_and(&control->flags, ~SLOT_CAPTURE_START_FAULTS);
	/* the canary: the programs see the counting thread (user space checks it before the test runs) */
	control->start_seen = 1;
}

/*
 * A tracked thread is ending (sched_process_exit, before its last switch-out, which then finds
 * it untracked): its last stretch of run time and page faults counts now. Threads of this JVM
 * that end are counted whenever they end after the start, as user space reads the heap counters
 * of the live ones after stop: a thread Java has joined may still be on its way out of the kernel.
 */
static __always_inline void on_thread_exit(void)
{
	struct tracked_thread *t = current_tracked();
	struct identity *id;
	struct slot_control *control;
	struct task_counters counters;
	__u32 tid = current_tid();

	if (!t)
		return;
	control = started_slot(t);
	if (!control)
		return;
	id = the_identity();
	if (id && (__u32)(bpf_get_current_pid_tgid() >> 32) == id->tgid)
		__sync_fetch_and_add(&control->exited_threads, 1);
	if (control->stop_ns && bpf_ktime_get_ns() > control->stop_ns)
		return;
	read_counters((struct task_struct *)bpf_get_current_task(), &counters);
	add_counters(t, control, tid, &counters);
}

#endif
