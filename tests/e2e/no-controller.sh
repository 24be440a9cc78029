#!/bin/sh
# Booted with cgroup_disable=ioasids ioasid.capacity=0: ioasidctl says the
# controller is missing, with its exit status, /dev/ioasid still allocates,
# and the bad capacity was refused. TAP.
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
alloc=$IOASID_TOP/build/tests/ioasid-alloc
t=$TMPDIR/no-controller
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/oci.sh"
grep -qw ioasids /sys/fs/cgroup/cgroup.controllers
result $((! $?)) "ioasids is not in cgroup.controllers"
$ctl info >"$TMPDIR/out" 2>&1
rc=$?
result $(( rc != 3 )) "ioasidctl info exits 3 (got $rc)"
grep -q "no ioasids cgroup controller" "$TMPDIR/out"
result $? "and says the kernel has no ioasids controller"
$ctl set /x 3 >/dev/null 2>&1
rc=$?
result $(( rc != 3 )) "ioasidctl set exits 3 (got $rc)"
"$alloc" -n 3 >/dev/null
result $? "/dev/ioasid still allocates"
# booted with ioasid.capacity=0 too: logged, and the default is used
dmesg | grep -q "ioasid: capacity=0 is out of range, using 1048575"
result $? "an out-of-range ioasid.capacity= is logged"
[ "$(cat /sys/module/ioasid/parameters/capacity)" = 1048575 ]
result $? "and the default capacity is used"

# what a container runtime says, asked for a limit the kernel cannot set
bundle c1 /oci/c1 '"ioasids.max": "2"' "" "" "-n 1"
crun run -b "$t/c1" c1 >"$t/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "the requested cgroup controller \`ioasids\` is not available" "$t/out" &&
	! grep -q "^c1: " "$t/out"
result $? "crun refuses a container with unified ioasids.max, which never runs (exit $rc)"
bundle h1 /oci/h1 "" '"io.ioasids.max": "2", "run.oci.hooks.stderr": "'"$t/h1.err"'"' \
	'"createRuntime": [ { "path": "'"$ctl"'", "args": [ "ioasidctl", "oci-hook" ] } ]' "-n 1"
crun run -b "$t/h1" h1 >"$t/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "error executing hook .* (exit code: 3)" "$t/out" &&
	! grep -q "^h1: " "$t/out"
result $? "the oci-hook fails a container annotated with a limit, which never runs (exit $rc)"
sed 's/^/# /' "$t/out"
grep -qx "ioasidctl oci-hook: container h1 asks for io.ioasids.max=2, but the running kernel has no ioasids cgroup controller" "$t/h1.err"
result $? "  and says why in one line"
sed 's/^/# /' "$t/h1.err"
tap_end
