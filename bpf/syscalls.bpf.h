/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-test system-call metrics: calls, failures by errno, bytes moved and an HdrHistogram of
 * entry-to-exit latency per system call. Included once, by kerneltrace.bpf.c.
 */
#ifndef SYSCALLS_BPF_H
#define SYSCALLS_BPF_H

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
static __always_inline void add_address_space_change(struct tracked_thread *t)
{
	struct memory_stats *memory;
	__u32 slot = t->slot;
	__u64 before = t->total_vm_at_enter, after = current_total_vm();

	memory = bpf_map_lookup_elem(&memory_stats, &slot);
	if (!memory || after == before)
		return;
	if (after > before)
		__sync_fetch_and_add(&memory->mapped_bytes, (after - before) * config.page_size);
	else
		__sync_fetch_and_add(&memory->unmapped_bytes, (before - after) * config.page_size);
}

static __always_inline int on_sys_enter(__u64 *ctx)
{
	struct tracked_thread *t;
	struct slot_control *control;
	struct syscall_stats *stats;
	__u32 key;

	answer_identity();
	t = current_tracked();
	if (!t)
		return 0;
	control = open_slot(t);
	if (!control) {
		t->enter_ns = 0;
		close_running_interval(t);	/* first: it must not take a restart's call for a stop's */
		capture_start_faults(t);
		return 0;
	}
	t->nr = (__s64)ctx[1];
	if (t->nr == config.uretprobe_syscall) {
		t->enter_ns = 0;
		return 0;
	}
	key = t->slot * MAX_SYSCALLS + clamp_nr(t->nr);
	stats = bpf_map_lookup_elem(&syscall_stats, &key);
	if (stats)
		__sync_fetch_and_add(&stats->calls, 1);
	if (syscall_in(config.address_space_syscalls, clamp_nr(t->nr)))
		t->total_vm_at_enter = current_total_vm();
	/* enter_ns doubles as "a call is in flight": without latency, any non-zero value */
	t->enter_ns = control->flags & SLOT_LATENCY ? bpf_ktime_get_ns() : 1;
	return 0;
}

static __always_inline int on_sys_exit(__u64 *ctx)
{
	struct tracked_thread *t = current_tracked();
	struct slot_control *control;
	struct syscall_stats *stats;
	__u64 now, enter_ns;
	__s64 ret;
	__u32 nr, key;

	if (!t)
		return 0;
	control = open_slot(t);
	enter_ns = t->enter_ns;
	t->enter_ns = 0;
	if (!control)
		return 0;
	if (!enter_ns) {
		if (t->nr != config.uretprobe_syscall)
			__sync_fetch_and_add(&control->unmatched_exits, 1);
		return 0;
	}
	nr = clamp_nr(t->nr);
	ret = (__s64)ctx[1];
	key = t->slot * MAX_SYSCALLS + nr;
	stats = bpf_map_lookup_elem(&syscall_stats, &key);
	if (!stats)
		return 0;
	if (syscall_in(config.address_space_syscalls, nr))
		add_address_space_change(t);
	now = control->flags & SLOT_LATENCY ? bpf_ktime_get_ns() : 0;
	if (now > enter_ns) {
		struct latency_key lk = { .slot = t->slot, .nr = nr, .index = hdr_index(now - enter_ns) };

		if (!increment(&latency_buckets, &lk))
			__sync_fetch_and_add(&control->dropped_latencies, 1);
	}
	if (ret < 0 && ret >= -4095) {
		if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK) {
			__sync_fetch_and_add(&control->restarts, 1);
		} else {
			struct error_key ek = { .slot = t->slot, .nr = nr, .err = (__u16)-ret };

			__sync_fetch_and_add(&stats->errors, 1);
			if (!increment(&error_counts, &ek))
				__sync_fetch_and_add(&control->dropped_errors, 1);
		}
	} else if (ret > 0 && syscall_in(config.byte_counting_syscalls, nr)) {
		__sync_fetch_and_add(&stats->bytes, (__u64)ret);
	}
	return 0;
}

#endif
