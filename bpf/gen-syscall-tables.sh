#!/usr/bin/env bash
# Writes the system-call and errno name tables that SyscallTable and Errno load, under
# probes/src/main/resources/io/github/kerneltrace/probes/syscalls/:
#   x86_64.txt   "<number> <name>"  from /usr/include/x86_64-linux-gnu/asm/unistd_64.h
#   aarch64.txt  "<number> <name>"  from /usr/include/asm-generic/unistd.h, as arm64 builds it
#   errno.txt    "<number> <NAME>"  from /usr/include/asm-generic/errno-base.h and errno.h
# The headers come with Debian's linux-libc-dev (amd64). The output is committed, so a Maven
# build needs neither the headers nor this script; rerun it after a kernel-headers upgrade
# and commit the changed tables.
# Needs: bash, cpp (gcc), awk, sort.
set -euo pipefail
cd "$(dirname "$0")"
out=../probes/src/main/resources/io/github/kerneltrace/probes/syscalls
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Reads `cpp -dM` output (every macro defined after preprocessing) and prints
# "<number> <name>" for each __NR_<name>, following macro-to-macro aliases such as
# `#define __NR_lseek __NR3264_lseek` down to the number.
nr_table() {
	awk '
		$1 == "#define" && NF == 3 { value[$2] = $3 }
		END {
			for (macro in value) {
				if (macro !~ /^__NR_/) continue
				# Counters and bases, not system calls.
				if (macro == "__NR_syscalls" || macro == "__NR_arch_specific_syscall") continue
				v = value[macro]
				for (hops = 0; v !~ /^[0-9]+$/ && (v in value) && hops < 10; hops++) v = value[v]
				if (v !~ /^[0-9]+$/) {
					print "cannot resolve " macro " = " value[macro] > "/dev/stderr"
					exit 1
				}
				print v, substr(macro, 6)
			}
		}' | sort -n -k1,1
}

# System calls newer than Debian 12's headers (Linux 6.1), numbered alike on x86_64 and arm64
# from 451 on; the kernels KernelTrace runs on (6.18 here) have them. Added where missing.
newer_syscalls() {
	printf '%s\n' "451 cachestat" "452 fchmodat2" "453 map_shadow_stack" "454 futex_wake" \
		"455 futex_wait" "456 futex_requeue" "457 statmount" "458 listmount" \
		"459 lsm_get_self_attr" "460 lsm_set_self_attr" "461 lsm_list_modules" "462 mseal"
}

# Adds lines "<number> <name>" from stdin to a table, for numbers it lacks.
add_missing() {
	sort -n -k1,1 -u -s "$1" - | awk '!seen[$1]++' >"$tmp/merged" && mv "$tmp/merged" "$1"
}

# x86_64: the header is already a flat list of `#define __NR_<name> <number>`.
cpp -dM /usr/include/x86_64-linux-gnu/asm/unistd_64.h | nr_table >"$out/x86_64.txt"
# 335: the return trampoline of uretprobes (Linux 6.11+, x86_64 only): every return through a
# uretprobe makes it, so the BPF programs must recognise it (KernelTracer's config).
{ newer_syscalls; echo "335 uretprobe"; } | add_missing "$out/x86_64.txt"

# aarch64: arm64 has no table of its own. Its asm/unistd.h sets these switches and includes
# the generic table (see arch/arm64/include/uapi/asm/unistd.h in the kernel). The
# __ARCH_WANT_TIME32_SYSCALLS blocks are kept on any 64-bit build, so that switch does not
# matter here. With __BITS_PER_LONG 64 the generic header itself maps the __NR3264_* slots to
# their 64-bit names (fcntl, lseek, mmap, fadvise64, fstat, newfstatat, ...).
# A stub asm/bitsperlong.h stands in for the host's, so the result does not depend on the
# machine this runs on.
mkdir -p "$tmp/asm"
echo '#define __BITS_PER_LONG 64' >"$tmp/asm/bitsperlong.h"
cat >"$tmp/arm64-unistd.h" <<'EOF'
#define __ARCH_WANT_RENAMEAT
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_TIME32_SYSCALLS
#define __ARCH_WANT_SYS_CLONE3
#define __ARCH_WANT_MEMFD_SECRET
#include <asm-generic/unistd.h>
EOF
cpp -dM -nostdinc -I"$tmp" -I/usr/include "$tmp/arm64-unistd.h" | nr_table >"$out/aarch64.txt"
newer_syscalls | add_missing "$out/aarch64.txt"

# errno: the generic numbers, which x86_64 and arm64 both use. Aliases
# (`#define EWOULDBLOCK EAGAIN`) are skipped so that each number keeps its first name.
awk '$1 == "#define" && $2 ~ /^E[A-Z0-9]+$/ && $3 ~ /^[0-9]+$/ { print $3, $2 }' \
	/usr/include/asm-generic/errno-base.h /usr/include/asm-generic/errno.h \
	| sort -n -k1,1 >"$out/errno.txt"

wc -l "$out"/x86_64.txt "$out"/aarch64.txt "$out"/errno.txt
