#!/bin/bash
# Boot the test kernel with systemd as PID 1 on the debootstrap root, let
# ioasid-tests.service run the suites, and collect their TAP into OUTDIR,
# with OUTDIR/kernel.tap for the boot itself.
# Usage: scripts/check-systemd.sh ROOTDIR OUTDIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
root=$(realpath -m "$1") out=$(realpath -m "$2")
rm -rf "$out"
mkdir -p "$out" "$build/uml-run"

timeout "${BOOT_TIMEOUT:-300}" "$build/uml/linux" mem=1G rootfstype=hostfs "hostfs=$root" rw \
	init=/lib/systemd/systemd con=null con0=null,fd:1 "uml_dir=$build/uml-run" \
	systemd.show_status=0 </dev/null >"$out/console.log" 2>&1
rc=$?
cp "$root"/var/lib/ioasid-tests/*.tap "$root/var/lib/ioasid-tests/journal.txt" "$out/" 2>/dev/null
{
	echo "TAP version 13"
	if grep -q '^harness: finished' "$out/console.log"; then
		echo "ok 1 systemd booted as PID 1, ran the suites and powered off"
	else
		echo "not ok 1 systemd booted as PID 1, ran the suites and powered off (exit $rc)"
		tail -n 20 "$out/console.log" | sed 's/^/# /'
	fi
	bad=$(grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection' "$out/console.log" | head -n 5)
	if [ -z "$bad" ]; then
		echo "ok 2 the kernel log has no warning, BUG or oops"
	else
		echo "not ok 2 the kernel log has no warning, BUG or oops"
		printf '# %s\n' "$bad"
	fi
	if ls "$out"/e2e-*.tap >/dev/null 2>&1 && grep -qE '^(not )?ok ' "$out"/e2e-*.tap; then
		echo "ok 3 the suites left results"
	else
		echo "not ok 3 the suites left results"
	fi
	echo "1..3"
} >"$out/kernel.tap"
exit 0
