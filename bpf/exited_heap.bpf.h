/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Heap of threads that end inside a test's window. The JVM forgets a thread's allocation counter
 * when the thread ends, so user space (ThreadMXBean) cannot read it afterwards; HotSpot's USDT
 * probe hotspot:thread__stop fires on the ending thread itself, before its TLAB is retired, and
 * this program reads the counter there: Thread::_allocated_bytes plus the used part of its TLAB,
 * which is what ThreadMXBean would have said (HotSpot's cooked_allocated_bytes).
 *
 * The JavaThread is found through the thread pointer: HotSpot keeps the current Thread* in
 * thread-local storage at a fixed distance from the thread pointer (fsbase on x86_64), which user
 * space measured on two threads (ExitedThreadHeap); the program checks each read by comparing
 * the OSThread's thread id with the probe's native_tid argument.
 *
 * Counted: threads of an open slot started inside its window (the task's start_time is after
 * start_ns), so that nothing they allocated before the window is included. Threads that existed
 * before (registered, borrowed, children followed before the window) stay uncounted, as before.
 */
#ifndef EXITED_HEAP_BPF_H
#define EXITED_HEAP_BPF_H

#include <asm/ptrace.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "common.bpf.h"
#include "tracking.bpf.h"

/* x86_64's thread pointer (the C library's TCB, pthread_self()); CO-RE relocates the field. */
struct thread_struct___heap {
	unsigned long fsbase;
} __attribute__((preserve_access_index));

struct task_struct___heap {
	struct thread_struct___heap thread;
	__u64 start_time;	/* CLOCK_MONOTONIC at fork, as start_ns */
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hotspot_offsets);
} hotspot_offsets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct exited_heap);
} exited_heap SEC(".maps");

static __always_inline __u64 read_user_u64(__u64 address)
{
	__u64 value = 0;

	if (bpf_probe_read_user(&value, sizeof(value), (void *)address))
		return 0;
	return value;
}

/* The ending thread's heap bytes, or -1 when its JavaThread cannot be read or is not the thread's. */
static __always_inline __s64 ending_thread_heap(struct task_struct___heap *task, struct hotspot_offsets *at, __u64 native_tid)
{
	__u64 thread_pointer = BPF_CORE_READ(task, thread.fsbase);
	__u64 java_thread, osthread, start, top;
	__u32 thread_id = 0;

	if (!thread_pointer)
		return -1;
	java_thread = read_user_u64(thread_pointer + at->thread_pointer);
	if (!java_thread)
		return -1;
	osthread = read_user_u64(java_thread + at->osthread);
	if (!osthread || bpf_probe_read_user(&thread_id, sizeof(thread_id), (void *)(osthread + at->thread_id))
	    || thread_id != (__u32)native_tid)
		return -1;
	start = read_user_u64(java_thread + at->tlab_start);
	top = read_user_u64(java_thread + at->tlab_top);
	/* a retired TLAB has top 0; its bytes are then in _allocated_bytes already */
	return read_user_u64(java_thread + at->allocated_bytes) + (top > start ? top - start : 0);
}

/* hotspot:thread__stop(name, len, java_tid, native_tid, daemon), on the ending thread. */
static __always_inline int on_java_thread_stop(__u64 native_tid)
{
	struct tracked_thread *t = current_tracked();
	struct task_struct___heap *task;
	struct slot_control *control;
	struct hotspot_offsets *at;
	struct exited_heap *heap;
	__u32 zero = 0;
	__s64 bytes;

	if (!t)
		return 0;
	control = open_slot(t);
	heap = bpf_map_lookup_elem(&exited_heap, &t->slot);
	if (!control || !heap)
		return 0;
	task = (struct task_struct___heap *)bpf_get_current_task();
	if (BPF_CORE_READ(task, start_time) < control->start_ns)
		return 0; /* it may have allocated before the window: left uncounted, as exited_threads says */
	at = bpf_map_lookup_elem(&hotspot_offsets, &zero);
	bytes = at && at->ready ? ending_thread_heap(task, at, native_tid) : -1;
	if (bytes < 0) {
		__sync_fetch_and_add(&heap->unreadable, 1);
		return 0;
	}
	__sync_fetch_and_add(&heap->bytes, bytes);
	__sync_fetch_and_add(&heap->threads, 1);
	/* user space then leaves it out of the threads it reads through ThreadMXBean (no double count) */
	__sync_fetch_and_or(&t->flags, TRACK_HEAP_COUNTED);
	return 0;
}

#endif
