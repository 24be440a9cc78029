#!/bin/bash
# Read a test kernel's log for the reports of its checkers: KASAN, KCSAN,
# lockdep, kmemleak, UBSAN, debug objects, WARN, BUG, oops and panics.
#
# Every report fails the boot but one kind: a KCSAN data race with no frame
# in the series' code. Non-strict KCSAN still reports races that the VFS,
# fsnotify and 9p keep on purpose (a plain read of dentry->d_flags beside a
# locked "|=", say), and our tests reach them through inotify, path walks
# and the 9p root. Those are listed under the result, not failed.
#
# A race "at unknown origin" has one stack: KCSAN saw the value change
# while it watched, but no instrumented access consumed its watchpoint.
# The other side is usually code built without KCSAN, or a device: under
# QEMU, the virtio ring the 9p root's requests go through, which QEMU
# writes (virtqueue_kick_prepare reading the ring's event index failed a
# CI run). Such a race with no frame in the series' code is listed too.
# The series' code is all instrumented, so a race with it is normally
# printed with both stacks, which fails; an instrumented write can still
# be missed (one that checked before the watchpoint was set, a bulk copy
# checked before it writes), so this exception is a judgement, and one
# race of ours seen only this way would pass. When the series' code is not
# all instrumented (below), every race at unknown origin fails.
#
# A race with a frame in the series' code fails, and so do a failed KCSAN
# assertion and every KCSAN report when the series' function names cannot
# be read.
#
# The series' code: the functions defined in its own files (the controller,
# the IOASID core, /dev/ioasid, the benchmark, the KUnit suites) and in every
# .c file of the kernel tree that a patch of patches/series/ or
# patches/test-kernel/ touches (all of cgroup.c, say: a race reached
# through a cgroupfs write fails).
#
# Usage: scripts/kernel-log.sh LOG...
# Prints "# " lines: the first failing report with the ten lines under it,
# the first five failing lines, then one line per race outside the series.
# Exits 0 when nothing failed, 1 otherwise (and when no log can be read).
# IOASID_TREE: the patched kernel tree (default: build/linux).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${IOASID_TREE:-${BUILD:-$top/build}/linux}

names=$(mktemp)
trap 'rm -f "$names"' EXIT
# Function definitions in kernel style: the name after its return type at
# the start of a line, or alone at the start of the line after it. Macros
# and prototypes add names too: more names only fail more reports.
list_functions() {
	sed -nE -e 's/^[A-Za-z_][A-Za-z0-9_ *]*[ *]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' \
		-e 's/^([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' "$@"
}
known=1
own=("$top"/kernel/cgroup/ioasid.c "$top"/drivers/iommu/ioasid/*.c "$top"/tests/kunit/*.c)
list_functions "${own[@]}" >"$names" || known=0
touched=()
while read -r f; do
	if [ -f "$tree/$f" ]; then
		list_functions "$tree/$f" >>"$names"
		touched+=("$f")
	else
		known=0
	fi
done < <(sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$top"/patches/series/*.patch \
	"$top"/patches/test-kernel/*.patch | sort -u)
[ -s "$names" ] || known=0

# Is every object of the series instrumented? A KCSAN build instruments
# what kbuild and the source do not exempt: KCSAN_SANITIZE for the
# directory or the object, in the Makefile beside the file (a directory's
# setting does not pass down), and __no_kcsan, noinstr, data_race() and
# the like in the source. Checked in our files, in the lines the patches
# add, and in the tree's Makefiles beside our files and those the patches
# touch. (ioasid_kunit.c builds beside the core, under its Makefile.)
instrumented=1
objs=$(for f in "${own[@]}" "${touched[@]}"; do basename "$f" .c; done | sort -u | paste -sd'|')
mkre="^[[:space:]]*KCSAN_SANITIZE([[:space:]]*:?=|_($objs)\.o)"
srcre='KCSAN_SANITIZE|__no_kcsan|__no_sanitize_thread|noinstr|data_race\(|kcsan_(disable|enable|nestable)|ASSERT_EXCLUSIVE_BITS|__kcsan_'
makefiles=("$tree"/kernel/cgroup/Makefile "$top"/drivers/iommu/ioasid/Makefile)
for f in "${touched[@]}"; do
	makefiles+=("$tree/$(dirname "$f")/Makefile")
done
grep -qsE "$mkre" "${makefiles[@]}" && instrumented=0
grep -qsE "$srcre" "${own[@]}" "$top"/drivers/iommu/ioasid/*.h "$top"/include/linux/*.h && instrumented=0
grep -qsE "^\+.*($srcre)" "$top"/patches/series/*.patch "$top"/patches/test-kernel/*.patch && instrumented=0

logs=()
for f in "$@"; do
	[ -r "$f" ] && logs+=("$f")
done
if [ ${#logs[@]} -eq 0 ]; then
	echo "# no kernel log to read: $*"
	exit 1
fi

re='WARNING:|BUG:|Oops|Kernel panic|general protection|UBSAN:|KASAN:|suspected memory leak|possible (recursive|circular) locking|inconsistent lock state|lockdep:.*(off|disabl)|ODEBUG:|list_(add|del) corruption|INFO: task .* blocked'

awk -v names="$names" -v known="$known" -v instrumented="$instrumented" -v re="$re" '
BEGIN {
	while ((getline n < names) > 0)
		ours[n] = 1
	failed = 0; shown = 0; ctx = 0; nbad = 0; nup = 0
	rule = "=================================================================="
}
# A KCSAN report runs from its "BUG: KCSAN:" line to the rule of 66 "="
# that ends it (or the next report, or the end of its log file).
function finish() {
	if (!in_k)
		return
	in_k = 0
	if (hit || !known || !race || (unknown && !instrumented)) {
		failed = 1
		if (!shown) {
			shown = 1
			printf "%s", block
		}
		bad[++nbad] = title
	} else {
		if (unknown)
			title = title " (at unknown origin)"
		if (!(title in seen_up)) {
			seen_up[title] = 1
			up[++nup] = title
		}
	}
}
# a line that is a report of its own, even inside a KCSAN report (other
# CPUs print in the middle of one)
function report(line) {
	failed = 1
	if (!shown) {
		shown = 1
		print "# " line
		ctx = 10
	}
	bad[++nbad] = line
}
FNR == 1 {
	finish()
	ctx = 0
}
{
	line = $0
	sub(/\r$/, "", line)		# the serial console ends lines with CR LF
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", line)
}
line ~ /BUG: KCSAN:/ {
	finish()
	in_k = 1; hit = 0; unknown = 0; title = line
	race = line ~ /BUG: KCSAN: data-race in /
	block = "# " line "\n"; kept = 1
	next
}
in_k {
	if (line == rule) {
		finish()
		next
	}
	if (kept < 11) {
		block = block "# " line "\n"
		kept++
	}
	if (line ~ /race at unknown origin/)
		unknown = 1
	if (line ~ re)
		report(line)
	# a frame: " func+0x1c/0x40", " func.isra.0+0x1c/0x40", wherever
	# the line has it (after a prefix, after "reordered to:")
	if (match(line, /(^|[ \t:])(\? )?[A-Za-z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+/)) {
		fn = substr(line, RSTART, RLENGTH)
		sub(/^[ \t:]*(\? )?/, "", fn)
		sub(/\+0x.*/, "", fn)
		sub(/\..*/, "", fn)
		if (fn in ours)
			hit = 1
	}
	next
}
ctx > 0 {
	print "# " line
	ctx--
}
line ~ re {
	report(line)
}
END {
	finish()
	for (i = 1; i <= nbad && i <= 5; i++)
		print "# " bad[i]
	for (i = 1; i <= nup; i++)
		print "# a data race outside the series: " up[i]
	exit failed
}' "${logs[@]}"
