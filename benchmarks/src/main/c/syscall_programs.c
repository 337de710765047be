// What KernelTrace's system-call programs alone cost per getppid, next to the floor, measured in
// this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): unlike wall time it leaves out the time other
// processes run, so figures stay comparable on a busy machine. For A/B comparisons of BPF objects
// (e.g. before and after a change of bpf/): every object gets the state Java would give a slot
// that tracks this thread (process filter, tracked entry, open slot, latency on or off); only
// tp_btf_sys_enter and tp_btf_sys_exit are loaded and attached. Objects alternate round by round.
//
// Build: gcc -O2 -I bpf -o syscall_programs benchmarks/src/main/c/syscall_programs.c -lbpf
// Usage: syscall_programs <calls per round> <rounds> <floor.bpf.o> <latency 0|1> <object|floor_clock>...
//   floor_clock: floor.bpf.o's floor plus a clock read at entry and at exit.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "kerneltrace.h"

#define MAX_VARIANTS 16
#define MAX_ROUNDS 1000

struct variant {
	const char *name;
	struct bpf_object *obj;	/* NULL: nothing attached */
	const char *enter, *exit;
	double ns[MAX_ROUNDS];
};

static double cpu_ns_per_call(long calls)
{
	struct timespec a, b;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / calls;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static __u64 monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static void update(struct bpf_object *obj, const char *map, const void *key, size_t key_size,
		   const void *value, size_t value_size)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, map);

	if (!m || bpf_map__update_elem(m, key, key_size, value, value_size, 0)) {
		fprintf(stderr, "cannot write map %s\n", map);
		exit(1);
	}
}

/* Loads KernelTrace's two system-call programs and tracks this thread in slot 0, counting. */
static struct bpf_object *load_kerneltrace(const char *path, __u32 tid, int latency)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct config config = { .page_size = 4096, .uretprobe_syscall = MAX_SYSCALLS, .futex_syscall = SYS_futex };
	struct tracked_thread thread = { .slot = 0 };
	struct slot_control control = { .open = 1, .flags = latency ? SLOT_LATENCY : 0 };
	struct bpf_program *prog;
	struct bpf_map *map;
	__u32 zero = 0, one = 1, bucket = getpid() % PROCESS_FILTER_SIZE;
	__u64 generation = 1;

	if (!obj) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		bpf_program__set_autoload(prog, !strcmp(name, "tp_btf_sys_enter") || !strcmp(name, "tp_btf_sys_exit"));
	}
	bpf_object__for_each_map(map, obj)
		if (strstr(bpf_map__name(map), ".rodata"))
			bpf_map__set_initial_value(map, &config, sizeof(config));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", path);
		exit(1);
	}
	update(obj, "process_filter", &bucket, 4, &one, 4);
	update(obj, "tracked", &tid, 4, &thread, sizeof(thread));
	if (bpf_object__find_map_by_name(obj, "tracking_generation"))
		update(obj, "tracking_generation", &zero, 4, &generation, 8);
	control.start_ns = monotonic_ns();
	update(obj, "slot_control", &zero, 4, &control, sizeof(control));
	return obj;
}

int main(int argc, char **argv)
{
	static struct variant v[MAX_VARIANTS];
	long calls;
	int rounds, latency, n = 2;
	__u32 tid = gettid();

	if (argc < 6 || argc - 5 + 2 > MAX_VARIANTS) {
		fprintf(stderr, "usage: %s <calls per round> <rounds> <floor.bpf.o> <latency 0|1> <object|floor_clock>...\n", argv[0]);
		return 2;
	}
	calls = atol(argv[1]);
	rounds = atoi(argv[2]);
	latency = atoi(argv[4]);
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	v[0] = (struct variant){ .name = "untraced" };
	v[1] = (struct variant){ .name = "floor", .obj = bpf_object__open_file(argv[3], NULL),
				 .enter = "floor_sys_enter", .exit = "floor_sys_exit" };
	if (!v[1].obj || bpf_object__load(v[1].obj)) {
		fprintf(stderr, "cannot load %s\n", argv[3]);
		return 1;
	}
	for (int i = 5; i < argc; i++, n++) {
		if (!strcmp(argv[i], "floor_clock"))
			v[n] = (struct variant){ .name = "floor_clock", .obj = v[1].obj,
						 .enter = "floor_clock_sys_enter", .exit = "floor_clock_sys_exit" };
		else
			v[n] = (struct variant){ .name = argv[i], .obj = load_kerneltrace(argv[i], tid, latency),
						 .enter = "tp_btf_sys_enter", .exit = "tp_btf_sys_exit" };
	}
	cpu_ns_per_call(calls * 5); /* warm up */
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < n; i++) {
			struct bpf_link *enter = NULL, *exit_link = NULL;

			if (v[i].obj) {
				enter = bpf_program__attach(bpf_object__find_program_by_name(v[i].obj, v[i].enter));
				exit_link = bpf_program__attach(bpf_object__find_program_by_name(v[i].obj, v[i].exit));
				if (!enter || !exit_link) {
					fprintf(stderr, "cannot attach %s\n", v[i].name);
					return 1;
				}
			}
			v[i].ns[r] = cpu_ns_per_call(calls);
			bpf_link__destroy(enter);
			bpf_link__destroy(exit_link);
		}
	}
	printf("getppid, CPU ns per call, latency %s (median of %d rounds of %ld calls)   ns/call  over floor\n",
	       latency ? "on" : "off", rounds, calls);
	for (int i = 0; i < n; i++)
		qsort(v[i].ns, rounds, sizeof(double), by_value);
	for (int i = 0; i < n; i++)
		printf("%-72s %8.1f %+10.1f\n", v[i].name, v[i].ns[rounds / 2], v[i].ns[rounds / 2] - v[1].ns[rounds / 2]);
	/* every KernelTrace object must have counted every call it was timed on (and the warm-up's none) */
	for (int i = 2; i < n; i++) {
		struct syscall_stats stats;
		__u32 key = SYS_getppid;

		if (v[i].obj == v[1].obj)
			continue;
		bpf_map__lookup_elem(bpf_object__find_map_by_name(v[i].obj, "syscall_stats"), &key, 4, &stats, sizeof(stats), 0);
		if (stats.calls != (__u64)calls * rounds) {
			fprintf(stderr, "%s counted %llu getppid calls of %ld\n", v[i].name, (unsigned long long)stats.calls, calls * rounds);
			return 1;
		}
	}
	return 0;
}
