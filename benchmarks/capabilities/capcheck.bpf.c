// SPDX-License-Identifier: GPL-2.0
// One program (or map) per probe kind; capcheck.c loads each alone and attaches it, as a given
// set of capabilities allows. Each program counts its hits from the checking process only.
#include <stdbool.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid;
__u64 hits;

static __always_inline int hit(void)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("tp_btf/sys_enter") int on_tp_btf(void *ctx) { return hit(); }
SEC("raw_tp/sys_enter") int on_raw_tp(void *ctx) { return hit(); }
SEC("uprobe") int on_uprobe(void *ctx) { return hit(); }
SEC("uretprobe") int on_uretprobe(void *ctx) { return hit(); }
SEC("usdt") int BPF_USDT(on_usdt) { return hit(); }
SEC("tracepoint") int on_tracepoint(void *ctx) { return hit(); }
SEC("kprobe") int on_kprobe(void *ctx) { return hit(); }
SEC("perf_event") int on_perf_event(void *ctx) { return hit(); }
SEC("fentry/do_nanosleep") int BPF_PROG(on_fentry) { return hit(); }

struct { __uint(type, BPF_MAP_TYPE_TASK_STORAGE); __uint(map_flags, BPF_F_NO_PREALLOC);
	 __type(key, int); __type(value, __u64); } task_storage SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } ring_buffer SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16); __type(key, int); __type(value, __u64); } hash SEC(".maps");
