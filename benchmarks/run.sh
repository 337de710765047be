#!/usr/bin/env bash
# KernelTrace overhead benchmark; results go into docs/performance.md by hand (with date and machine).
#   (a) per-call cost of getppid on a traced thread vs untraced, beside bpftrace and strace -c -f
#   (b) the same for another process on the host while a test is traced
#   (c) fixed overhead per traced test: an empty test with vs without @KernelTrace
#   (d) first load and attach, in a fresh JVM
#   (e) a context-switch-heavy workload (pipe ping-pong between two threads), traced vs untraced
#   (f) malloc+free in a C loop inside the JVM: untraced, floor, allocator uprobes attached, traced; attach/detach
#   (g) Java call sites: a passing test with a write limit, call sites off vs the default; a failing one (its re-run)
#   (h) a declared user probe (@UserProbe: uprobe + uretprobe) per call of a C function, beside bpftrace; attach/detach
#   (i) JVM events (HotSpot's USDT probes) per park, beside bpftrace; attach/detach
# Usage: benchmarks/run.sh [--quick]    Needs root, gcc, clang, and a Maven build of the project;
# installs bpftrace and strace (Debian/Ubuntu) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in bpftrace strace; do
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "installing ${missing[*]} for the side-by-side system-call figures (a)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
calls=5000000 trips=200000 pairs=200000 rounds=9 jvms=7
if [[ ${1:-} == --quick ]]; then calls=500000 trips=20000 pairs=20000 rounds=3 jvms=3; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -o "$work/syscall_loop" benchmarks/src/main/c/syscall_loop.c
gcc -O2 -pthread -o "$work/pingpong" benchmarks/src/main/c/pingpong.c
# -O0 -fno-builtin: every malloc and free stays a real call into the C library
gcc -O0 -fno-builtin -shared -fPIC -o "$work/alloc_churn.so" benchmarks/src/main/c/alloc_churn.c
gcc -O0 -shared -fPIC -o "$work/probe_target.so" benchmarks/src/main/c/probe_target.c
clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu \
	-c benchmarks/src/main/c/floor.bpf.c -o "$work/floor.bpf.o"
mvn -q -B -ntp install -DskipTests
mvn -q -B -ntp -f benchmarks/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="benchmarks/target/classes:$(cat "$work/cp.txt")"

echo "# $(date -u +%Y-%m-%d) $(uname -r) $(nproc) CPUs, $(java -version 2>&1 | head -1)"
java -cp "$cp" io.github.kerneltrace.benchmarks.SyscallOverhead "$work/syscall_loop" "$work/floor.bpf.o" "$calls" "$rounds"
java -cp "$cp" io.github.kerneltrace.benchmarks.ContextSwitchOverhead "$work/pingpong" "$trips" "$rounds"
java -cp "$cp" io.github.kerneltrace.benchmarks.TestOverhead
java -cp "$cp" io.github.kerneltrace.benchmarks.CallSiteOverhead
java -cp "$cp" io.github.kerneltrace.benchmarks.NativeAllocationOverhead "$work/alloc_churn.so" "$work/floor.bpf.o" "$pairs" "$rounds"
java -cp "$cp" io.github.kerneltrace.benchmarks.DeclaredProbeOverhead "$work/probe_target.so" "$pairs" "$rounds"
java -cp "$cp" io.github.kerneltrace.benchmarks.JvmEventOverhead "$pairs" "$rounds"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bare=$(for _ in $(seq "$jvms"); do java -cp "$cp" io.github.kerneltrace.benchmarks.FirstLoad bare; done)
junit=$(for _ in $(seq "$jvms"); do java -cp "$cp" io.github.kerneltrace.benchmarks.FirstLoad junit; done)
printf "(d) first load and attach, bare fresh JVM (median of %d): load %s ms, load+attach %s ms\n" "$jvms" \
	"$(cut -d' ' -f1 <<<"$bare" | median)" "$(cut -d' ' -f2 <<<"$bare" | median)"
printf "(d) in a JUnit run (median of %d fresh JVMs): first traced test %s ms, second traced test %s ms\n" "$jvms" \
	"$(cut -d' ' -f1 <<<"$junit" | median)" "$(cut -d' ' -f2 <<<"$junit" | median)"
KERNELTRACE_INSTALLED=1 benchmarks/cold-suite.sh ${1:+"$1"} # (c) cold: 500 distinct tests, fresh JVM under Surefire
