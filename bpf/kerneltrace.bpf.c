// SPDX-License-Identifier: Apache-2.0
/*
 * KernelTrace's BPF programs: per-test system-call, scheduler and memory metrics for the threads a
 * test has registered (and, when asked, the threads and processes they create).
 *
 * Every program exists twice: tp_btf (preferred) and raw_tp (fallback); the loader switches off
 * the variant the kernel cannot load. Both receive the tracepoint's raw arguments as an array
 * of u64, so they share one body. The uprobes on the C library's allocator are in memory.bpf.h.
 *
 * One header per family, each defining its own maps and including what it uses:
 *   common.bpf.h      settings (config), kernel types, small helpers; no maps
 *   tracking.bpf.h    which threads count for which slot; slot control records
 *   histograms.bpf.h  the HdrHistogram buckets every family records into
 *   pidns.bpf.h       thread ids across PID namespaces (the identity request)
 *   syscalls.bpf.h    system calls (core): sys_enter, sys_exit
 *   signals.bpf.h     system calls inside signal handlers, set apart (core): signal_deliver
 *   follow.bpf.h      threads a test creates or hands work to (core): fork, exit, task_rename, sched_waking
 *   sched.bpf.h       scheduler: sched_switch, sched_wakeup(_new), sched_migrate_task
 *   memory.bpf.h      memory: the allocator uprobes; address space and page-fault sums
 */
#include "common.bpf.h"
#include "syscalls.bpf.h"
#include "sched.bpf.h"
#include "follow.bpf.h"
#include "memory.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int tp_btf_sys_enter(__u64 *ctx) { return on_sys_enter(ctx); }
SEC("tp_btf/sys_exit")
int tp_btf_sys_exit(__u64 *ctx) { return on_sys_exit(ctx); }
SEC("tp_btf/sched_process_fork")
int tp_btf_fork(__u64 *ctx) { return on_fork(ctx); }
SEC("tp_btf/sched_process_exit")
int tp_btf_exit(__u64 *ctx) { on_thread_exit(); return on_exit(); }

SEC("tp_btf/task_rename")
int tp_btf_rename(__u64 *ctx) { return on_task_rename(ctx); }

SEC("tp_btf/signal_deliver")
int tp_btf_signal_deliver(__u64 *ctx) { return on_signal_deliver(ctx); }

SEC("tp_btf/sched_switch")
int tp_btf_sched_switch(__u64 *ctx) { return on_sched_switch(ctx); }
SEC("tp_btf/sched_wakeup")
int tp_btf_sched_wakeup(__u64 *ctx) { return on_sched_wakeup(ctx); }
SEC("tp_btf/sched_wakeup_new")
int tp_btf_sched_wakeup_new(__u64 *ctx) { return on_sched_wakeup(ctx); }
SEC("tp_btf/sched_waking")
int tp_btf_sched_waking(__u64 *ctx) { return on_sched_waking(ctx); }
SEC("tp_btf/sched_migrate_task")
int tp_btf_sched_migrate(__u64 *ctx) { return on_sched_migrate(ctx); }

SEC("raw_tp/sys_enter")
int raw_tp_sys_enter(__u64 *ctx) { return on_sys_enter(ctx); }
SEC("raw_tp/sys_exit")
int raw_tp_sys_exit(__u64 *ctx) { return on_sys_exit(ctx); }
SEC("raw_tp/sched_process_fork")
int raw_tp_fork(__u64 *ctx) { return on_fork(ctx); }
SEC("raw_tp/sched_process_exit")
int raw_tp_exit(__u64 *ctx) { on_thread_exit(); return on_exit(); }
SEC("raw_tp/task_rename")
int raw_tp_rename(__u64 *ctx) { return on_task_rename(ctx); }
SEC("raw_tp/signal_deliver")
int raw_tp_signal_deliver(__u64 *ctx) { return on_signal_deliver(ctx); }
SEC("raw_tp/sched_switch")
int raw_tp_sched_switch(__u64 *ctx) { return on_sched_switch(ctx); }
SEC("raw_tp/sched_wakeup")
int raw_tp_sched_wakeup(__u64 *ctx) { return on_sched_wakeup(ctx); }
SEC("raw_tp/sched_wakeup_new")
int raw_tp_sched_wakeup_new(__u64 *ctx) { return on_sched_wakeup(ctx); }
SEC("raw_tp/sched_waking")
int raw_tp_sched_waking(__u64 *ctx) { return on_sched_waking(ctx); }
SEC("raw_tp/sched_migrate_task")
int raw_tp_sched_migrate(__u64 *ctx) { return on_sched_migrate(ctx); }

/* Declared probes (declared.bpf.h): one generic program per kind, told apart by the attach cookie. */
#include "declared.bpf.h"

SEC("uprobe")
int declared_uprobe(struct pt_regs *ctx) { return declared_enter(bpf_get_attach_cookie(ctx)); }
SEC("uretprobe")
int declared_uretprobe(struct pt_regs *ctx) { return declared_return(bpf_get_attach_cookie(ctx)); }
SEC("kprobe")
int declared_kprobe(struct pt_regs *ctx) { return declared_enter(bpf_get_attach_cookie(ctx)); }
SEC("kretprobe")
int declared_kretprobe(struct pt_regs *ctx) { return declared_return(bpf_get_attach_cookie(ctx)); }
SEC("usdt")
int BPF_USDT(declared_usdt) { return declared_hit(bpf_usdt_cookie(ctx)); }
/*
 * The kernel attaches a program to a classic tracepoint once (a second link of the same program to
 * the same tracepoint: EEXIST), so the tracepoint program has copies: a test declaring a tracepoint
 * another test (or a link still being detached) holds takes a free copy. MAX_DECLARED_PROBES of them.
 */
#define DECLARED_TRACEPOINT(i) \
	SEC("tracepoint") \
	int declared_tracepoint_##i(void *ctx) { return declared_hit(bpf_get_attach_cookie(ctx)); }
DECLARED_TRACEPOINT(0)
DECLARED_TRACEPOINT(1)
DECLARED_TRACEPOINT(2)
DECLARED_TRACEPOINT(3)
DECLARED_TRACEPOINT(4)
DECLARED_TRACEPOINT(5)
DECLARED_TRACEPOINT(6)
DECLARED_TRACEPOINT(7)
DECLARED_TRACEPOINT(8)
DECLARED_TRACEPOINT(9)
DECLARED_TRACEPOINT(10)
DECLARED_TRACEPOINT(11)
DECLARED_TRACEPOINT(12)
DECLARED_TRACEPOINT(13)
DECLARED_TRACEPOINT(14)
DECLARED_TRACEPOINT(15)

/* Heap of threads that end inside a test's window (exited_heap.bpf.h): HotSpot's USDT probe. */
#include "exited_heap.bpf.h"

SEC("usdt")
int BPF_USDT(java_thread_stop_heap, void *name, long len, long java_tid, long native_tid, long daemon)
{
	return on_java_thread_stop(native_tid);
}

/* JVM events (jvm.bpf.h): HotSpot's USDT probes, the event (JVM_*) in the attach cookie */
#include "jvm.bpf.h"
SEC("usdt")
int BPF_USDT(jvm_gc_begin, long full) { return jvm_begin(JVM_GC, full != 0); }
SEC("usdt")
int BPF_USDT(jvm_begin_event) { return jvm_begin((__u32)bpf_usdt_cookie(ctx), false); }
SEC("usdt")
int BPF_USDT(jvm_end_event) { return jvm_end((__u32)bpf_usdt_cookie(ctx)); }
SEC("usdt")
int BPF_USDT(jvm_single_event) { return jvm_event((__u32)bpf_usdt_cookie(ctx)); }
