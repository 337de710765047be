// SPDX-License-Identifier: Apache-2.0
/*
 * Prints the sizes and offsets of the structs in kerneltrace.h that Java reads, and the #defines it mirrors, as
 * `struct.field=bytes` lines: bpf/build.sh compiles this for the host (the same LP64 layout as
 * the BPF target: fixed-width fields, natural alignment) and writes the output to probes'
 * bpf/layout.properties, which SlotLayoutTest compares with SlotLayout's constants.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "kerneltrace.h"

#define SIZE(type) printf(#type "=%zu\n", sizeof(struct type))
#define FIELD(type, field) printf(#type "." #field "=%zu\n", offsetof(struct type, field))
#define CONSTANT(name) printf("constant." #name "=%lu\n", (unsigned long)(name))

int main(void)
{
	SIZE(tracked_thread);
	FIELD(tracked_thread, slot);
	FIELD(tracked_thread, flags);
	FIELD(tracked_thread, sched_ns);
	FIELD(tracked_thread, sched_state);
	FIELD(tracked_thread, ns_tid);

	SIZE(slot_control);
	FIELD(slot_control, open);
	FIELD(slot_control, flags);
	FIELD(slot_control, followed_children);
	FIELD(slot_control, dropped_latencies);
	FIELD(slot_control, dropped_errors);
	FIELD(slot_control, unmatched_exits);
	FIELD(slot_control, restarts);
	FIELD(slot_control, lost_children);
	FIELD(slot_control, start_ns);
	FIELD(slot_control, stop_ns);
	FIELD(slot_control, start_tid);
	FIELD(slot_control, start_runtime);
	FIELD(slot_control, stop_runtime);
	FIELD(slot_control, start_run_delay);
	FIELD(slot_control, stop_run_delay);
	FIELD(slot_control, start_min_flt);
	FIELD(slot_control, stop_min_flt);
	FIELD(slot_control, start_maj_flt);
	FIELD(slot_control, stop_maj_flt);
	FIELD(slot_control, exited_threads);
	FIELD(slot_control, borrowed_threads);
	FIELD(slot_control, borrowed_wakeups);
	FIELD(slot_control, unfollowed_threads);
	FIELD(slot_control, foreign_wakers);
	FIELD(slot_control, start_seen);
	FIELD(slot_control, outside_switches);
	FIELD(slot_control, signal_handler_calls);
	FIELD(slot_control, histogram_entries);
	FIELD(slot_control, runner_name);
	FIELD(slot_control, runner_handoffs);

	SIZE(identity);
	FIELD(identity, request);
	FIELD(identity, answer);
	FIELD(identity, ns_inum);
	FIELD(identity, ns_tid);
	FIELD(identity, list_threads);
	FIELD(identity, level);
	FIELD(identity, tgid);
	FIELD(identity, tid);
	FIELD(identity, listed);
	FIELD(identity, complete);
	FIELD(identity, threads);

	SIZE(config);
	FIELD(config, byte_counting_syscalls);
	FIELD(config, address_space_syscalls);
	FIELD(config, page_size);
	FIELD(config, uretprobe_syscall);
	FIELD(config, futex_syscall);
	FIELD(config, rt_sigreturn_syscall);
	FIELD(config, jvm_internal_threads);

	SIZE(syscall_stats);
	FIELD(syscall_stats, calls);
	FIELD(syscall_stats, errors);
	FIELD(syscall_stats, bytes);

	SIZE(sched_stats);
	FIELD(sched_stats, voluntary_switches);
	FIELD(sched_stats, involuntary_switches);
	FIELD(sched_stats, migrations);
	FIELD(sched_stats, wakeups);
	FIELD(sched_stats, on_cpu_ns);
	FIELD(sched_stats, run_queue_ns);
	FIELD(sched_stats, off_cpu_ns);
	FIELD(sched_stats, inferred_wakeups);
	SIZE(memory_stats);
	FIELD(memory_stats, calls);
	FIELD(memory_stats, allocations);
	FIELD(memory_stats, allocated_bytes);
	FIELD(memory_stats, frees);
	FIELD(memory_stats, freed_bytes);
	FIELD(memory_stats, failed_allocations);
	FIELD(memory_stats, lost_allocations);
	FIELD(memory_stats, minor_faults);
	FIELD(memory_stats, major_faults);
	FIELD(memory_stats, mapped_bytes);
	FIELD(memory_stats, unmapped_bytes);

	SIZE(live_allocation);
	FIELD(live_allocation, size);
	FIELD(live_allocation, slot);
	FIELD(live_allocation, tid);
	FIELD(live_allocation, function);

	SIZE(handoff_names);
	FIELD(handoff_names, borrowed);
	FIELD(handoff_names, uncounted);
	FIELD(handoff_names, foreign);

	SIZE(latency_key);
	SIZE(histogram_count);
	FIELD(histogram_count, nr);
	FIELD(histogram_count, index);
	FIELD(histogram_count, count);
	SIZE(error_key);
	SIZE(foreign_key);

	/* the #defines Java mirrors: capacities, flags, reserved histogram numbers */
	CONSTANT(MAX_SLOTS);
	CONSTANT(MAX_SYSCALLS);
	CONSTANT(TRACK_FOLLOW_CHILDREN);
	CONSTANT(TRACK_FOLLOW_HANDOFFS);
	CONSTANT(TRACK_BORROWED);
	CONSTANT(TRACK_IDLE);
	CONSTANT(SLOT_LATENCY);
	CONSTANT(SLOT_NATIVE_ALLOCATIONS);
	CONSTANT(SLOT_CAPTURE_START_FAULTS);
	CONSTANT(MAX_LISTED_THREADS);
	CONSTANT(JVM_INTERNAL_THREADS);
	CONSTANT(TASK_COMM_LEN);
	CONSTANT(PROCESS_FILTER_SIZE);
	CONSTANT(SCHED_RUNNING);
	CONSTANT(HIST_RUN_QUEUE);
	CONSTANT(HIST_OFF_CPU);
	CONSTANT(HIST_ALLOCATION_SIZE);
	CONSTANT(NATIVE_FUNCTIONS);
	CONSTANT(HANDOFF_NAMES);
	CONSTANT(HISTOGRAM_ENTRIES);

	/* declared probes */
	SIZE(declared_slot);
	FIELD(declared_slot, generation);
	FIELD(declared_slot, hits);
	CONSTANT(MAX_DECLARED_PROBES);
	CONSTANT(HIST_DECLARED_BASE);
	CONSTANT(DECLARED_HOST);

	/* heap of threads that end inside the window (exited_heap.bpf.h) */
	SIZE(hotspot_offsets);
	FIELD(hotspot_offsets, thread_pointer);
	FIELD(hotspot_offsets, osthread);
	FIELD(hotspot_offsets, thread_id);
	FIELD(hotspot_offsets, allocated_bytes);
	FIELD(hotspot_offsets, tlab_start);
	FIELD(hotspot_offsets, tlab_top);
	FIELD(hotspot_offsets, ready);
	SIZE(exited_heap);
	FIELD(exited_heap, bytes);
	FIELD(exited_heap, threads);
	FIELD(exited_heap, unreadable);
	CONSTANT(TRACK_HEAP_COUNTED);

	/* JVM events (jvm.bpf.h) */
	SIZE(jvm_stats);
	FIELD(jvm_stats, counting);
	FIELD(jvm_stats, events);
	FIELD(jvm_stats, nanos);
	FIELD(jvm_stats, full_gcs);
	CONSTANT(JVM_EVENT_KINDS);
	CONSTANT(HIST_JVM_GC_PAUSE);
	CONSTANT(HIST_JVM_SAFEPOINT);
	CONSTANT(HIST_JVM_PARK);
	CONSTANT(HIST_JVM_SLEEP);
	return 0;
}
