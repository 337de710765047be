#!/usr/bin/env bash
# Compiles every bpf/*.bpf.c into a CO-RE object, and writes the layout of the structs Java reads, under
# probes/src/main/resources/io/github/kerneltrace/probes/bpf/, where the probes jar picks it up.
# The objects are committed so that a plain Maven build needs no clang; CI runs
# `bpf/build.sh --check` to rebuild them and fail if they differ from the committed ones.
# Needs: clang (14 is what CI uses), llvm-strip, libbpf-dev headers.
set -euo pipefail
cd "$(dirname "$0")"
out=../probes/src/main/resources/io/github/kerneltrace/probes/bpf
check=${1:-}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for src in *.bpf.c; do
	name=${src%.bpf.c}
	# -mcpu=v3: atomics and 32-bit jumps; pinned so objects do not change with clang's default.
	# -fdebug-prefix-map and llvm-strip -g: reproducible, small objects that keep their BTF.
	clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
		-I/usr/include/"$(uname -m)"-linux-gnu \
		-fdebug-prefix-map="$PWD"=. -fno-ident \
		-c "$src" -o "$tmp/$name.bpf.o"
	llvm-strip -g "$tmp/$name.bpf.o"
	if [[ $check == --check ]]; then
		if ! cmp -s "$tmp/$name.bpf.o" "$out/$name.bpf.o"; then
			echo "bpf/$src: committed object differs from a fresh build; run bpf/build.sh and commit" >&2
			status=1
		fi
	else
		cp "$tmp/$name.bpf.o" "$out/$name.bpf.o"
		echo "built $out/$name.bpf.o ($(stat -c %s "$out/$name.bpf.o") bytes)"
	fi
done
# The layout Java reads with: sizes and offsets of kerneltrace.h's structs (see bpf/layout.c).
gcc -O0 -I/usr/include/"$(uname -m)"-linux-gnu -o "$tmp/layout" layout.c
"$tmp/layout" >"$tmp/layout.properties"
if [[ $check == --check ]]; then
	if ! cmp -s "$tmp/layout.properties" "$out/layout.properties"; then
		echo "bpf/kerneltrace.h: committed layout.properties differs from the structs; run bpf/build.sh and commit" >&2
		diff "$out/layout.properties" "$tmp/layout.properties" >&2 || true
		status=1
	fi
else
	cp "$tmp/layout.properties" "$out/layout.properties"
	echo "wrote $out/layout.properties"
fi
exit $status
