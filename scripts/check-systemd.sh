#!/bin/bash
# Boot the test kernel with systemd as PID 1 on the debootstrap root, let
# ioasid-tests.service run the suites, and collect their TAP into OUTDIR,
# with OUTDIR/kernel.tap for the boots themselves. BOOTS (default 1) boots
# the same root that many times in a row, for suites that check what lasts;
# the last of them with LAST_PARAMS on the kernel's command line as well.
# Usage: scripts/check-systemd.sh ROOTDIR OUTDIR [BOOTS [LAST_PARAMS]]
# UML_LINUX=FILE boots that UML kernel (default build/uml/linux).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
root=$(realpath -m "$1") out=$(realpath -m "$2")
rm -rf "$out"
mkdir -p "$out" "$build/uml-run"

boots=${3:-1}
last_params=${4:-}
rcs=()
for b in $(seq 1 "$boots"); do
	log=$out/console.log
	[ "$b" -eq 1 ] || log=$out/console-$b.log
	params=
	[ "$b" -lt "$boots" ] || params=$last_params
	# a hang guard (BOOT_TIMEOUT): the first boot, which runs most suites,
	# took 285 s on the KASAN test kernel beside make check's kernel builds
	# shellcheck disable=SC2086
	timeout "${BOOT_TIMEOUT:-900}" "${UML_LINUX:-$build/uml/linux}" mem=1G rootfstype=hostfs "hostfs=$root" rw \
		init=/lib/systemd/systemd con=null con0=null,fd:1 "uml_dir=$build/uml-run" \
		systemd.show_status=0 $params </dev/null >"$log" 2>&1
	rcs+=($?)
done
cp "$root"/var/lib/ioasid-tests/*.tap "$root"/var/lib/ioasid-tests/journal*.txt "$out/" 2>/dev/null
{
	echo "TAP version 13"
	n=0
	for b in $(seq 1 "$boots"); do
		log=$out/console.log what="systemd booted as PID 1"
		[ "$b" -eq 1 ] || log=$out/console-$b.log what="boot $b: systemd booted as PID 1 again"
		[ "$b" -eq 1 ] || [ "$b" -lt "$boots" ] || [ -z "$last_params" ] || what="$what, with $last_params"
		n=$((n + 1))
		if grep -q '^harness: finished' "$log"; then
			echo "ok $n $what, ran the suites and powered off"
		else
			echo "not ok $n $what, ran the suites and powered off (exit ${rcs[$((b - 1))]})"
			tail -n 20 "$log" | sed 's/^/# /'
		fi
		bad=$(grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection' "$log" | head -n 5)
		n=$((n + 1))
		if [ -z "$bad" ]; then
			echo "ok $n   the kernel log has no warning, BUG or oops"
		else
			echo "not ok $n   the kernel log has no warning, BUG or oops"
			printf '# %s\n' "$bad"
		fi
	done
	n=$((n + 1))
	if ls "$out"/e2e-*.tap >/dev/null 2>&1 && grep -qE '^(not )?ok ' "$out"/e2e-*.tap; then
		echo "ok $n the suites left results"
	else
		echo "not ok $n the suites left results"
	fi
	echo "1..$n"
} >"$out/kernel.tap"
exit 0
