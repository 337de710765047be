/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which other threads work for a traced test: the threads and processes its threads create
 * (sched_process_fork), and the threads of the JVM that existed before the test and that its
 * threads hand work to (a thread pool's workers, virtual threads' carriers).
 *
 * A hand-off is seen as a wake-up: a Java thread that submits work to a parked pool thread
 * unparks it with a futex call. The woken thread is borrowed: it counts for the waker's slot from
 * then until the slot's tracking ends. (Ending it when the thread parks again lost work: a task
 * that waits with a timeout midway is woken by the timer, not by the test, and a parallel stream
 * on JDK 17 once counted 340 writes of 500.) HotSpot's own threads (JIT compilers, GC, the VM
 * thread) are never borrowed: a test wakes them too, but their work is the JVM's. Where this is
 * wrong (a borrowed thread that also takes another concurrent test's work) is said in
 * docs/metrics.md.
 *
 * Nor are the threads that run tests. Under JUnit's parallel execution the test's thread is a
 * worker of JUnit's ForkJoinPool; when it blocks (a lock's condition, a barrier: ForkJoinPool's
 * managedBlock), the pool puts another worker to work in its place: it wakes an idle one, or starts
 * a new one from the blocking thread. That worker then runs the next test, @BeforeEach first, and
 * was counted for the blocking test until it ended (CI saw 8 + 5 writes). User space names the
 * threads that run tests per slot (slot_control.runner_name: the counting thread's own kernel name,
 * "ForkJoinPool-N-", which every worker of that pool shares). Such a thread is never borrowed, and
 * a child that takes that name as it starts (HotSpot names a Java thread before it runs any Java
 * code) stops counting then (on_task_rename). Why the name and not thread ids: the pool starts and
 * wakes workers that never ran a traced test, so no list of ids user space could keep would hold
 * them; the name is the pool's, whichever worker it is. A thread that is registered for another
 * slot stops counting here anyway: `tracked` holds one slot per thread.
 */
#ifndef FOLLOW_BPF_H
#define FOLLOW_BPF_H

#include "common.bpf.h"
#include "tracking.bpf.h"
#include "pidns.bpf.h"
#include "sched.bpf.h"

/* Which threads woke a slot's threads from outside it, so that each is listed once. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct foreign_key);
	__type(value, __u8);
} foreign_wakers SEC(".maps");

/* The kernel names of the first threads a slot's work was handed to, or that woke its threads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct handoff_names);
} handoff_names SEC(".maps");

/* Follows threads and processes created by a tracked thread that asked for it. */
static __always_inline int on_fork(__u64 *ctx)
{
	struct tracked_thread *parent = current_tracked();
	struct task_struct *child_task = (struct task_struct *)ctx[1];
	struct tracked_thread child = {};
	struct slot_control *control;
	__u32 child_tid, child_tgid, bucket, *filter;

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
	child.flags = (parent->flags & (TRACK_FOLLOW_CHILDREN | TRACK_FOLLOW_HANDOFFS)) | TRACK_RUNTIME_KNOWN | TRACK_CHILD;
	child.ns_tid = jvm_tid_of(child_task);
	control = slot_control_of(parent);
	if (!control)
		return 0;
	/*
	 * No tracking_generation bump (tracking.bpf.h): the child has run no program yet, so it holds
	 * no task-local copy of an entry, and no other thread's copy is about this thread id.
	 */
	if (bpf_map_update_elem(&tracked, &child_tid, &child, BPF_ANY) == 0)
		__sync_fetch_and_add(&control->followed_children, 1);
	else
		__sync_fetch_and_add(&control->lost_children, 1);
	return 0;
}

/*
 * A thread id can be reused once its thread is gone: forget it. No tracking_generation bump: the
 * only task-local copy of this entry is the ending thread's own, freed with it.
 */
static __always_inline int on_exit(void)
{
	__u32 tid = current_tid();

	bpf_map_delete_elem(&tracked, &tid);
	return 0;
}

/*
 * Whether the tracked thread is inside a futex call: how Java threads park, and unpark one another.
 * The system-call programs keep nr and enter_ns in `tracked` for futex calls only (syscalls.bpf.h):
 * these checks read them for threads other than the current one, whose task storage a raw_tp
 * program cannot reach.
 */
static __always_inline bool in_futex_call(struct tracked_thread *t)
{
	return t->enter_ns && t->nr == config.futex_syscall;
}

/* Whether the task is one of HotSpot's own threads, by the kernel name HotSpot gives it. */
static __always_inline bool jvm_internal(struct task_struct *task)
{
	__u64 comm[2];
	__u32 i;

	if (bpf_core_read(&comm, sizeof(comm), &task->comm))
		return false;
	for (i = 0; i < JVM_INTERNAL_THREADS; i++) {
		if (!config.jvm_internal_threads[i].mask[0])
			return false;
		if ((comm[0] & config.jvm_internal_threads[i].mask[0]) == config.jvm_internal_threads[i].value[0]
		    && (comm[1] & config.jvm_internal_threads[i].mask[1]) == config.jvm_internal_threads[i].value[1])
			return true;
	}
	return false;
}

/*
 * A kernel name as the kernel keeps it in task->comm: at most 15 bytes, NUL-padded to 16, so that
 * two names compare as two words.
 */
static __always_inline void pad_name(char name[TASK_COMM_LEN])
{
	bool ended = false;
	int i;

	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (i == TASK_COMM_LEN - 1 || !name[i])
			ended = true;
		if (ended)
			name[i] = 0;
	}
}

/* Whether a padded kernel name is the one the slot's tests run under (slot_control.runner_name). */
static __always_inline bool runner_named(struct slot_control *control, char name[TASK_COMM_LEN])
{
	__u64 words[2];

	if (!control->runner_name[0])
		return false;
	__builtin_memcpy(words, name, sizeof(words));
	return words[0] == control->runner_name[0] && words[1] == control->runner_name[1];
}

/* Whether the task is one of the threads that run tests, as the slot knows them. */
static __always_inline bool runs_tests(struct slot_control *control, struct task_struct *task)
{
	char name[TASK_COMM_LEN];

	if (!control->runner_name[0] || bpf_core_read(name, sizeof(name), &task->comm))
		return false;
	pad_name(name);
	return runner_named(control, name);
}

#define NAMES_BORROWED 0
#define NAMES_UNCOUNTED 1
#define NAMES_FOREIGN 2

/* Counts a thread, and keeps its name in list `which` if it is among the slot's first HANDOFF_NAMES. */
static __always_inline void remember_name(struct task_struct *task, __u32 slot, __u64 *counter, int which)
{
	struct handoff_names *names = bpf_map_lookup_elem(&handoff_names, &slot);
	__u64 index = __sync_fetch_and_add(counter, 1);

	if (!names || index >= HANDOFF_NAMES)
		return;
	if (which == NAMES_BORROWED)
		bpf_core_read(names->borrowed[index], TASK_COMM_LEN, &task->comm);
	else if (which == NAMES_UNCOUNTED)
		bpf_core_read(names->uncounted[index], TASK_COMM_LEN, &task->comm);
	else
		bpf_core_read(names->foreign[index], TASK_COMM_LEN, &task->comm);
}

/*
 * One of JUnit's workers put to work by a thread of the slot while it counts: never followed (it
 * runs other tests), so what the test forked into JUnit's pool and that worker took is missing
 * from the counts. A blocked test also wakes one to run other tests in its place (compensation),
 * which looks the same here; so user space reports it, and fails no test on it. Each worker once
 * per slot, in the foreign_wakers set with value 2 (a waker listed there is the same story).
 */
static __always_inline void note_runner_handoff(struct slot_control *control, __u32 slot, __u32 tid)
{
	struct foreign_key key = { .slot = slot, .tid = tid };
	__u8 runner = 2;

	if (bpf_map_update_elem(&foreign_wakers, &key, &runner, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&control->runner_handoffs, 1);
}

/*
 * The waking of a task that no slot counts (`entry`: its idle entry, or NULL). If the waker is a
 * counting thread of the same process inside a futex call, the wakee takes over work from it:
 * borrow it for the waker's slot, or, when the waker does not follow hand-offs, list it as a
 * thread the slot's work went to uncounted.
 */
static __always_inline void follow_handoff(struct task_struct *wakee, __u32 wakee_tgid, __u32 wakee_tid,
					   struct tracked_thread *entry)
{
	struct tracked_thread *waker = current_tracked();
	struct tracked_thread borrowed = {};
	struct task_counters counters;
	struct slot_control *control;
	bool follow, new_to_slot;
	__u32 slot;

	if (!waker || !in_futex_call(waker) || (__u32)(bpf_get_current_pid_tgid() >> 32) != wakee_tgid)
		return;
	control = open_slot(waker);
	if (!control || jvm_internal(wakee))
		return;
	slot = waker->slot;
	if (runs_tests(control, wakee)) {
		note_runner_handoff(control, slot, wakee_tid);
		return;
	}
	follow = waker->flags & TRACK_FOLLOW_HANDOFFS;
	new_to_slot = !entry || entry->slot != slot;
	if (!follow && !new_to_slot)
		return;	/* listed already */
	borrowed.slot = slot;
	borrowed.ns_tid = entry ? entry->ns_tid : jvm_tid_of(wakee);
	if (follow) {
		borrowed.flags = TRACK_BORROWED | TRACK_FOLLOW_CHILDREN | TRACK_FOLLOW_HANDOFFS;
		/* it slept until now, so its counters are exact: its sums grow from here */
		read_counters(wakee, &counters);
		remember_counters(&borrowed, &counters);
		borrowed.sched_state = BPF_CORE_READ(wakee, on_cpu) ? SCHED_RUNNING : SCHED_QUEUED;
		borrowed.sched_ns = bpf_ktime_get_ns();
	} else {
		borrowed.flags = TRACK_IDLE;
	}
	if (bpf_map_update_elem(&tracked, &wakee_tid, &borrowed, BPF_ANY) != 0) {
		__sync_fetch_and_add(&control->lost_children, 1);
		return;
	}
	/* the wakee may hold a task-local copy of its old entry (tracking.bpf.h) */
	tracked_changed();
	if (follow)
		__sync_fetch_and_add(&control->borrowed_wakeups, 1);
	if (new_to_slot)
		remember_name(wakee, slot, follow ? &control->borrowed_threads : &control->unfollowed_threads,
			      follow ? NAMES_BORROWED : NAMES_UNCOUNTED);
}

/*
 * A counting thread parked in a futex wait is woken by a thread of its process that its slot does
 * not count: the answer to work done elsewhere, by a pool thread busy with another test's work or
 * by one no test follows (it took the task without being woken). That work is missing from the
 * slot's counts: list the waker. Not proof: JUnit's own workers signal each other in parallel runs,
 * and a timed wait that expires while such a thread is on the CPU looks the same; so user space
 * reports these, and fails no test on them. Each waker once per slot, by its kernel thread id.
 */
static __always_inline void note_foreign_waker(struct tracked_thread *wakee, __u32 wakee_tgid)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 waker_tid = (__u32)pid_tgid, slot = wakee->slot;
	struct tracked_thread *waker;
	struct slot_control *control;
	struct task_struct *current;
	struct foreign_key key;
	__u8 seen = 1;

	if ((__u32)(pid_tgid >> 32) != wakee_tgid || !in_futex_call(wakee))
		return;
	waker = tracked_entry(wakee_tgid, waker_tid);
	if (waker && waker->slot == slot)
		return;	/* one of the slot's own threads, or one it listed already (borrowed, or not followed) */
	control = open_slot(wakee);
	current = (struct task_struct *)bpf_get_current_task();
	if (!control || jvm_internal(current))
		return;
	key.slot = slot;
	key.tid = waker_tid;
	if (bpf_map_update_elem(&foreign_wakers, &key, &seen, BPF_NOEXIST) != 0)
		return;	/* listed already, or the set is full */
	remember_name(current, slot, &control->foreign_wakers, NAMES_FOREIGN);
}

/* A borrowed thread woken by one of its slot's threads from a futex call: work handed to it again. */
static __always_inline void count_handoff(struct tracked_thread *borrowed)
{
	struct tracked_thread *waker = current_tracked();
	struct slot_control *control;

	if (!waker || waker->slot != borrowed->slot || !in_futex_call(waker))
		return;
	control = open_slot(waker);
	if (control)
		__sync_fetch_and_add(&control->borrowed_wakeups, 1);
}

/*
 * task_rename: a task takes a name (prctl(PR_SET_NAME), which HotSpot calls in each Java thread as
 * it starts; exec). A child followed for a slot that takes the name of the slot's test runners is a
 * worker the pool started from a blocked test thread: it is JUnit's, so it stops counting. What it
 * did before (the few system calls of a thread's start) stays counted: docs/user-guide.md.
 */
static __always_inline int on_task_rename(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	const char *comm = (const char *)ctx[1];
	__u32 tgid = (__u32)BPF_CORE_READ(task, tgid), tid = (__u32)BPF_CORE_READ(task, pid);
	struct tracked_thread *t = tracked_entry(tgid, tid);
	struct slot_control *control;
	char name[TASK_COMM_LEN] = {};

	if (!t || !(t->flags & TRACK_CHILD))
		return 0;
	control = slot_control_of(t);
	/* the new name may be longer than the kernel keeps (exec's file name): pad_name cuts it */
	if (!control || !control->runner_name[0] || bpf_probe_read_kernel_str(name, sizeof(name), comm) < 0)
		return 0;
	pad_name(name);
	if (!runner_named(control, name))
		return 0;
	if (control->open)
		note_runner_handoff(control, t->slot, tid);
	bpf_map_delete_elem(&tracked, &tid);
	/* the task holds a task-local copy of its entry (tracking.bpf.h) */
	tracked_changed();
	return 0;
}

/*
 * sched_waking: runs in the waker's context, where sched_wakeup may not (the kernel can hand a
 * wake-up to the wakee's CPU). A task no slot counts may be taking over work from the waker.
 */
static __always_inline int on_sched_waking(__u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];
	__u32 tgid = (__u32)BPF_CORE_READ(task, tgid), tid = (__u32)BPF_CORE_READ(task, pid);
	struct tracked_thread *t = tracked_entry(tgid, tid);

	if (!t || (t->flags & TRACK_IDLE))
		follow_handoff(task, tgid, tid, t);
	else if (t->flags & TRACK_BORROWED)
		count_handoff(t);
	else
		note_foreign_waker(t, tgid);
	return 0;
}

#endif
