/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thread ids across PID namespaces. The programs compare the kernel's ids (those of the initial
 * namespace: bpf_get_current_pid_tgid(), task->pid), while a JVM in a container knows its threads
 * by the ids of its own namespace (gettid()). User space asks once per thread which kernel id it
 * has (the identity map); the programs record, for each thread they start tracking themselves,
 * the id the JVM knows it by.
 */
#ifndef PIDNS_BPF_H
#define PIDNS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct identity);
} identity SEC(".maps");

static __always_inline struct identity *the_identity(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&identity, &zero);
}

/*
 * The task's id in the JVM's PID namespace (at `level`, with inode number `inum`), or 0 when the
 * task is not visible there.
 */
static __always_inline __u32 ns_tid_at(struct task_struct *task, __u32 level, __u32 inum)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	struct upid upid;

	if (!pid || BPF_CORE_READ(pid, level) < level)
		return 0;
	/* numbers[] is a flexible array: its offset is relocated, the element size is stable */
	if (bpf_probe_read_kernel(&upid, sizeof(upid), (void *)__builtin_preserve_access_index(&pid->numbers[0])
				  + level * sizeof(struct upid)))
		return 0;
	if (BPF_CORE_READ(upid.ns, ns.inum) != inum)
		return 0;
	return (__u32)upid.nr;
}

/* The task's id as the JVM knows it, once user space has made its first identity request. */
static __always_inline __u32 jvm_tid_of(struct task_struct *task)
{
	struct identity *id = the_identity();

	if (!id || !id->answer)
		return 0;
	return ns_tid_at(task, id->level, id->ns_inum);
}

/* Where a walk of the thread list is: the list's head and the next node (the count is id->listed). */
struct thread_walk {
	struct identity *id;
	struct list_head *head;
	struct list_head *node;
	__u64 node_offset;	/* of task_struct.thread_node */
};

/* One step of the walk: lists the thread at `node`; 1 stops the walk. */
static long list_one_thread(__u32 index, struct thread_walk *walk)
{
	struct list_head *node = walk->node;	/* a local: CO-RE reads below must not relocate `walk` */
	struct identity *id = walk->id;
	struct task_struct *thread;
	/*
	 * Counted in the map, not on the stack: read back from memory, the index is a bounded unknown
	 * to the verifier, so it checks one step instead of all 1024 (330,000 instructions at load).
	 */
	__u32 i = id->listed;

	if (!node || node == walk->head || i >= MAX_LISTED_THREADS)
		return 1;
	thread = (struct task_struct *)((void *)node - walk->node_offset);
	id->threads[i].tid = (__u32)BPF_CORE_READ(thread, pid);
	id->threads[i].ns_tid = ns_tid_at(thread, id->level, id->ns_inum);
	id->listed = i + 1;
	walk->node = BPF_CORE_READ(node, next);
	return 0;
}

/*
 * Lists every thread of the current task's process with both of its ids. Walks the thread list
 * with probe reads, so a thread starting or ending meanwhile can be missed or cut the walk short
 * (user space reads the list until it is stable). Needs the thread list of Linux 6.7 and later.
 * bpf_loop, whose step the verifier checks once rather than once per thread (see the counter).
 */
static __noinline void list_threads(struct identity *id)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct signal_struct *signal = BPF_CORE_READ(task, signal);
	struct thread_walk walk = {};

	id->listed = 0;
	id->complete = 0;
	if (!signal || !bpf_core_field_exists(task->thread_node))
		return;
	walk.id = id;
	walk.head = __builtin_preserve_access_index(&signal->thread_head);
	walk.node = BPF_CORE_READ(signal, thread_head.next);
	walk.node_offset = bpf_core_field_offset(struct task_struct, thread_node);
	/* bpf_loop (5.17) is older than thread_node (6.7); on kernels without it nothing is listed */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop))
		bpf_loop(MAX_LISTED_THREADS, list_one_thread, &walk, 0);
	id->complete = walk.node == walk.head;
}

/*
 * A system call while an identity request is pending: if it is the asking thread's (its id and
 * namespace match the request), answer with the kernel's ids. Every other call pays one load.
 */
static __always_inline void answer_identity(void)
{
	struct identity *id = the_identity();
	struct task_struct *task;
	struct pid *pid;
	__u32 level, request;
	__u64 pid_tgid;

	if (!id || id->request == id->answer)
		return;
	request = id->request;
	task = (struct task_struct *)bpf_get_current_task();
	pid = BPF_CORE_READ(task, thread_pid);
	if (!pid)
		return;
	/* the asking thread's own namespace is the JVM's: the deepest level of its pid */
	level = BPF_CORE_READ(pid, level);
	if (ns_tid_at(task, level, id->ns_inum) != id->ns_tid)
		return;
	pid_tgid = bpf_get_current_pid_tgid();
	id->level = level;
	id->tgid = (__u32)(pid_tgid >> 32);
	id->tid = (__u32)pid_tgid;
	if (id->list_threads)
		list_threads(id);
	/* atomic, so a full barrier: user space sees the fields above once it sees the answer */
	__sync_fetch_and_add(&id->answer, request - id->answer);
}

#endif
