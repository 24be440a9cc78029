#!/bin/sh
# Booted with cgroup_disable=ioasids: ioasidctl says the controller is
# missing, with its exit status, and /dev/ioasid still allocates. TAP.
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
alloc=$IOASID_TOP/build/tests/ioasid-alloc
n=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
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
result $? "/dev/ioasid allocates, charged to no cgroup"
echo "1..$n"
