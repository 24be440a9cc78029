#!/bin/bash
# Compile coverage on x86_64 of what UML cannot build: the Intel and AMD
# IOMMU drivers, SVA, idxd and uacce against the patched IOMMU layer, with
# the IOASID core and the controller, at W=1. Upstream code already has
# W=1 warnings; a warning counts as new when it is in a file the series
# adds or changes and the unpatched file did not have it. TAP in
# OUTDIR/x86.tap.
# Usage: scripts/check-x86.sh OUTDIR
# TREE and KOUT name another tree (with the series applied, and the tag
# base) and object directory (configured from configs/x86_64.config); by
# default build/linux and build/x86_64. scripts/check-series.sh runs it on
# its own tree after the last prefix, where swapping a file for a while
# cannot reach a kernel being built from build/linux.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=${TREE:-$build/linux}
kout=${KOUT:-$build/x86_64}
out=$1
dirs="drivers/iommu/ drivers/dma/idxd/ drivers/misc/uacce/ kernel/cgroup/"
log=$build/x86_64-build.log
mkdir -p "$out"
. "$top/scripts/tap-file.sh"
tap_open "$out/x86.tap"
tmp=$(mktemp)
trap 'rm -f "$tap" "$tmp" "$tmp".*' EXIT

# Warnings as "file: message", without line and column, relative to the tree.
warnings() { grep -E '^[^ ]+:[0-9]+:[0-9]+: warning:' "$1" | sed -e "s|^$tree/||" -e 's/:[0-9]*:[0-9]*: /: /' | sort -u; }

# kbuild prints a file's warnings only when it compiles it: the objects of
# what the series touches go first, so that a warm rerun sees them too.
[ -n "${TREE:-}" ] || "$top/scripts/kernel-tree.sh" prepare >"$tmp" 2>&1
changed=$(git -C "$tree" diff --name-only base HEAD -- '*.c' '*.h')
added=$("$top/scripts/kernel-tree.sh" overlay-list | cut -f2 | grep -E '\.[ch]$')
for f in $changed $added; do rm -f "$kout/${f%.c}.o"; done
if [ -n "${TREE:-}" ]; then
	kbuild() { make -C "$tree" O="$kout" ARCH=x86_64 LOCALVERSION= -j"${JOBS:-$(nproc)}" "$@" >"$log" 2>&1; }
else
	kbuild() { LOG=$log "$top/scripts/build-kernel.sh" "$kout" x86_64 "$top/configs/x86_64.config" "$@"; }
fi
if kbuild W=1 $dirs >"$tmp" 2>&1; then
	result ok "x86_64 W=1 build of $dirs"
else
	cat "$log" >>"$tmp" 2>/dev/null
	grep -E 'error|wanted' "$tmp" >"$tmp.err" || tail -n 20 "$tmp" >"$tmp.err"
	result not-ok "x86_64 W=1 build of $dirs" "$tmp.err"
	finish
fi
warnings "$log" >"$tmp.now"

# Every object that allocates or frees PASIDs through the core was built.
for o in drivers/iommu/ioasid/core.o drivers/iommu/ioasid/dev.o drivers/iommu/ioasid/ioasid_kunit.o \
	 kernel/cgroup/ioasid.o drivers/iommu/iommu.o drivers/iommu/iommu-sva.o \
	 drivers/iommu/intel/svm.o drivers/iommu/amd/pasid.o drivers/dma/idxd/init.o \
	 drivers/dma/idxd/cdev.o drivers/misc/uacce/uacce.o; do
	if [ -s "$kout/$o" ]; then result ok "x86_64: $o built"
	else echo "missing $kout/$o" >"$tmp.err"; result not-ok "x86_64: $o built" "$tmp.err"; fi
done

# The same warnings from the unpatched version of each changed C file that
# this build compiles, with the patched headers. The file is swapped for
# the compile and put back from the tree's HEAD, whatever happens.
: >"$tmp.base"
restore() { [ -n "$changed" ] && git -C "$tree" checkout -q HEAD -- $changed; }
trap 'restore; rm -f "$tap" "$tmp" "$tmp".*' EXIT
for f in $changed; do
	case $f in *.c) ;; *) continue ;; esac
	[ -f "$kout/${f%.c}.o" ] || continue
	git -C "$tree" cat-file -e "base:$f" 2>/dev/null || continue	# added by the series
	git -C "$tree" show "base:$f" >"$tree/$f"
	rm -f "$kout/${f%.c}.o"
	make -C "$tree" O="$kout" ARCH=x86_64 LOCALVERSION= W=1 "${f%.c}.o" >"$tmp.one" 2>&1
	warnings "$tmp.one" >>"$tmp.base"
	git -C "$tree" checkout -q HEAD -- "$f"
	rm -f "$kout/${f%.c}.o"
done
# (the objects of those files stay removed: the next run builds them first)

for f in $changed $added; do
	grep -F "$f: " "$tmp.now" || true
done | sort -u >"$tmp.ours"
comm -23 "$tmp.ours" <(sort -u "$tmp.base") >"$tmp.new"
total=$(wc -l <"$tmp.ours")
if [ -s "$tmp.new" ]; then
	result not-ok "x86_64 W=1: no new warnings in the files the series adds or changes" "$tmp.new"
else
	result ok "x86_64 W=1: no new warnings in the files the series adds or changes ($total warnings in them, none new)"
fi
finish
