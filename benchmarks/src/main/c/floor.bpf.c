// SPDX-License-Identifier: Apache-2.0
// The floor: programs that only compare the thread id with a constant. What any BPF program
// costs on sys_enter + sys_exit (per system call) and on an allocator uprobe or uretprobe (per
// hit) on this machine, before it does any work; SyscallOverhead and NativeAllocationOverhead
// measure it next to KernelTrace's programs.
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tid = 0;

SEC("raw_tp/sys_enter")
int floor_sys_enter(void *ctx)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

SEC("raw_tp/sys_exit")
int floor_sys_exit(void *ctx)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

/*
 * The floor plus what timing a call needs at least: a clock read at entry and one at exit (for
 * every thread, as the floor's compare; the reads cannot be optimised away: helpers are opaque).
 * What latency costs on this machine before any bookkeeping: a VM's clock can cost several times
 * what bare metal's does.
 */
SEC("raw_tp/sys_enter")
int floor_clock_sys_enter(void *ctx)
{
	return bpf_ktime_get_ns() == target_tid;
}

SEC("raw_tp/sys_exit")
int floor_clock_sys_exit(void *ctx)
{
	return bpf_ktime_get_ns() == target_tid;
}

SEC("uprobe")
int floor_uprobe(void *ctx)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}

SEC("uretprobe")
int floor_uretprobe(void *ctx)
{
	return (__u32)bpf_get_current_pid_tgid() == target_tid;
}
