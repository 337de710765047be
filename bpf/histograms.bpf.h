/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one map that holds every family's HdrHistograms: system-call latency (by call), run-queue
 * latency and off-CPU time (HIST_RUN_QUEUE, HIST_OFF_CPU), allocation sizes (HIST_ALLOCATION_SIZE).
 * Sparse: a (slot, histogram, bucket) key exists once a value fell into that bucket.
 */
#ifndef HISTOGRAMS_BPF_H
#define HISTOGRAMS_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, struct latency_key);
	__type(value, __u64);
} latency_buckets SEC(".maps");

/* Records one value in histogram `nr` of the slot; a value that finds the map full is counted as dropped. */
static __always_inline void record_value(struct slot_control *control, __u32 slot, __u16 nr, __u64 value)
{
	struct latency_key key = { .slot = slot, .nr = nr, .index = hdr_index(value) };

	if (!increment(&latency_buckets, &key))
		__sync_fetch_and_add(&control->dropped_latencies, 1);
}

#endif
