/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between the BPF programs and the Java reader (probes/.../SlotLayout.java): every struct
 * here is read byte by byte from Java. bpf/build.sh writes their sizes and offsets (bpf/layout.c)
 * to probes' bpf/layout.properties, and SlotLayoutTest fails when a Java constant differs from it;
 * `bpf/build.sh --check` fails when the committed file is stale. The sizes are also asserted below,
 * so that a change here is a deliberate change of both numbers.
 */
#ifndef KERNELTRACE_H
#define KERNELTRACE_H

#include <linux/types.h>

/* Concurrent traced tests per JVM. A slot is one test's set of counters. */
#define MAX_SLOTS 64
/* System-call numbers at or above this are counted under OTHER_SYSCALL. */
#define MAX_SYSCALLS 512
#define OTHER_SYSCALL (MAX_SYSCALLS - 1)

/*
 * HdrHistogram layout with 2 significant digits and a lowest value of 1 ns:
 * 256 sub-buckets per bucket, of which the upper half (128) is new in each bucket.
 * Relative error at most 1/128 (0.78%).
 */
#define HDR_SUB_BUCKET_HALF_MAGNITUDE 7

/* tracked_thread.flags */
#define TRACK_FOLLOW_CHILDREN 1u
#define TRACK_RUNTIME_KNOWN 2u	/* runtime_at_out is the task's run time at a known point */
#define TRACK_FOLLOW_HANDOFFS 4u	/* threads of its process it wakes from a futex call work for its slot (follow.bpf.h) */
#define TRACK_BORROWED 8u	/* existed before its slot's test and was woken to work for it */
#define TRACK_IDLE 16u		/* listed only: every program treats it as untracked until a tracked thread wakes it */
#define TRACK_CHILD 32u		/* added by following a fork of one of its slot's threads (follow.bpf.h) */

/* slot_control.flags */
#define SLOT_LATENCY 1u		/* time each call: costs two clock reads and a histogram update per call */
#define SLOT_NATIVE_ALLOCATIONS 2u	/* count malloc & co. (the uprobes are attached only for such slots) */
#define SLOT_CAPTURE_START_FAULTS 4u	/* the counting thread's next system call records its faults as start_*_flt */

/* How many threads of the JVM one identity request can list (identity.threads). */
#define MAX_LISTED_THREADS 1024
/* HotSpot's own threads (by kernel name prefix) that a test's wake-ups never hand work to. */
#define JVM_INTERNAL_THREADS 32
#define TASK_COMM_LEN 16

/*
 * Processes whose threads may be tracked, by tgid % PROCESS_FILTER_SIZE. Checked before the
 * thread lookup, so that every other process on the host pays one array load per event.
 */
#define PROCESS_FILTER_SIZE 1024

/* The kernel returns these from interrupted calls that it then restarts. */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

/* tracked_thread.sched_state: where the thread is, since sched_ns */
#define SCHED_UNKNOWN 0		/* not seen by the scheduler programs since it was tracked */
#define SCHED_RUNNING 1		/* on a CPU */
#define SCHED_QUEUED 2		/* runnable, waiting in a run queue (woken, or preempted) */
#define SCHED_BLOCKED 3		/* sleeping: switched out in a non-running state */

/* Value of the `tracked` hash (key: kernel thread id). */
struct tracked_thread {
	__u32 slot;
	__u32 flags;
	__s64 nr;		/* system call in flight, valid when enter_ns != 0 */
	__u64 enter_ns;		/* 0: no call in flight (e.g. a clone child's first return) */
	__u64 sched_ns;		/* when the thread entered sched_state (CLOCK_MONOTONIC) */
	__u32 sched_state;	/* SCHED_* */
	__u32 ns_tid;		/* the thread's id in the JVM's PID namespace, as user space knows it (0: not visible there) */
	__u64 runtime_at_out;	/* the kernel's se.sum_exec_runtime at the last switch-out (TRACK_RUNTIME_KNOWN) */
	__u64 run_delay_at_out;	/* the kernel's sched_info.run_delay at the last switch-out (likewise) */
	__u64 min_flt_at_out;	/* the kernel's min_flt at the last switch-out (likewise) */
	__u64 maj_flt_at_out;	/* the kernel's maj_flt at the last switch-out (likewise) */
	__u64 total_vm_at_enter;/* mm->total_vm (pages) when an address-space call in flight began */
	/* The allocator call in flight (memory.bpf.h): only the outermost of nested calls counts. */
	__u64 alloc_size;	/* bytes asked for */
	__u64 alloc_arg;	/* posix_memalign's out pointer */
	__u32 alloc_depth;	/* allocator calls in flight on this thread */
	__u32 alloc_function;	/* NATIVE_* of the outermost one */
};

/* One per slot, in the mmap-able `slot_control` array. User space writes `open`. */
struct slot_control {
	__u32 open;			/* counting only while 1: brackets the test method exactly */
	__u32 flags;			/* SLOT_* */
	__u64 followed_children;	/* threads and processes added by following clone/fork */
	__u64 dropped_latencies;	/* histogram values lost: the slot's histogram_counts (or histogram_index) was full */
	__u64 dropped_errors;		/* failures lost because error_counts was full */
	__u64 unmatched_exits;		/* exits with no entry seen: clone children, calls begun before the slot opened */
	__u64 restarts;			/* calls interrupted with -ERESTART* that the kernel restarts */
	__u64 lost_children;		/* children not followed because `tracked` was full */
	/*
	 * Scheduler time window (CLOCK_MONOTONIC), written by user space: durations are clipped to
	 * [start_ns, stop_ns], or [start_ns, now] while stop_ns is 0. 0/0: never started.
	 */
	__u64 start_ns;
	__u64 stop_ns;
	/*
	 * The counting thread's own run time (the kernel's sum_exec_runtime, read by user space from
	 * /proc/thread-self/schedstat) at start and at stop: its on-CPU time is the kernel's figure.
	 */
	__u64 start_tid;
	__u64 start_runtime;
	__u64 stop_runtime;
	__u64 start_run_delay;		/* its run-queue wait, recorded by the programs with the faults below */
	__u64 stop_run_delay;
	/*
	 * Likewise for its page faults, recorded by the programs from the task itself: at start, at
	 * the system call user space makes after setting SLOT_CAPTURE_START_FAULTS; at stop, at the
	 * one it makes after stop_runtime (close_running_interval). 0: not recorded yet.
	 */
	__u64 start_min_flt;
	__u64 stop_min_flt;
	__u64 start_maj_flt;
	__u64 stop_maj_flt;
	__u64 exited_threads;		/* tracked threads of the JVM's process that ended since the start */
	/*
	 * Work handed to threads that existed before the test (follow.bpf.h): threads of the JVM a
	 * thread of the slot woke from a futex call while counting.
	 */
	__u64 borrowed_threads;		/* followed: they count for the slot from then until it stops tracking */
	__u64 borrowed_wakeups;		/* wake-ups of borrowed threads by the slot's threads: the hand-offs */
	__u64 unfollowed_threads;	/* not followed (the waker does not follow hand-offs): not counted */
	__u64 foreign_wakers;		/* threads the slot does not count that woke one of its threads from a futex wait */
	__u64 start_seen;		/* 1 once the programs saw the counting thread's start call: the canary */
	__u64 outside_switches;		/* switches of the slot's threads while it was not counting: the window's edges */
	__u64 signal_handler_calls;	/* system calls made inside signal handlers (a profiler's, the JVM's): not counted (signals.bpf.h) */
	__u64 histogram_entries;	/* entries of the slot's histogram_counts taken (may pass HISTOGRAM_ENTRIES: those were dropped) */
	/*
	 * Written by user space before the slot counts: the kernel name (comm, NUL-padded) shared by
	 * the threads that run tests when the counting thread is one of them (the workers of JUnit's
	 * ForkJoinPool under parallel execution, "ForkJoinPool-N-"). Such threads never count for the
	 * slot unless user space registers them (follow.bpf.h). All zero: none.
	 */
	__u64 runner_name[2];
	/*
	 * JUnit's workers (threads named runner_name) put to work by the slot's threads while counting:
	 * woken from a futex call, or started. Never counted (they run other tests), so work forked into
	 * JUnit's pool from the test (a parallel stream) would be missing without a word: user space
	 * reports these. Each worker once per slot (the foreign_wakers set, value 2).
	 */
	__u64 runner_handoffs;
};

/*
 * The one entry of the mmap-able `identity` array: how the JVM's thread ids, which are those of
 * its PID namespace (a container's), map to the kernel's, which the programs compare. User space
 * fills in a request and makes a system call; sys_enter answers it in that thread's context.
 */
struct identity {
	__u32 request;		/* user space: number of the pending request; answered when answer == request */
	__u32 answer;		/* BPF: number of the last request answered */
	__u32 ns_inum;		/* user space: inode number of the JVM's PID namespace (/proc/self/ns/pid) */
	__u32 ns_tid;		/* user space: the asking thread's gettid() */
	__u32 list_threads;	/* user space: also list every thread of the process in threads[] */
	__u32 level;		/* BPF: depth of the JVM's PID namespace (0: the initial one) */
	__u32 tgid;		/* BPF: the JVM's process id in the initial namespace */
	__u32 tid;		/* BPF: the asking thread's id in the initial namespace */
	__u32 listed;		/* BPF: entries of threads[] filled */
	__u32 complete;		/* BPF: 1 if threads[] holds every thread of the process */
	struct {
		__u32 ns_tid;
		__u32 tid;
	} threads[MAX_LISTED_THREADS];
};

/* The programs' settings, written by user space before load (.rodata). */
struct config {
	/* one bit per system call whose positive return is a byte count */
	__u64 byte_counting_syscalls[MAX_SYSCALLS / 64];
	/* one bit per system call that maps or unmaps address space: mmap, munmap, mremap, brk */
	__u64 address_space_syscalls[MAX_SYSCALLS / 64];
	__u64 page_size;
	/*
	 * uretprobe (x86_64, Linux 6.11+): the system call a uretprobe's return trampoline makes on
	 * every return through it; KernelTrace's own, never counted. MAX_SYSCALLS: none.
	 */
	__u32 uretprobe_syscall;
	/* futex: the call with which Java threads park and wake each other (follow.bpf.h) */
	__u32 futex_syscall;
	/* rt_sigreturn: how a signal handler returns (signals.bpf.h) */
	__u32 rt_sigreturn_syscall;
	__u32 reserved;
	/*
	 * Kernel-name prefixes of HotSpot's own threads (GC, JIT, VM), as the name's two 8-byte words
	 * under a mask that keeps the prefix's bytes; a zero mask ends the list. Whole-word compares
	 * keep the verifier's work (and so the load) small.
	 */
	struct {
		__u64 value[2];
		__u64 mask[2];
	} jvm_internal_threads[JVM_INTERNAL_THREADS];
};

/* One per (slot, system call), in the mmap-able `syscall_stats` array. */
struct syscall_stats {
	__u64 calls;		/* entries */
	__u64 errors;		/* exits with -4095..-1 except the -ERESTART* codes */
	__u64 bytes;		/* sum of positive returns, for calls marked in byte_counting_syscalls */
	__u64 reserved;		/* keeps the struct at 32 bytes; the latency sum is in the histogram */
};

/* One per slot, in the mmap-able `sched_stats` array: what the scheduler did to the slot's threads. */
struct sched_stats {
	__u64 voluntary_switches;	/* switched out while blocking (as /proc's voluntary_ctxt_switches) */
	__u64 involuntary_switches;	/* switched out while runnable: preempted, or yielded */
	__u64 migrations;		/* moved to another CPU (as /proc's se.nr_migrations) */
	__u64 wakeups;			/* woken from blocked */
	__u64 on_cpu_ns;		/* running */
	__u64 run_queue_ns;		/* runnable but waiting for a CPU */
	__u64 off_cpu_ns;		/* blocked (run-queue wait not included) */
	__u64 inferred_wakeups;		/* wake-ups not seen, inferred at switch-in (included in wakeups) */
};

/* Histogram numbers (histogram_count.nr) of the scheduler's and allocator's histograms; below MAX_SYSCALLS: a system call's latency. */
#define HIST_RUN_QUEUE 0xFFF0
#define HIST_OFF_CPU 0xFFF1
#define HIST_ALLOCATION_SIZE 0xFFF2

/* The C library's allocator functions, as counted in memory_stats.calls. */
#define NATIVE_MALLOC 0
#define NATIVE_CALLOC 1
#define NATIVE_REALLOC 2
#define NATIVE_FREE 3
#define NATIVE_POSIX_MEMALIGN 4
#define NATIVE_ALIGNED_ALLOC 5
#define NATIVE_FUNCTIONS 6

/* One per slot, in the mmap-able `memory_stats` array. */
struct memory_stats {
	__u64 calls[NATIVE_FUNCTIONS];	/* by NATIVE_*, outermost calls of the slot's threads */
	__u64 allocations;		/* successful allocations (a realloc that moves or resizes is one) */
	__u64 allocated_bytes;		/* bytes asked for by those allocations */
	__u64 frees;			/* the slot's allocations released, by any thread of the process */
	__u64 freed_bytes;		/* their bytes */
	__u64 failed_allocations;	/* NULL (or an error) returned */
	__u64 lost_allocations;		/* not remembered because live_allocations was full */
	__u64 minor_faults;		/* page faults served without I/O (as /proc's minflt) */
	__u64 major_faults;		/* page faults that waited for I/O (as /proc's majflt) */
	__u64 mapped_bytes;		/* address space added by mmap, mremap and brk */
	__u64 unmapped_bytes;		/* address space removed by munmap, mremap and brk */
};

/* Value of the `live_allocations` hash (key: the address returned). */
struct live_allocation {
	__u64 size;
	__u32 slot;
	__u32 tid;		/* the allocating thread's id in the JVM's PID namespace */
	__u32 function;		/* NATIVE_* */
	__u32 pad;
};

/* How many of the threads a slot's work was handed to it remembers by name. */
#define HANDOFF_NAMES 8

/* One per slot, in the mmap-able `handoff_names` array: the kernel names of the first such threads. */
struct handoff_names {
	char borrowed[HANDOFF_NAMES][TASK_COMM_LEN];	/* in the order of slot_control.borrowed_threads */
	char uncounted[HANDOFF_NAMES][TASK_COMM_LEN];	/* in the order of slot_control.unfollowed_threads */
	char foreign[HANDOFF_NAMES][TASK_COMM_LEN];	/* in the order of slot_control.foreign_wakers */
};

/* Key of the `histogram_index` hash; the value is a __u64 position in the slot's histogram_counts. */
struct latency_key {
	__u32 slot;
	__u16 nr;
	__u16 index;		/* HdrHistogram counts-array index */
};

/*
 * One bucket of one of a slot's histograms: HISTOGRAM_ENTRIES per slot in the mmap-able
 * `histogram_counts` array, taken in order (slot_control.histogram_entries), so that user space
 * reads a slot's histograms from memory instead of walking a shared hash.
 */
#define HISTOGRAM_ENTRIES 4096
struct histogram_count {
	__u16 nr;		/* the histogram: a system call's number, or HIST_* */
	__u16 index;		/* HdrHistogram counts-array index */
	__u32 reserved;
	__u64 count;		/* 0: an entry taken by a CPU that lost the race to index the bucket (skip it) */
};

/* Key of the `error_counts` hash; the value is a __u64 count. */
struct error_key {
	__u32 slot;
	__u16 nr;
	__u16 err;		/* positive errno */
};

/* Key of the `foreign_wakers` hash (value: a byte): a thread, by kernel id, that woke one of the slot's. */
struct foreign_key {
	__u32 slot;
	__u32 tid;
};

/*
 * Declared probes (declared.bpf.h): probes a test declares (@UserProbe, @UsdtProbe, @TracepointProbe,
 * @KernelProbe), served by one generic program per kind, told apart by the attach cookie:
 * bits 0-7 the slot, 8-15 the declaration's index, bit 16 DECLARED_HOST (count whatever thread
 * runs: events with no meaningful current task), bits 32-63 the slot's generation when attached.
 * A hit counts only while the slot's window is open and its generation is the cookie's: a link of
 * an earlier test, still being detached, finds the slot (reused) at a newer generation.
 */
#define MAX_DECLARED_PROBES 16
#define HIST_DECLARED_BASE 0xF000	/* the histogram of declaration i: HIST_DECLARED_BASE + i */
#define DECLARED_HOST 0x10000ull

/* One per slot, in the mmap-able `declared_slots` array. User space writes `generation`, then attaches. */
struct declared_slot {
	__u32 generation;
	__u32 pad;
	__u64 hits[MAX_DECLARED_PROBES];	/* by declaration index */
};

_Static_assert(sizeof(struct declared_slot) == 8 + MAX_DECLARED_PROBES * 8, "declared_slot: SlotLayout.DECLARED_SLOT_SIZE");

/*
 * Heap of threads that end inside a test's window (exited_heap.bpf.h): at HotSpot's
 * thread__stop probe, on the ending thread, its JavaThread's allocated bytes are read and added
 * to its slot. Only threads started inside the window count (they allocated nothing before it).
 */
#define TRACK_HEAP_COUNTED 256u	/* tracked_thread.flags: its heap was added to exited_heap at its end */

/* Where HotSpot keeps what the program reads, written by user space (ExitedThreadHeap) after load. */
struct hotspot_offsets {
	__s64 thread_pointer;	/* the current Thread* lies at the thread pointer (fsbase) plus this */
	__u32 osthread;		/* Thread::_osthread (JavaThread's before JDK 21): the OSThread* */
	__u32 thread_id;	/* OSThread::_thread_id: the thread's id as the JVM knows it (checked against the probe's) */
	__u32 allocated_bytes;	/* Thread::_allocated_bytes: bytes of the TLABs it retired, and outside TLABs */
	__u32 tlab_start;	/* Thread::_tlab + ThreadLocalAllocBuffer::_start */
	__u32 tlab_top;		/* Thread::_tlab + ThreadLocalAllocBuffer::_top: the TLAB's used part is top - start */
	__u32 ready;		/* 1 once written: until then every ended thread counts as unreadable */
};

/* One per slot, in the mmap-able `exited_heap` array. */
struct exited_heap {
	__u64 bytes;		/* heap bytes the counted threads allocated (HotSpot's cooked_allocated_bytes) */
	__u64 threads;		/* threads of the slot that ended inside the window and were counted */
	__u64 unreadable;	/* threads started inside the window whose JavaThread could not be read: not counted */
};

_Static_assert(sizeof(struct hotspot_offsets) == 32, "hotspot_offsets: SlotLayout.HOTSPOT_OFFSETS_SIZE");
_Static_assert(sizeof(struct exited_heap) == 24, "exited_heap: SlotLayout.EXITED_HEAP_SIZE");

/* --- JVM events (jvm.bpf.h): HotSpot's USDT probes, one attach cookie per event --- */
#define JVM_GC 0		/* hotspot:gc__begin(full) / gc__end: JVM-wide */
#define JVM_SAFEPOINT 1		/* hs_private:safepoint__begin / end: JVM-wide */
#define JVM_PARK 2		/* hotspot:thread__park__begin / end: the slot's threads */
#define JVM_SLEEP 3		/* hotspot:thread__sleep__begin / end: the slot's threads */
#define JVM_COMPILE 4		/* hotspot:method__compile__begin: JVM-wide */
#define JVM_CLASS_LOADED 5	/* hotspot:class__loaded: the slot's threads */
#define JVM_MONITOR 6		/* hotspot:monitor__contended__enter (needs -XX:+DTraceMonitorProbes): the slot's threads */
#define JVM_EVENT_KINDS 7
/* Histogram numbers of the JVM events' times (0xFFE0..0xFFEF are theirs). */
#define HIST_JVM_GC_PAUSE 0xFFE0
#define HIST_JVM_SAFEPOINT 0xFFE1
#define HIST_JVM_PARK 0xFFE2
#define HIST_JVM_SLEEP 0xFFE3

/* One per slot, in the mmap-able `jvm_stats` array; user space sets `counting` for slots that ask. */
struct jvm_stats {
	__u32 counting;			/* 1: the slot counts JVM events (the USDT probes are attached) */
	__u32 reserved;
	__u64 events[JVM_EVENT_KINDS];	/* by JVM_*: ended pauses, parks, sleeps; begun compilations; loaded classes; contended enters */
	__u64 nanos[JVM_EVENT_KINDS];	/* by JVM_*: their summed time (begin to end), where they have one */
	__u64 full_gcs;			/* of events[JVM_GC], those whose gc__begin said full */
};
_Static_assert(sizeof(struct jvm_stats) == 8 + JVM_EVENT_KINDS * 16 + 8, "jvm_stats: SlotLayout.JVM_STATS_SIZE");

/* The sizes Java reads with (SlotLayout); offsets are checked through bpf/layout.properties. */
_Static_assert(sizeof(struct tracked_thread) == 104, "tracked_thread: SlotLayout.TRACKED_THREAD_SIZE");
_Static_assert(sizeof(struct slot_control) == 240, "slot_control: SlotLayout.SLOT_CONTROL_SIZE");
_Static_assert(sizeof(struct identity) == 40 + MAX_LISTED_THREADS * 8, "identity: SlotLayout.IDENTITY_SIZE");
_Static_assert(sizeof(struct config) == 152 + JVM_INTERNAL_THREADS * 32, "config: SlotLayout.CONFIG_SIZE");
_Static_assert(sizeof(struct syscall_stats) == 32, "syscall_stats: SlotLayout.SYSCALL_STATS_SIZE");
_Static_assert(sizeof(struct sched_stats) == 64, "sched_stats: SlotLayout.SCHED_STATS_SIZE");
_Static_assert(sizeof(struct memory_stats) == 128, "memory_stats: SlotLayout.MEMORY_STATS_SIZE");
_Static_assert(sizeof(struct live_allocation) == 24, "live_allocation: SlotLayout.LIVE_VALUE_SIZE");
_Static_assert(sizeof(struct handoff_names) == 3 * HANDOFF_NAMES * TASK_COMM_LEN, "handoff_names: SlotLayout.HANDOFF_NAMES_SIZE");
_Static_assert(sizeof(struct latency_key) == 8 && sizeof(struct error_key) == 8, "hash keys: SlotLayout.HASH_KEY_SIZE");
_Static_assert(sizeof(struct histogram_count) == 16, "histogram_count: SlotLayout.HISTOGRAM_COUNT_SIZE");
_Static_assert(sizeof(struct foreign_key) == 8, "foreign_wakers key: SlotLayout.FOREIGN_KEY_SIZE");

#endif
