/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's types, declared only as far as the programs read them: CO-RE relocates every
 * field's offset at load, so these need not match any one kernel's layout.
 */
#ifndef KERNEL_TYPES_BPF_H
#define KERNEL_TYPES_BPF_H

#include <linux/types.h>
#include "kerneltrace.h"

/*
 * The registers a task entered the kernel with; x86_64 and arm64 both name the stack pointer sp.
 * (The ___kt suffix, which CO-RE ignores, keeps clear of <asm/ptrace.h>'s user-space pt_regs.)
 */
struct pt_regs___kt {
	unsigned long sp;
} __attribute__((preserve_access_index));

/* A signal's disposition: SIG_DFL (0), SIG_IGN (1) or the handler's address. */
struct sigaction___kt {
	void *sa_handler;
} __attribute__((preserve_access_index));

struct k_sigaction___kt {
	struct sigaction___kt sa;
} __attribute__((preserve_access_index));

struct sched_entity {
	__u64 sum_exec_runtime;
} __attribute__((preserve_access_index));

struct sched_info {
	unsigned long long run_delay;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next;
} __attribute__((preserve_access_index));

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct pid_namespace {
	struct ns_common ns;
} __attribute__((preserve_access_index));

/* A task's id in one PID namespace: struct pid holds one per level, the initial namespace first. */
struct upid {
	int nr;
	struct pid_namespace *ns;
} __attribute__((preserve_access_index));

struct pid {
	unsigned int level;
	struct upid numbers[1];
} __attribute__((preserve_access_index));

struct signal_struct {
	struct list_head thread_head;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	int on_cpu;
	char comm[TASK_COMM_LEN];
	struct sched_entity se;
	struct sched_info sched_info;
	unsigned long min_flt;
	unsigned long maj_flt;
	struct mm_struct *mm;
	struct pid *thread_pid;
	struct signal_struct *signal;
	struct list_head thread_node;
} __attribute__((preserve_access_index));

#endif
