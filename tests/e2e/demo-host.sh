#!/bin/sh
# make demo's boot, as a test: it runs to the end, the kernel log line it
# shows is vm1's refusal by its own limit, not a line from another boot step,
# and the log has no report (scripts/kernel-log.sh).
# Usage: tests/e2e/demo-host.sh TOP OUTDIR; TAP in OUTDIR/demo.tap
top=$1 out=$2
t=$out
mkdir -p "$out"
. "$top/tests/lib/tap.sh"
{
	echo "TAP version 13"
	"$top/scripts/boot.sh" "$out/run" demo quiet >"$out/boot.err" 2>&1
	result $? "make demo's boot ran to the end"
	shown=$(sed -n '/the kernel log says who was refused/{n;p;}' "$out/run/console.log" | tr -d '\r')
	echo "# shown: $shown"
	echo "$shown" | grep -Eq '^demo:  ioasids: ioasid-alloc\[[0-9]+\] refused an IOASID by ioasids\.max \(3\) of /machine\.slice/vm1$'
	result $? "the log line it shows is vm1's refusal by its ioasids.max of 3"
	# the whole log, KUnit's refusals at boot included
	[ -s "$out/run/dmesg.txt" ] &&
		! grep -Eq 'refused an IOASID by ioasids\.max( \([0-9]+\))? of /$' "$out/run/dmesg.txt"
	result $? "no line of the kernel log names a limit of the root, which has none"
	# the checkers' reports (the test kernel has KASAN), as every boot's
	report=$("$top/scripts/kernel-log.sh" "$out/run/dmesg.txt" "$out/run/console.log")
	result $? "the kernel log has no warning, BUG, oops or KASAN report"
	[ -z "$report" ] || printf '%s\n' "$report"
	tap_end
} >"$out/demo.tap"
