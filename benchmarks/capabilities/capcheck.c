// Loads one probe kind of capcheck.bpf.o, attaches it, makes it fire, and prints one line:
//   <kind> load=<ok|ERRNO> attach=<ok|ERRNO|-> hits=<n>
// Run it under setpriv with the capabilities to check (see run.sh). Exit status 0 either way.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

// A USDT probe with a semaphore (ref_ctr_offset), written as <sys/sdt.h> would (no systemtap-sdt-dev needed).
__attribute__((section(".probes"))) volatile unsigned short capcheck_tick_semaphore;
#define CAPCHECK_TICK() __asm__ __volatile__( \
	"990: nop\n" \
	".pushsection .note.stapsdt,\"?\",\"note\"\n" \
	".balign 4\n" \
	".4byte 992f-991f, 994f-993f, 3\n" \
	"991: .asciz \"stapsdt\"\n" \
	"992: .balign 4\n" \
	"993: .8byte 990b\n" \
	".8byte _.stapsdt.base\n" \
	".8byte capcheck_tick_semaphore\n" \
	".asciz \"capcheck\"\n" \
	".asciz \"tick\"\n" \
	".asciz \"\"\n" \
	"994: .balign 4\n" \
	".popsection\n" \
	".ifndef _.stapsdt.base\n" \
	".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
	".weak _.stapsdt.base\n" \
	".hidden _.stapsdt.base\n" \
	"_.stapsdt.base: .space 1\n" \
	".size _.stapsdt.base, 1\n" \
	".popsection\n" \
	".endif\n")

__attribute__((noinline)) int capcheck_function(int x)
{
	__asm__ __volatile__("" ::: "memory");
	return x + 1;
}

static const char *err(long e)
{
	static char text[64];
	if (e == 0) return "ok";
	e = e < 0 ? -e : e;
	snprintf(text, sizeof text, "%s", strerrorname_np((int) e) ? strerrorname_np((int) e) : "?");
	return text;
}

static int silent(enum libbpf_print_level level, const char *format, va_list args)
{
	return getenv("CAPCHECK_VERBOSE") ? vfprintf(stderr, format, args) : 0;
}

static void fire(void)
{
	for (int i = 0; i < 3; i++) {
		syscall(SYS_getppid);
		getppid();
		capcheck_function(i);
		CAPCHECK_TICK();
	}
	usleep(20000);
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";
	const char *object_path = argc > 2 ? argv[2] : "capcheck.bpf.o";
	libbpf_set_print(silent);
	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
	if (!obj) { printf("%s open=%s\n", kind, err(errno)); return 0; }

	const char *program = NULL, *map = NULL;
	if (!strcmp(kind, "tp_btf")) program = "on_tp_btf";
	else if (!strcmp(kind, "raw_tp")) program = "on_raw_tp";
	else if (!strcmp(kind, "uprobe") || !strcmp(kind, "uprobe_libc")) program = "on_uprobe";
	else if (!strcmp(kind, "uretprobe")) program = "on_uretprobe";
	else if (!strcmp(kind, "usdt_semaphore") || !strcmp(kind, "usdt_libjvm")) program = "on_usdt";
	else if (!strcmp(kind, "tracepoint")) program = "on_tracepoint";
	else if (!strcmp(kind, "kprobe")) program = "on_kprobe";
	else if (!strcmp(kind, "perf_event_cpu") || !strcmp(kind, "perf_event_task")) program = "on_perf_event";
	else if (!strcmp(kind, "fentry")) program = "on_fentry";
	else if (!strcmp(kind, "task_storage")) map = "task_storage";
	else if (!strcmp(kind, "ring_buffer")) map = "ring_buffer";
	else if (!strcmp(kind, "hash")) map = "hash";
	else { fprintf(stderr, "unknown kind %s\n", kind); return 2; }

	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, program && !strcmp(bpf_program__name(p), program));
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		bool wanted = (map && !strcmp(name, map)) || strstr(name, ".rodata") || strstr(name, ".bss")
			|| (!strcmp(kind, "usdt_semaphore") || !strcmp(kind, "usdt_libjvm")) && strstr(name, "usdt");
		bpf_map__set_autocreate(m, wanted);
	}
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	__u32 tgid = getpid();
	if (rodata) bpf_map__set_initial_value(rodata, &tgid, sizeof tgid);

	int loaded = bpf_object__load(obj);
	printf("%s load=%s", kind, err(loaded));
	if (loaded || !program) { printf("\n"); return 0; }

	struct bpf_program *prog = bpf_object__find_program_by_name(obj, program);
	struct bpf_link *link = NULL;
	if (!strcmp(kind, "uprobe") || !strcmp(kind, "uretprobe")) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "capcheck_function", .retprobe = !strcmp(kind, "uretprobe"));
		link = bpf_program__attach_uprobe_opts(prog, getpid(), "/proc/self/exe", 0, &opts);
	} else if (!strcmp(kind, "uprobe_libc")) {
		LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = "getppid");
		link = bpf_program__attach_uprobe_opts(prog, getpid(), "/lib/x86_64-linux-gnu/libc.so.6", 0, &opts);
	} else if (!strcmp(kind, "usdt_semaphore")) {
		link = bpf_program__attach_usdt(prog, getpid(), "/proc/self/exe", "capcheck", "tick", NULL);
	} else if (!strcmp(kind, "usdt_libjvm")) {
		const char *libjvm = getenv("LIBJVM") ? getenv("LIBJVM") : "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so";
		link = bpf_program__attach_usdt(prog, -1, libjvm, "hotspot", "thread__park__begin", NULL);
	} else if (!strcmp(kind, "tracepoint")) {
		link = bpf_program__attach_tracepoint(prog, "syscalls", "sys_enter_getppid");
	} else if (!strcmp(kind, "kprobe")) {
		link = bpf_program__attach_kprobe(prog, false, "__x64_sys_getppid");
	} else if (!strncmp(kind, "perf_event", 10)) {
		struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE, .size = sizeof attr,
			.config = PERF_COUNT_SW_CPU_CLOCK, .freq = 1, .sample_freq = 1000 };
		bool task = !strcmp(kind, "perf_event_task");
		cpu_set_t cpu0;
		CPU_ZERO(&cpu0);
		CPU_SET(0, &cpu0);
		sched_setaffinity(0, sizeof cpu0, &cpu0); // the CPU-wide event samples CPU 0: spin there
		int fd = syscall(SYS_perf_event_open, &attr, task ? 0 : -1, task ? -1 : 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) { printf(" perf_event_open=%s\n", err(errno)); return 0; }
		link = bpf_program__attach_perf_event(prog, fd);
		if (link) { volatile long spin = 0; for (long i = 0; i < 100000000; i++) spin += i; }
	} else {
		link = bpf_program__attach(prog);
	}
	if (!link) { printf(" attach=%s\n", err(errno)); return 0; }
	fire();
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	__u64 hits = 0; __u32 zero = 0;
	struct { __u64 hits; } value;
	if (bss && bpf_map__lookup_elem(bss, &zero, sizeof zero, &value, sizeof value, 0) == 0) hits = value.hits;
	printf(" attach=ok hits=%llu\n", (unsigned long long) hits);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
