#!/bin/bash
# Kernel code quality as TAP in OUTDIR/lint.tap: checkpatch.pl --strict from
# the pinned tree on every kernel file we add and every patch in
# patches/series, and a W=1 build of our objects, which must not warn.
# The W=1 build has its own directory, build/uml-lint, so the test kernel's
# objects keep their flags. Needs a configured build/uml.
# Usage: scripts/lint.sh OUTDIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=$build/linux
out=$1
lintdir=$build/uml-lint
mkdir -p "$out" "$lintdir"

objects="kernel/cgroup/ioasid.o drivers/iommu/ioasid/core.o drivers/iommu/ioasid/dev.o drivers/iommu/ioasid/ioasid_kunit.o"
files=$("$top/scripts/kernel-tree.sh" overlay-list | cut -f2 | grep -E '\.(c|h)$|Kconfig|Makefile')
n=0 tap=$(mktemp)

result() { # ok|not-ok description [detail-file]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2"; sed 's/^/# /' "$3" | head -n 30; fi
} >>"$tap"

log=$(mktemp)
# checkpatch runs spdxcheck.py with /usr/bin/env python3: use Debian's, which
# has python3-ply and python3-git, not whatever python3 comes first in PATH.
export PATH=/usr/bin:/bin:$PATH
for f in $files; do
	if (cd "$tree" && perl scripts/checkpatch.pl --strict --terse --no-summary -f "$f") >"$log" 2>&1; then
		result ok "checkpatch --strict $f"
	else
		result not-ok "checkpatch --strict $f" "$log"
	fi
done
for p in "$top"/patches/series/*.patch; do
	if (cd "$tree" && perl scripts/checkpatch.pl --strict --terse --no-summary "$p") >"$log" 2>&1; then
		result ok "checkpatch --strict patches/series/$(basename "$p")"
	else
		result not-ok "checkpatch --strict patches/series/$(basename "$p")" "$log"
	fi
done

# The full series (make patches) applies to the pristine tree with git am.
if "$top/scripts/kernel-tree.sh" series "$build/patches" >"$log" 2>&1 &&
   "$top/scripts/kernel-tree.sh" verify-series "$build/patches" >>"$log" 2>&1; then
	result ok "make patches: the full series applies with git am to the pinned tree"
	for p in "$build"/patches/*.patch; do
		# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") is left out:
		# the series updates MAINTAINERS once, in its own patch
		# (patches/series/0003), as new subsystems usually do.
		if (cd "$tree" && perl scripts/checkpatch.pl --strict --terse --no-summary \
			--ignore FILE_PATH_CHANGES "$p") >"$log" 2>&1; then
			result ok "checkpatch --strict build/patches/$(basename "$p")"
		else
			result not-ok "checkpatch --strict build/patches/$(basename "$p")" "$log"
		fi
	done
else
	result not-ok "make patches: the full series applies with git am to the pinned tree" "$log"
fi

# The IOMMU layer takes every PASID from the IOASID core.
if "$top/scripts/pasid-allocators.sh" "$tree" HEAD >"$log" 2>&1; then
	result ok "the patched tree has no PASID allocator outside the IOASID core"
else
	result not-ok "the patched tree has no PASID allocator outside the IOASID core" "$log"
fi
# ... and the same check finds the IDA the series replaced, so it can fail.
if ! "$top/scripts/pasid-allocators.sh" "$tree" base >"$log" 2>&1 &&
   grep -q 'drivers/iommu/iommu.c:.*ida_alloc_range(&iommu_global_pasid_ida' "$log"; then
	result ok "the same check finds iommu_global_pasid_ida in the unpatched tree"
else
	result not-ok "the same check finds iommu_global_pasid_ida in the unpatched tree" "$log"
fi

kmake() { make -C "$tree" O="$lintdir" ARCH=um LOCALVERSION= -j"${JOBS:-$(nproc)}" "$@"; }
if ! cmp -s "$build/uml/.config" "$lintdir/.config"; then
	cp "$build/uml/.config" "$lintdir/.config"
fi
for o in $objects; do rm -f "$lintdir/$o"; done
if kmake W=1 $objects >"$log" 2>&1; then
	for o in $objects; do
		grep -F "${o%.o}.c:" "$log" | grep -E 'warning:|error:' >"$log.$$" || true
		if [ -s "$log.$$" ]; then result not-ok "W=1 $o builds without warnings" "$log.$$"
		else result ok "W=1 $o builds without warnings"; fi
		rm -f "$log.$$"
	done
else
	grep -E 'warning:|error:' "$log" >"$log.$$" || tail -n 20 "$log" >"$log.$$"
	result not-ok "W=1 build of $objects" "$log.$$"
	rm -f "$log.$$"
fi

{ echo "TAP version 13"; echo "1..$n"; cat "$tap"; } >"$out/lint.tap"
rm -f "$tap" "$log"
