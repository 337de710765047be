#!/usr/bin/env bash
# Which capabilities each probe kind needs on this kernel, checked, not assumed: builds capcheck,
# then, as root, runs it as an unprivileged user (default: nobody) with each set of capabilities
# below (setpriv, ambient capabilities), one line per probe kind:
#   <kind> load=<ok|ERRNO> attach=<ok|ERRNO> hits=<n>   (hits: events of capcheck's own process)
# Needs: root, clang, gcc, libbpf-dev, setpriv (util-linux). The results on Linux 6.18 are in
# docs/troubleshooting.md#privileges-per-probe-kind.
set -euo pipefail
cd "$(dirname "$0")"
user=${1:-nobody}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I/usr/include/"$(uname -m)"-linux-gnu -c capcheck.bpf.c -o "$dir/capcheck.bpf.o"
gcc -O1 -no-pie -o "$dir/capcheck" capcheck.c -lbpf
chmod 755 "$dir" "$dir/capcheck" && chmod 644 "$dir/capcheck.bpf.o"
kinds="tp_btf raw_tp uprobe uretprobe uprobe_libc usdt_semaphore usdt_libjvm tracepoint kprobe perf_event_cpu perf_event_task fentry task_storage ring_buffer hash"
echo "kernel $(uname -r), perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid),"\
	"unprivileged_bpf_disabled $(cat /proc/sys/kernel/unprivileged_bpf_disabled), tracefs $(stat -c %A /sys/kernel/tracing 2>/dev/null || echo absent)"
echo "== root"
for kind in $kinds; do "$dir/capcheck" "$kind" "$dir/capcheck.bpf.o"; done
for caps in +bpf +perfmon +bpf,+perfmon +bpf,+perfmon,+sys_admin +bpf,+perfmon,+dac_read_search +sys_admin +sys_admin,+dac_read_search; do
	echo "== user $user with $caps"
	for kind in $kinds; do
		setpriv --reuid "$user" --regid "$(id -g "$user")" --clear-groups --inh-caps "$caps" --ambient-caps "$caps" \
			"$dir/capcheck" "$kind" "$dir/capcheck.bpf.o"
	done
done
