/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-test memory metrics kept by the programs: native allocations, through uprobes on the C
 * library's malloc, calloc, realloc, free, posix_memalign and aligned_alloc, attached (to this
 * process only) while a test asks for them; address space mapped and unmapped (counted at the
 * system calls, syscalls.bpf.h); page faults (summed at context switches, sched.bpf.h).
 *
 * The uprobes fire in every thread of the process; only tracked threads of slots that asked
 * (SLOT_NATIVE_ALLOCATIONS) count calls and allocations. Releases are seen from any thread, so
 * a block a test allocates and another thread frees is not reported as outstanding.
 *
 * Allocator functions call each other (realloc(NULL, n) calls malloc, posix_memalign may call
 * malloc, realloc(p, 0) calls free): per thread, only the outermost call in flight counts.
 */
#ifndef MEMORY_BPF_H
#define MEMORY_BPF_H

#include <asm/ptrace.h>
#include <bpf/bpf_tracing.h>
#include "common.bpf.h"
#include "tracking.bpf.h"
#include "histograms.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, struct memory_stats);
} memory_stats SEC(".maps");

/* Native allocations made by tracked threads and not yet released: the leak candidates. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u64);			/* address */
	__type(value, struct live_allocation);
} live_allocations SEC(".maps");

static __always_inline struct memory_stats *memory_of_slot(__u32 slot)
{
	return bpf_map_lookup_elem(&memory_stats, &slot);
}

/* The calling process's mapped address space, in pages (the kernel's mm->total_vm). */
static __always_inline __u64 current_total_vm(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, mm, total_vm);
}

/*
 * mmap, munmap, mremap and brk: how much address space the call added or removed, from the
 * kernel's own page count before and after (so MAP_FIXED over an existing mapping adds nothing).
 */
static __always_inline void add_address_space_change(__u32 slot, __u64 before)
{
	struct memory_stats *memory = memory_of_slot(slot);
	__u64 after = current_total_vm();

	if (!memory || after == before)
		return;
	if (after > before)
		__sync_fetch_and_add(&memory->mapped_bytes, (after - before) * config.page_size);
	else
		__sync_fetch_and_add(&memory->unmapped_bytes, (before - after) * config.page_size);
}

/* The slot counting native allocations for this tracked thread, or NULL. */
static __always_inline struct slot_control *native_slot(struct tracked_thread *t)
{
	struct slot_control *control = open_slot(t);

	return control && (control->flags & SLOT_NATIVE_ALLOCATIONS) ? control : NULL;
}

/* An allocator function is entered: remember its request if it is the outermost call. */
static __always_inline void enter_allocator(__u32 function, __u64 size, __u64 arg)
{
	struct tracked_thread *t = current_tracked();

	if (!t)
		return;
	if (t->alloc_depth++ == 0) {
		t->alloc_function = function;
		t->alloc_size = size;
		t->alloc_arg = arg;
	}
}

/* A block leaves the heap: if a counting slot allocated it, that slot sees it released. */
static __always_inline void release(__u64 address)
{
	struct live_allocation *block;
	struct slot_control *control;
	struct memory_stats *memory;
	__u32 slot;

	if (!address)
		return;
	block = bpf_map_lookup_elem(&live_allocations, &address);
	if (!block)
		return;
	slot = block->slot;
	control = slot_control_at(slot);
	memory = memory_of_slot(slot);
	/* after stop the block stays listed: it was outstanding when counting ended */
	if (!control || !control->open || !memory)
		return;
	__sync_fetch_and_add(&memory->frees, 1);
	__sync_fetch_and_add(&memory->freed_bytes, block->size);
	bpf_map_delete_elem(&live_allocations, &address);
}

/*
 * An allocator function returns `address` (0: it failed). Counts it if it was the outermost call
 * of a tracked thread whose slot counts native allocations, and remembers the block.
 */
static __always_inline void exit_allocator(__u64 address, bool failed)
{
	struct tracked_thread *t = current_tracked();
	struct live_allocation block = {};
	struct slot_control *control;
	struct memory_stats *memory;
	__u32 slot;

	/* depth 0: the call began before the thread was tracked */
	if (!t || t->alloc_depth == 0 || --t->alloc_depth > 0)
		return;
	control = native_slot(t);
	slot = t->slot;
	memory = memory_of_slot(slot);
	if (!control || !memory || t->alloc_function >= NATIVE_FUNCTIONS)
		return;
	__sync_fetch_and_add(&memory->calls[t->alloc_function], 1);
	if (failed || !address) {
		/* realloc(p, 0) frees p and returns NULL: not a failure */
		if (!(t->alloc_function == NATIVE_REALLOC && t->alloc_size == 0))
			__sync_fetch_and_add(&memory->failed_allocations, 1);
		return;
	}
	__sync_fetch_and_add(&memory->allocations, 1);
	__sync_fetch_and_add(&memory->allocated_bytes, t->alloc_size);
	record_value(control, slot, HIST_ALLOCATION_SIZE, t->alloc_size);
	block.size = t->alloc_size;
	block.slot = slot;
	block.tid = t->ns_tid;	/* as the JVM knows the thread, for its name */
	block.function = t->alloc_function;
	if (bpf_map_update_elem(&live_allocations, &address, &block, BPF_ANY) != 0)
		__sync_fetch_and_add(&memory->lost_allocations, 1);
}

/*
 * The return of every allocator function but free: one program, attached to each. Which call
 * returns is the thread's alloc_function; posix_memalign returns 0 or an error, and its block
 * through the out pointer it was given.
 */
SEC("uretprobe")
int BPF_KRETPROBE(allocator_exit, __u64 ret)
{
	struct tracked_thread *t = current_tracked();
	__u64 address = 0;
	int error = (int)ret;

	if (t && t->alloc_depth == 1 && t->alloc_function == NATIVE_POSIX_MEMALIGN) {
		if (!error)
			bpf_probe_read_user(&address, sizeof(address), (void *)t->alloc_arg);
		exit_allocator(address, error != 0);
		return 0;
	}
	exit_allocator(ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, __u64 size)
{
	enter_allocator(NATIVE_MALLOC, size, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, __u64 count, __u64 size)
{
	enter_allocator(NATIVE_CALLOC, count * size, 0);
	return 0;
}

/*
 * realloc(p, n) releases p when it succeeds. The release is taken at entry, for every thread
 * (untracked threads keep no per-call state): a realloc that fails, leaving p allocated, is rare
 * enough to ignore, and is counted as failed.
 */
SEC("uprobe")
int BPF_KPROBE(realloc_enter, __u64 old_address, __u64 size)
{
	release(old_address);
	enter_allocator(NATIVE_REALLOC, size, 0);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(free_enter, __u64 address)
{
	struct tracked_thread *t = current_tracked();
	struct memory_stats *memory;

	release(address);
	/* a free inside realloc(p, 0) is part of that realloc */
	if (!t || t->alloc_depth > 0 || !native_slot(t))
		return 0;
	memory = memory_of_slot(t->slot);
	if (memory)
		__sync_fetch_and_add(&memory->calls[NATIVE_FREE], 1);
	return 0;
}

/* int posix_memalign(void **out, size_t alignment, size_t size): 0 and *out on success. */
SEC("uprobe")
int BPF_KPROBE(posix_memalign_enter, __u64 out, __u64 alignment, __u64 size)
{
	enter_allocator(NATIVE_POSIX_MEMALIGN, size, out);
	return 0;
}

/* aligned_alloc(alignment, size); in glibc 2.36 also memalign, the same function. */
SEC("uprobe")
int BPF_KPROBE(aligned_alloc_enter, __u64 alignment, __u64 size)
{
	enter_allocator(NATIVE_ALIGNED_ALLOC, size, 0);
	return 0;
}

#endif
