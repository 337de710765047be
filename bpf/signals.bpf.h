/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System calls a traced thread makes inside a signal handler are not the test's work: a sampling
 * profiler's handler (async-profiler: read, gettid, ioctl and rt_sigreturn at every sample, every
 * 100 µs of CPU), JFR's thread sampler, HotSpot's own handlers. They are counted apart, as the
 * slot's signal_handler_calls, so that a test traced under a profiler keeps its exact counts.
 *
 * A handler runs from the kernel's delivery of the signal (signal:signal_deliver, in the
 * receiving thread, before the handler's frame is set up) to its rt_sigreturn; nested handlers
 * deepen it. A handler that never returns (longjmp out of it) is noticed at the thread's next
 * system call made at or above the stack pointer that handler interrupted: its frames are gone
 * then. Each nesting level keeps its own: async-profiler's crash protection longjmps out of a
 * SIGSEGV handler nested in its SIGPROF handler, which then returns by rt_sigreturn, and with the
 * outermost level's pointer only, the thread stayed one handler deep after it, every call it made
 * deeper in its stack than the sample's point uncounted (NestedHandlerLeftByLongjmpTest). (A
 * handler on an alternate signal stack above the interrupted one is taken as returned, so its
 * calls are counted: too many, never too few.) The state lives in the thread's task storage
 * (tracking.bpf.h), next to its call in flight: the system-call programs already hold it, so the
 * check costs one load per call outside handlers.
 */
#ifndef SIGNALS_BPF_H
#define SIGNALS_BPF_H

#include "common.bpf.h"
#include "tracking.bpf.h"

/*
 * Bumped by user space each time the programs are detached. A handler whose delivery the programs
 * saw but whose rt_sigreturn came while they were detached (or the process filter was cleared)
 * would otherwise leave its thread's depth raised: at the next attach, every call the thread makes
 * deeper in its stack than the interrupted point would be taken for a handler's and not counted,
 * the canary among them. A depth from an older epoch is dropped instead.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} attach_epoch SEC(".maps");

static __always_inline __u32 current_attach_epoch(void)
{
	__u32 zero = 0, *epoch = bpf_map_lookup_elem(&attach_epoch, &zero);

	return epoch ? *epoch : 0;
}

/*
 * A handler older than this is taken as returned, whatever the programs saw: a safety net for an
 * end missed some way not known yet (a canary unseen in CI turned out to be a nested handler left
 * by longjmp, now ended where its frames are gone). Its cost, should a handler really run longer (a
 * thread suspended in HotSpot's SIGUSR2 handler), is that its later calls count for the test:
 * too many, never too few.
 */
#define SIGNAL_HANDLER_MAX_NS 1000000000ull

#define SIG_DFL_HANDLER 0
#define SIG_IGN_HANDLER 1

/* call_in_flight.nr of a call made inside a signal handler: its exit is expected unmatched */
#define SIGNAL_HANDLER_CALL (-2)

static __always_inline __u64 user_stack_pointer(struct pt_regs___kt *regs)
{
	return BPF_CORE_READ(regs, sp);
}

/* signal:signal_deliver(int sig, struct kernel_siginfo *info, struct k_sigaction *ka) */
static __always_inline int on_signal_deliver(__u64 *ctx)
{
	struct k_sigaction___kt *action = (struct k_sigaction___kt *)ctx[2];
	__u64 pid_tgid = bpf_get_current_pid_tgid(), handler;
	struct thread_calls *c;
	struct task_struct *task;
	__u32 depth;

	if (!process_may_be_tracked((__u32)(pid_tgid >> 32)))
		return 0;
	handler = (__u64)BPF_CORE_READ(action, sa.sa_handler);
	if (handler == SIG_DFL_HANDLER || handler == SIG_IGN_HANDLER)
		return 0;	/* no handler runs: the default action, or nothing */
	/*
	 * Every thread of a process that may be traced, counting now or not: a thread that starts
	 * counting inside a handler must still see the handler's rt_sigreturn as the handler's.
	 */
	c = current_calls();
	if (!c)
		return 0;
	depth = c->signal_depth;
	if (depth == 0) {
		c->signal_epoch = current_attach_epoch();
		c->signal_begin_ns = bpf_ktime_get_ns();
	}
	if (depth < SIGNAL_LEVELS) {
		task = bpf_get_current_task_btf();
		c->signal_interrupted_sp[depth] = user_stack_pointer((struct pt_regs___kt *)bpf_task_pt_regs(task));
	}
	c->signal_depth = depth + 1;
	return 0;
}

/*
 * At a system call of a thread with a handler in progress (c->signal_depth != 0), counting or
 * not: true if the call is made inside a handler (the caller then counts it apart). A handler ends
 * at its rt_sigreturn, or when a call is made where its frames are gone: at or above the stack
 * pointer it interrupted, innermost level first. Only the thread itself changes its own task
 * storage here and at delivery: no atomics needed.
 */
static __always_inline bool in_signal_handler(struct thread_calls *c, __u64 *ctx, __s64 nr)
{
	__u64 sp = user_stack_pointer((struct pt_regs___kt *)ctx[0]);
	__u32 depth = c->signal_depth;
	int level;

	if (c->signal_epoch != current_attach_epoch() || bpf_ktime_get_ns() - c->signal_begin_ns > SIGNAL_HANDLER_MAX_NS)
		depth = 0;
	/* handlers left by longjmp; levels deeper than SIGNAL_LEVELS wait for their rt_sigreturn */
#pragma unroll
	for (level = SIGNAL_LEVELS - 1; level >= 0; level--) {
		if (depth == (__u32)level + 1 && sp >= c->signal_interrupted_sp[level])
			depth = level;
	}
	if (depth == 0) {
		c->signal_depth = 0;
		return false;
	}
	if (nr == config.rt_sigreturn_syscall)
		depth--;	/* the innermost handler returns: this call is still its own */
	c->signal_depth = depth;
	return true;
}

#endif
