#!/bin/sh
# What an unprivileged user can and cannot do, run as root inside the test
# kernel; the user is nobody (65534), through setpriv.
#
# - /dev/ioasid is root-only (0600) by default: nobody cannot open it.
# - nobody cannot write ioasids.max of a cgroup it was not given.
# - in a subtree delegated to nobody (cgroup-v2.rst, "Delegation"), nobody
#   can create children and set their limits, but cannot raise the limit of
#   the subtree's root, cannot move its processes out of the subtree, and
#   its processes cannot hold more than that limit, whatever the children's
#   limits say.
# - a set cannot free another set's IOASIDs, another user's included, and
#   nothing lists what other sets hold.
# shellcheck disable=SC1091
. "$IOASID_TOP/tests/lib/tap.sh"
alloc=$IOASID_TOP/build/tests/ioasid-alloc
cg=/sys/fs/cgroup
t=$(mktemp -d)
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# ok DESCRIPTION COMMAND...: the command succeeds; refused: it fails
ok() { _d=$1; shift; "$@" >"$t/out" 2>&1; result $? "$_d"; }
refused() { _d=$1; shift; ! "$@" >"$t/out" 2>&1; result $? "$_d"; }
nobody_writes() { as_nobody sh -c "echo '$2' >'$1'"; }

echo "TAP version 13"
echo +ioasids >$cg/cgroup.subtree_control

# ---- /dev/ioasid's permissions ---------------------------------------------
result "$([ "$(stat -c '%a %U %G' /dev/ioasid)" = "600 root root" ]; echo $?)" \
	"/dev/ioasid is mode 0600, root:root ($(stat -c '%a %U %G' /dev/ioasid))"
expect 2 "nobody cannot open /dev/ioasid" as_nobody "$alloc" -n 1
result "$(has "Permission denied"; echo $?)" "... and is told Permission denied"

# ---- limits outside a delegation -------------------------------------------
mkdir $cg/sec-plain
echo 5 >$cg/sec-plain/ioasids.max
refused "nobody cannot write ioasids.max of a cgroup it was not given" \
	nobody_writes $cg/sec-plain/ioasids.max max
result "$(file_is $cg/sec-plain/ioasids.max 5; echo $?)" "... which still reads 5"
refused "nobody cannot disable the controller at the root" \
	nobody_writes $cg/cgroup.subtree_control -ioasids
rmdir $cg/sec-plain

# ---- a delegated subtree ---------------------------------------------------
# Delegation as systemd does it: the directory and the files that let the
# delegatee manage its subtree; the resource files of the subtree's root
# stay root's, so its limit is the parent's decision.
d=$cg/sec-deleg
mkdir $d
echo 3 >$d/ioasids.max
chown 65534:65534 $d $d/cgroup.procs $d/cgroup.threads $d/cgroup.subtree_control
# the test lets nobody use /dev/ioasid, as an administrator's udev rule would
chmod 0666 /dev/ioasid

ok "nobody can create children in its delegated subtree" as_nobody mkdir $d/vm $d/vm2
ok "nobody can enable ioasids for its children" \
	nobody_writes $d/cgroup.subtree_control +ioasids
ok "nobody can set its child's limit above the subtree's" nobody_writes $d/vm/ioasids.max 100
refused "nobody cannot raise the limit of the subtree's root" nobody_writes $d/ioasids.max 100
result "$(file_is $d/ioasids.max 3; echo $?)" "... which still reads 3"

# nobody's VMM, started by root in the child: the child's 100 does not beat
# the subtree's 3
(echo 0 >$d/vm/cgroup.procs && exec setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$alloc" -n 5 --hold) >"$t/vmm" 2>&1 &
vmm=$!
for _ in $(seq 100); do grep -q holding "$t/vmm" && break; sleep 0.1; done
result "$(grep -c 'allocated IOASID' "$t/vmm" | grep -qx 3; echo $?)" \
	"a process in the delegated child holds 3 of 5, the subtree's limit"
result "$(grep -c 'refused' "$t/vmm" | grep -qx 2; echo $?)" "... and is refused 2 (ENOSPC)"
result "$(file_is $d/ioasids.current 3; echo $?)" "the subtree's ioasids.current is 3"
pid=$(cat $d/vm/cgroup.procs)
refused "nobody cannot move its process out of the subtree" nobody_writes $cg/cgroup.procs "$pid"
result "$(grep -qx "$pid" $d/vm/cgroup.procs; echo $?)" "... which stays in it"
ok "nobody can move its process between its own children" nobody_writes $d/vm2/cgroup.procs "$pid"
result "$(file_is $d/ioasids.current 3; echo $?)" "... and the subtree still holds 3"

# ---- other sets' IOASIDs ----------------------------------------------------
held=$(sed -n 's/.*allocated IOASID \([0-9]*\)$/\1/p' "$t/vmm" | head -n 1)
expect 3 "root cannot free nobody's IOASID $held from another set (ENOENT)" \
	"$alloc" -n 0 --free "$held"
(echo 0 >$cg/cgroup.procs; exec "$alloc" -n 1 --hold) >"$t/root" 2>&1 &
rootvmm=$!
for _ in $(seq 100); do grep -q holding "$t/root" && break; sleep 0.1; done
rid=$(sed -n 's/.*allocated IOASID \([0-9]*\)$/\1/p' "$t/root")
expect 3 "nobody cannot free root's IOASID $rid (ENOENT)" as_nobody "$alloc" -n 0 --free "$rid"
result "$(file_is $d/ioasids.current 3; echo $?)" "nobody's subtree still holds 3"
kill "$rootvmm"
wait "$rootvmm" 2>/dev/null

kill "$vmm"
wait "$vmm" 2>/dev/null
result "$(file_is $d/ioasids.current 0; echo $?)" "closing nobody's file returned its 3"
chmod 0600 /dev/ioasid
rmdir $d/vm $d/vm2 $d
rm -rf "$t"
tap_end
