#!/bin/bash
# Kernel code quality as TAP in OUTDIR/lint.tap: checkpatch.pl --strict from
# the pinned tree on every kernel file we add, every patch in patches/series
# and every patch of the series make patches writes (cover letter included),
# a W=1 build of our objects, which must not warn, and the checks the
# kernel's build bots run: sparse, clang W=1, coccicheck, kernel-doc -Wall,
# the admin guide through Sphinx, and get_maintainer.pl on every patch.
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
. "$top/scripts/tap-file.sh"
tap_open "$out/lint.tap"

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
	for p in "$build"/patches/*.patch "$build"/patches/optional/*.patch; do
		# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") is left out:
		# the series updates MAINTAINERS once, in its own patch
		# (patch 7 of the series), as new subsystems usually do.
		if (cd "$tree" && perl scripts/checkpatch.pl --strict --terse --no-summary \
			--ignore FILE_PATH_CHANGES "$p") >"$log" 2>&1; then
			result ok "checkpatch --strict ${p#"$build"/}"
		else
			result not-ok "checkpatch --strict ${p#"$build"/}" "$log"
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

# ---- the checks the kernel's build bots run ----------------------------
# A finding counts when it is in one of our files.
ours=$(echo "$files" | grep -E '\.[ch]$' | sed 's/[.]/[.]/g' | paste -sd'|')
findings() { grep -E "(^|/)($ours):[0-9]+(:[0-9]+)?[:-]" "$1" | grep -E "${2:-warning|error}"; }

# sparse, as make C=2 runs it (whether or not the object is up to date),
# on the UML objects.
if kmake C=2 $objects >"$log" 2>&1; then
	if findings "$log" >"$log.$$"; then result not-ok "sparse (C=2): no finding in our objects" "$log.$$"
	else result ok "sparse (C=2): no finding in our objects"; fi
else
	tail -n 20 "$log" >"$log.$$"; result not-ok "sparse (C=2) runs on our objects" "$log.$$"
fi
rm -f "$log.$$"

# clang, as the LLVM=1 build bots build, at W=1, in build/uml-clang. The
# test kernel's KASAN instruments the stack, which Kconfig makes gcc's
# default only ("unsafe" with clang: frames grow past FRAME_WARN): a
# clang configuration has it off, so this copy has it off too.
clangdir=$build/uml-clang
mkdir -p "$clangdir"
cmake_() { make -C "$tree" O="$clangdir" ARCH=um LLVM=1 LOCALVERSION= -j"${JOBS:-$(nproc)}" "$@"; }
cmp -s "$build/uml/.config" "$clangdir/.config.gcc" || {
	cp "$build/uml/.config" "$clangdir/.config"; cp "$build/uml/.config" "$clangdir/.config.gcc"
	"$tree/scripts/config" --file "$clangdir/.config" -d KASAN_STACK; }
for o in $objects drivers/iommu/ioasid/bench.o; do rm -f "$clangdir/$o"; done
if cmake_ olddefconfig >"$log" 2>&1 && cmake_ W=1 $objects drivers/iommu/ioasid/bench.o >>"$log" 2>&1; then
	if findings "$log" >"$log.$$"; then result not-ok "clang (LLVM=1) W=1: no warning in our objects" "$log.$$"
	else result ok "clang (LLVM=1) W=1: no warning in our objects"; fi
else
	grep -E 'error' "$log" >"$log.$$" || tail -n 20 "$log" >"$log.$$"
	result not-ok "clang (LLVM=1) W=1 builds our objects" "$log.$$"
fi
rm -f "$log.$$"

# coccicheck, every semantic patch of the pinned tree, on copies of our C
# files (M= takes a directory; ours are spread over three). spatch skips a
# file in which git grep finds none of a patch's tokens, and git grep does
# not see our files (untracked in the tree): --disable-worth-trying-opt.
# A canary with a known finding proves the files were read.
cs=$build/cocci-src
rm -rf "$cs"
for f in $(echo "$files" | grep -E '\.[ch]$'); do mkdir -p "$cs/$(dirname "$f")"; cp "$tree/$f" "$cs/$f"; done
printf '#include <linux/slab.h>\nvoid canary(void *p)\n{\n\tif (p)\n\t\tkfree(p);\n}\n' >"$cs/canary.c"
if make -C "$tree" -s coccicheck MODE=report M="$cs" J="${JOBS:-$(nproc)}" \
	SPFLAGS=--disable-worth-trying-opt >"$log" 2>&1; then
	if ! grep -q "^$cs/canary.c:[0-9]*:.*NULL check before some freeing functions" "$log"; then
		{ echo "the canary's kfree(NULL) check was not reported:"; tail -n 20 "$log"; } >"$log.$$"
		result not-ok "coccicheck reads our files (it reports the canary)" "$log.$$"
	elif findings "$log" '.' >"$log.$$"; then result not-ok "coccicheck: no finding in our files" "$log.$$"
	else result ok "coccicheck: no finding in our files ($(grep -c '^/usr/bin/spatch' "$log") semantic patches)"; fi
else
	tail -n 20 "$log" >"$log.$$"; result not-ok "coccicheck runs on our files" "$log.$$"
fi
rm -f "$log.$$"

# kernel-doc -Wall on every file of ours with kernel-doc comments.
for f in $(echo "$files" | grep -E '\.[ch]$'); do
	grep -q '^/\*\*$' "$tree/$f" || continue
	if (cd "$tree" && perl scripts/kernel-doc -none -Wall "$f") >"$log" 2>&1 && [ ! -s "$log" ]; then
		result ok "kernel-doc -none -Wall $f"
	else
		result not-ok "kernel-doc -none -Wall $f" "$log"
	fi
done

# htmldocs: the admin guide rendered with the tree's Sphinx configuration,
# with no warning, and with every table and literal block of the source.
doc=Documentation/admin-guide/cgroup-v2-ioasid.rst
docdir=$build/htmldocs
rm -rf "$docdir"
mkdir -p "$docdir/src"
cp "$tree/$doc" "$docdir/src/"
printf '.. toctree::\n\n   cgroup-v2-ioasid\n' >"$docdir/src/index.rst"
if (cd "$tree/Documentation" && sphinx-build -q -b html -c . -D kerneldoc_srctree=.. \
	-D kerneldoc_bin=../scripts/kernel-doc -d "$docdir/doctrees" "$docdir/src" "$docdir/html") >"$log" 2>&1; then
	html=$docdir/html/cgroup-v2-ioasid.html
	grep -v 'dot(1) not found\|^Using .* theme' "$log" >"$log.$$" || true
	if [ -s "$log.$$" ]; then result not-ok "htmldocs: $doc renders without a warning" "$log.$$"
	else result ok "htmldocs: $doc renders without a warning"; fi
	want_pre=$(grep -E '::$' "$tree/$doc" | grep -cvE '^\s*\.\. ')
	want_tables=$(grep -cE '^\s*\.\. (list-table|table|csv-table)::|^\s*\+[-=]+\+' "$tree/$doc")
	got_pre=$(grep -o '<pre>' "$html" | wc -l) got_tables=$(grep -o '<table class="docutils' "$html" | wc -l)
	if [ "$got_pre" = "$want_pre" ] && [ "$got_tables" = "$want_tables" ] && ! grep -q 'system-message' "$html"; then
		result ok "htmldocs: the page has its $want_pre literal blocks and $want_tables table(s)"
	else
		echo "literal blocks: $got_pre rendered, $want_pre in the source; tables: $got_tables, $want_tables" >"$log.$$"
		result not-ok "htmldocs: the page has every literal block and table" "$log.$$"
	fi
else
	tail -n 20 "$log" >"$log.$$"; result not-ok "htmldocs: $doc renders" "$log.$$"
fi
rm -f "$log.$$"

# get_maintainer.pl sends every patch to the cgroup list (MAINTAINERS's own
# patch aside) and every patch that touches the IOMMU side to the IOMMU list.
if [ -d "$build/patches" ] && "$top/scripts/kernel-tree.sh" maintainers "$build/patches" >"$log" 2>&1; then
	while IFS= read -r line; do
		p=${line%%: *} lists=${line#*: } miss=
		touched=$(grep '^+++ b/' "$build/patches/$p" | cut -c7-)
		echo "$touched" | grep -qvx MAINTAINERS && ! echo "$lists" | grep -q 'cgroups@vger.kernel.org' &&
			miss="cgroups@vger.kernel.org"
		echo "$touched" | grep -qE '^(drivers/iommu/|include/(uapi/)?linux/ioasid\.h|Documentation/admin-guide/cgroup-v2-ioasid)' &&
			! echo "$lists" | grep -q 'iommu@lists.linux.dev' && miss="$miss iommu@lists.linux.dev"
		if [ -z "$miss" ]; then result ok "get_maintainer.pl: $p goes to $lists"
		else echo "$line; missing: $miss" >"$log.$$"; result not-ok "get_maintainer.pl: $p reaches its lists" "$log.$$"; fi
	done <"$log"
else
	result not-ok "get_maintainer.pl runs on the series" "$log"
fi
rm -f "$log.$$"

tap_write
rm -f "$log"
