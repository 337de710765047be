/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every family's header uses: the headers of libbpf and of the structs shared with Java, the
 * kernel's types, the programs' settings (config) and a few small helpers. No maps: each family's
 * header defines its own.
 */
#ifndef COMMON_BPF_H
#define COMMON_BPF_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "kerneltrace.h"
#include "hdr_index.h"
#include "kernel_types.bpf.h"

/*
 * Set by user space before load. It must stay the object's only .rodata variable, so that it
 * starts at offset 0 where Java writes it (no other `const volatile` global anywhere).
 */
const volatile struct config config = {};

/* Whether bit `nr` is set in one of config's per-system-call bitmaps. */
static __always_inline bool syscall_in(const volatile __u64 *bitmap, __u32 nr)
{
	__u32 word = nr / 64;

	/* the check the verifier needs: clang knows nr < MAX_SYSCALLS and would drop it otherwise */
	barrier_var(word);
	if (word >= MAX_SYSCALLS / 64)
		return false;
	return (bitmap[word] >> (nr % 64)) & 1;
}

/* A system call's number as the per-slot arrays index it: unknown and out-of-range ones share the last. */
static __always_inline __u32 clamp_nr(__s64 nr)
{
	return nr >= 0 && nr < MAX_SYSCALLS ? (__u32)nr : OTHER_SYSCALL;
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* Adds one to a counter in a sparse hash; returns false when the hash is full. */
static __always_inline bool increment(void *map, const void *key)
{
	__u64 one = 1, *count = bpf_map_lookup_elem(map, key);

	if (count) {
		__sync_fetch_and_add(count, 1);
		return true;
	}
	if (bpf_map_update_elem(map, key, &one, BPF_NOEXIST) == 0)
		return true;
	/* another CPU created it between our lookup and update */
	count = bpf_map_lookup_elem(map, key);
	if (!count)
		return false;
	__sync_fetch_and_add(count, 1);
	return true;
}

#endif
