#!/bin/sh
# Booted with cgroup_disable=ioasids ioasid.capacity=0: ioasidctl says the
# controller is missing, with its exit status, /dev/ioasid still allocates,
# and the bad capacity was refused. TAP.
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
alloc=$IOASID_TOP/build/tests/ioasid-alloc
. "$(dirname "$0")/../lib/tap.sh"
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
tap_end
