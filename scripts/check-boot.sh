#!/bin/bash
# Boot the test kernel once and turn what it did into TAP:
# OUTDIR/kernel.tap says whether it booted, ran the suites to the end, and
# logged no warning, BUG or oops (scripts/kernel-log.sh). The suites write
# their own *.tap files.
# Usage: scripts/check-boot.sh OUTDIR "SUITES" [kernel params...]
# X86_KERNEL=DIR boots that x86_64 kernel under QEMU instead of UML (boot.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1 suites=$2
shift 2

"$top/scripts/boot.sh" "$out" suites "IOASID_SUITES=$suites" "$@"
booted=$?
mkdir -p "$out"
{
	echo "TAP version 13"
	n=2
	if [ $booted -eq 0 ]; then
		echo "ok 1 the test kernel booted and ran: $suites"
	else
		echo "not ok 1 the test kernel booted and ran: $suites"
	fi
	# the reports of the kernels' checkers too (KASAN in configs/uml.config,
	# configs/uml-debug.config, the SMP kernels'): scripts/kernel-log.sh,
	# which lists a KCSAN race with no frame in the series' code and fails
	# every other report
	report=$("$top/scripts/kernel-log.sh" "$out/dmesg.txt" "$out/console.log")
	clean=$?
	if [ $booted -eq 0 ] && [ $clean -eq 0 ]; then
		echo "ok 2 the kernel log has no warning, BUG or oops"
	else
		echo "not ok 2 the kernel log has no warning, BUG or oops"
	fi
	[ -z "$report" ] || printf '%s\n' "$report"
	# every suite asked for left its results
	for suite in $(echo "$suites" | tr , ' '); do
		case $suite in
		kunit) files=$(ls "$out"/kunit-*.tap 2>/dev/null) ;;
		capacity) files=$(ls "$out"/kselftest-capacity.tap 2>/dev/null) ;;
		ioasidctl|containers|libvirt|security|failslab) files=$(ls "$out"/e2e-$suite.tap 2>/dev/null) ;;
		bench_smp) files=$(ls "$out"/bench-smp.tap 2>/dev/null) ;;
		no_controller) files=$(ls "$out"/e2e-no-controller.tap 2>/dev/null) ;;
		docs) files=$(ls "$out"/docs-uml.tap 2>/dev/null) ;;
		*) files=$(ls "$out/$suite.tap" 2>/dev/null) ;;
		esac
		n=$((n + 1))
		if [ -n "$files" ] && grep -qE '^[ \t]*(not )?ok ' $files; then
			echo "ok $n suite $suite left results"
		else
			echo "not ok $n suite $suite left results"
		fi
	done
	echo "1..$n"
} >"$out/kernel.tap"
exit 0
