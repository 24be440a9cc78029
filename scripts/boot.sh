#!/bin/bash
# Boot the UML test kernel with the host's root as hostfs and init.sh as
# PID 1. Usage: scripts/boot.sh OUTDIR MODE [VAR=value | kernel-param]...
# The console goes to OUTDIR/console.log (and to stdout with SHOW=1).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
linux=${UML_LINUX:-$build/uml/linux}
out=$(realpath -m "$1") mode=$2
shift 2

[ -x "$linux" ] || { echo "boot.sh: no test kernel at $linux; run make kernel" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out" "$build/uml-run"

cmd=("$linux" mem=1G rootfstype=hostfs rw "init=$top/tests/harness/init.sh"
     con=null con0=null,fd:1 "uml_dir=$build/uml-run"
     "IOASID_TOP=$top" "IOASID_OUT=$out" "IOASID_MODE=$mode" "$@")
rc=0
if [ "${SHOW:-0}" = 1 ]; then
	timeout "${BOOT_TIMEOUT:-900}" "${cmd[@]}" </dev/null 2>&1 | tee "$out/console.log" || rc=$?
else
	timeout "${BOOT_TIMEOUT:-900}" "${cmd[@]}" </dev/null >"$out/console.log" 2>&1 || rc=$?
fi
# A clean run ends with the harness's last line, whatever UML's exit code.
if ! grep -q '^harness: finished' "$out/console.log"; then
	echo "boot.sh: the test kernel did not finish (exit $rc); last lines of $out/console.log:" >&2
	tail -n 25 "$out/console.log" >&2
	exit 1
fi
