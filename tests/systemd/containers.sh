#!/bin/sh
# Under systemd as PID 1: a libvirt resource partition's slice with
# IOASIDMax=, and crun with systemd as its cgroup manager, limited through
# the package's oci-hook and through linux.resources.unified. TAP.
ctl=/usr/bin/ioasidctl
alloc=/usr/lib/ioasid-tests/ioasid-alloc
cg=/sys/fs/cgroup
t=/run/ioasid-tests/containers
TESTS=/usr/lib/ioasid-tests
CGROUP_MANAGER=systemd
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/oci.sh"

capped() {
	[ "$(grep -c "^$1: allocated IOASID" "$t/out")" -eq 2 ] &&
		[ "$(grep -c "^$1: refused: No space left on device (ENOSPC)" "$t/out")" -eq 3 ] ||
		{ sed 's/^/# /' "$t/out" "$t/err"; false; }
}
ran() { grep -q "^$1: " "$t/out"; }
base=$(cat $cg/ioasids.current)

# ---- libvirt: <resource><partition>/machine/tenant1</partition> ----------

# libvirt asks systemd-machined for a scope named after the VM in the slice
# the partition names: machine-tenant1.slice, below machine.slice
expect 1 "a VM's scope in machine-tenant1.slice, whose drop-in has IOASIDMax=2" \
	systemd-run --quiet --scope --slice=machine-tenant1.slice \
	--unit='machine-qemu\x2d1\x2dvm1.scope' "$alloc" -n 5 --label vm1
capped vm1
result $? "  2 allocated, 3 refused with ENOSPC"
file_is $cg/machine.slice/machine-tenant1.slice/ioasids.max 2
result $? "  the slice's ioasids.max is 2 (machine.slice/machine-tenant1.slice)"
grep -q "^max 3$" $cg/machine.slice/machine-tenant1.slice/ioasids.events
result $? "  the slice's ioasids.events counts the 3 refusals"

# ---- crun, systemd cgroup manager -------------------------------------------

# the package's hooks.d file names the hook; crun runs what config.json says
hook='"createRuntime": [ { "path": "/usr/bin/ioasidctl", "args": [ "ioasidctl", "oci-hook" ] } ]'
grep -q '"path": "/usr/bin/ioasidctl"' /usr/share/containers/oci/hooks.d/ioasidctl.json
result $? "the package installed the oci-hooks(5) file"

bundle s1 machine.slice:ioasid:s1 "" '"io.ioasids.max": "2"' "$hook" "-n 5"
expect 1 "crun --cgroup-manager=systemd + oci-hook: annotation io.ioasids.max 2" \
	crun run -b "$t/s1" s1
capped s1
result $? "  2 allocated, 3 refused with ENOSPC"
# crun moves the process into a "container" cgroup below the scope it asks
# systemd for, which leaves the scope free to delegate controllers
dmesg | grep -q 'refused an IOASID by ioasids.max (2) of /machine.slice/ioasid-s1.scope/container$'
result $? "  the container ran in machine.slice/ioasid-s1.scope/container, named in the kernel log"

# unified keys go to that "container" cgroup, in which crun enables only the
# controllers it knows: with systemd, the hook is the way
grep -qw ioasids $cg/machine.slice/cgroup.subtree_control
result $? "machine.slice has +ioasids (the hook enabled it)"
bundle s2 machine.slice:ioasid:s2 '"ioasids.max": "2"' "" "" "-n 5"
expect 1 "crun --cgroup-manager=systemd: unified ioasids.max is refused" crun run -b "$t/s2" s2
has "the requested cgroup controller \`ioasids\` is not available" && ! ran s2
result $? "  crun says the controller is not available, and the container never ran"

bundle s3 machine.slice:ioasid:s3 "" '"io.ioasids.max": "lots"' "$hook" "-n 5"
crun run -b "$t/s3" s3 >"$t/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! ran s3 && has "error executing hook"
result $? "crun + oci-hook: a malformed annotation fails the container (exit $rc)"
journalctl -b -t ioasidctl --no-pager -o cat >"$t/out" 2>&1
grep -qx 'container s3: io.ioasids.max="lots" is not a limit: use a count from 0 to 1048575, max, or a percentage such as 10%' "$t/out"
result $? "  the hook's one line is in the journal (journalctl -t ioasidctl)"
grep 'container s3' "$t/out" | sed 's/^/# /'

# ---- CRI-O, systemd cgroup manager: the config.json it writes for a pod ----

# CRI-O copies the pod's annotations to each container; the pod slice is
# kubelet's (the pod UID with "_" for "-"), the scope CRI-O's
pod=kubepods-besteffort-pod0b5e3a4c_9d0f_4c1e_8a7b_2f6d4e5c3b1a.slice
podcg=/kubepods.slice/kubepods-besteffort.slice/$pod
id=4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b
ann='"io.ioasids.max": "2", "io.kubernetes.container.name": "worker", "io.kubernetes.pod.name": "dsa-worker", "io.kubernetes.pod.namespace": "default", "io.kubernetes.cri-o.ContainerType": "container"'
bundle k1 "$pod:crio:$id" "" "$ann" "$hook" "-n 2 --hold"
crun run -d -b "$t/k1" "$id" >"$t/k1.out" 2>&1 </dev/null
result $? "crun -d, CRI-O's cgroupsPath $pod:crio:ID, the pod's io.ioasids.max 2"
i=0
while [ "$(cat "$cg$podcg/crio-$id.scope/ioasids.current" 2>/dev/null)" != 2 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
"$ctl" show -r /kubepods.slice >"$t/out" 2>&1
sed 's/^/# /' "$t/out"
# the last column names the pod by its UID, from the slice's name
uid=$(echo "$pod" | sed 's/.*-pod\(.*\)\.slice$/\1/; s/_/-/g')
grep -Eq -- "-crio-$id.scope +max +2 +2 +0 +pod $uid\$" "$t/out" &&
	grep -Eq -- "-container +2 +2 +2 +0 +pod $uid\$" "$t/out" && grep -Eq -- "-$pod +max +2 " "$t/out"
result $? "  ioasidctl show -r /kubepods.slice: the container holds 2 of 2, its pod 2, named by its UID"
bundle k2 "$pod:crio:${id%??}00" "" "$ann" "$hook" "-n 5"
expect 1 "  the pod's next container, with the same annotation, asks for 5" \
	crun run -b "$t/k2" "${id%??}00"
capped k2
result $? "  2 allocated, 3 refused with ENOSPC"
crun kill "$id" TERM
i=0
while crun state "$id" 2>/dev/null | grep -q '"status": "running"' && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
crun delete "$id"
result $? "  crun delete"

systemctl daemon-reload
grep -qw ioasids $cg/machine.slice/cgroup.subtree_control
result $? "systemd keeps +ioasids in machine.slice across a daemon-reload"
[ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "nothing stays charged"
tap_end
