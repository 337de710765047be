/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every family's HdrHistograms: system-call latency (by call), run-queue latency and off-CPU time
 * (HIST_RUN_QUEUE, HIST_OFF_CPU), allocation sizes (HIST_ALLOCATION_SIZE).
 *
 * A slot's buckets are entries of its own part of the mmap-able `histogram_counts` array, taken
 * in the order values first fall into them; the `histogram_index` hash finds a (slot, histogram,
 * bucket)'s entry. User space reads a slot's histograms from memory, entry by entry up to
 * slot_control.histogram_entries, with no system call, and deletes exactly the slot's keys from
 * the hash in one batch. (A hash of counts, read with batch lookups, made the kernel walk all its
 * 65,536 buckets for every test: half of reading a test's metrics.)
 */
#ifndef HISTOGRAMS_BPF_H
#define HISTOGRAMS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct latency_key);
	__type(value, __u64);			/* the bucket's position in its slot's histogram_counts */
} histogram_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_SLOTS * HISTOGRAM_ENTRIES);
	__type(key, __u32);			/* slot * HISTOGRAM_ENTRIES + position */
	__type(value, struct histogram_count);
} histogram_counts SEC(".maps");

static __always_inline struct histogram_count *histogram_count_at(__u32 slot, __u64 position)
{
	__u32 key;

	if (position >= HISTOGRAM_ENTRIES)
		return NULL;
	key = slot * HISTOGRAM_ENTRIES + (__u32)position;
	return bpf_map_lookup_elem(&histogram_counts, &key);
}

/*
 * Records one value in histogram `nr` of the slot; a value that finds the slot's entries (or the
 * index) full is counted as dropped. Two CPUs may see a new bucket at once: both take an entry,
 * one indexes it, the other adds to that one and leaves its own at count 0 (user space skips it).
 */
static __always_inline void record_value(struct slot_control *control, __u32 slot, __u16 nr, __u64 value)
{
	struct latency_key key = { .slot = slot, .nr = nr, .index = hdr_index(value) };
	struct histogram_count *bucket;
	__u64 *position, taken;

	position = bpf_map_lookup_elem(&histogram_index, &key);
	if (!position) {
		taken = __sync_fetch_and_add(&control->histogram_entries, 1);
		bucket = histogram_count_at(slot, taken);
		if (!bucket) {
			__sync_fetch_and_add(&control->dropped_latencies, 1);
			return;
		}
		bucket->nr = nr;
		bucket->index = key.index;
		if (bpf_map_update_elem(&histogram_index, &key, &taken, BPF_NOEXIST) == 0) {
			__sync_fetch_and_add(&bucket->count, 1);
			return;
		}
		position = bpf_map_lookup_elem(&histogram_index, &key);	/* another CPU indexed it first */
		if (!position) {
			__sync_fetch_and_add(&control->dropped_latencies, 1);	/* the index is full */
			return;
		}
	}
	bucket = histogram_count_at(slot, *position);
	if (bucket)
		__sync_fetch_and_add(&bucket->count, 1);
}

#endif
