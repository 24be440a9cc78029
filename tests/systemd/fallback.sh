#!/bin/sh
# What every integration does on a kernel without the controller: the
# Debian 12 machine (scripts/check-machine.sh) booted again with
# cgroup_disable=ioasids, stock systemd, the ioasidctl package, podman and
# libvirt as Debian ships them. Each row of the fallback table in
# doc/operator-guide.md is a group of results here. TAP.
alloc=/usr/lib/ioasid-tests/ioasid-alloc
cg=/sys/fs/cgroup
t=/run/ioasid-tests/fallback
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"
. "$(dirname "$0")/../lib/libvirt.sh"
. "$(dirname "$0")/../lib/podman.sh"

tagged() { journalctl --sync; journalctl -b -t "$1" -o cat --no-pager 2>/dev/null; }
echo "# $(cat /proc/cmdline)"

# ---- the kernel ------------------------------------------------------------
! grep -qw ioasids $cg/cgroup.controllers && [ ! -e $cg/ioasids.capacity ]
result $? "no ioasids controller: not in cgroup.controllers, no root files"
# cgroup_disable=ioasids keeps the IOASID core and /dev/ioasid; Debian's
# own kernel (scripts/kernel-deb.sh stock) has neither
dev=
[ -c /dev/ioasid ] && dev="--device /dev/ioasid"
"$alloc" -n 3 --label core >"$t/out" 2>&1
if [ -n "$dev" ]; then
	[ "$(grep -c '^core: allocated IOASID' "$t/out")" -eq 3 ]
	result $? "/dev/ioasid still allocates, limited by nothing but the space"
else
	grep -q 'No such file or directory' "$t/out"
	result $? "a kernel without the IOASID core: no /dev/ioasid, and opening it fails with ENOENT"
fi
# ran N: the test program ran in the container or VM, and got N of 5
# (without /dev/ioasid, it ran and could not open it)
ran() {
	if [ -n "$dev" ]; then
		[ "$(grep -c "^$1: allocated IOASID" "$t/out")" -eq "$2" ]
	else
		grep -q "^$1: /dev/ioasid: No such file or directory" "$t/out"
	fi
}

# ---- ioasidctl: exit 3 and one line, for every command that needs it --------
for c in "info" "show" "set /fallback 5" "watch" "top -n 1"; do
	# shellcheck disable=SC2086
	ioasidctl $c >"$t/out" 2>"$t/err"
	rc=$?
	[ $rc -eq 3 ] && grep -q 'the running kernel has no ioasids cgroup controller' "$t/err"
	result $? "ioasidctl $c exits 3 (got $rc) and says the kernel has no controller"
done
[ ! -d $cg/fallback ]
result $? "  set created no cgroup"

# ---- stock systemd with the package's generator ----------------------------
systemctl start iox-limited.service
if [ -n "$dev" ]; then
	held iox-limited.service "limited: holding 4 IOASIDs"
	result $? "a unit with IOASIDMax=3 starts and runs unlimited: it holds all 4 it asks for"
	[ "$(systemctl is-active iox-limited.service)" = active ]
	result $? "  and stays active"
else
	held iox-limited.service "limited: /dev/ioasid: No such file or directory"
	result $? "a unit with IOASIDMax=3 starts: its program runs (and finds no /dev/ioasid)"
fi
[ "$(systemctl is-failed ioasid-limit@iox-limited.service.service)" = failed ]
result $? "  its helper ioasid-limit@iox-limited.service.service failed: systemctl --failed lists it"
journalctl --sync
journalctl -b -u ioasid-limit@iox-limited.service.service -o cat --no-pager |
	grep -q 'the running kernel has no ioasids cgroup controller'
result $? "  and its journal says why"
systemctl stop iox-limited.service
systemctl reset-failed ioasid-limit@iox-limited.service.service

# ---- the metrics timer -----------------------------------------------------
prom=/var/lib/prometheus/node-exporter/ioasids.prom
rm -f $prom
mkdir -p "$(dirname $prom)"
systemctl start ioasid-metrics.service
[ "$(systemctl is-failed ioasid-metrics.service)" = failed ] && [ ! -e $prom ]
result $? "ioasid-metrics.service fails and writes no metrics file (IOASIDMetricsStale alerts)"
systemctl reset-failed ioasid-metrics.service

# ---- podman and the OCI hook -----------------------------------------------
test_image "$t"
prun() {
	# shellcheck disable=SC2086
	podman run --rm --network none $dev "$@" localhost/ioasid-test:1 \
		/usr/bin/ioasid-alloc -n 5 --label ctr >"$t/out" 2>&1
}
prun --annotation io.ioasids.max=2
rc=$?
[ $rc -ne 0 ] && ! grep -q '^ctr: ' "$t/out"
result $? "podman refuses a container annotated io.ioasids.max=2, which never runs (exit $rc)"
sed "s/^/# podman: /" "$t/out" | head -n 3
tagged ioasidctl | grep -q 'asks for io.ioasids.max=2, but the running kernel has no ioasids cgroup controller'
result $? "  journalctl -t ioasidctl says why"
prun
ran ctr 5
result $? "a container without the annotation runs, unlimited (5 of 5)"

# ---- libvirt and its hook --------------------------------------------------
v() { virsh -q -c qemu:///system "$@"; }
vmxml vm1 2
v define "$t/vm1-qemu.xml" >/dev/null 2>&1
expect 0 "a VM whose domain XML asks for 2 starts" v start vm1
pid=$(cat /run/libvirt/qemu/vm1.pid 2>/dev/null)
vmcg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup" 2>/dev/null)
scope=${vmcg%/libvirt/emulator}
tagged ioasid-libvirt-hook | grep -q '^domain vm1: .*the running kernel has no ioasids cgroup controller'
result $? "  journalctl -t ioasid-libvirt-hook says the limit was not set, and why"
tagged ioasid-libvirt-hook | tail -n 2 | sed 's/^/# /'
if [ -n "$scope" ] && mkdir "$cg$scope/ioasid-probe" 2>/dev/null; then
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 5 --label vm1' _ "$cg$scope/ioasid-probe" "$alloc" >"$t/out" 2>&1
	rmdir "$cg$scope/ioasid-probe"
else
	echo "no scope for vm1: '$vmcg'" >"$t/out"
fi
ran vm1 5
result $? "  the VM runs unlimited: a process in its scope gets 5 of 5"
v destroy vm1 >/dev/null 2>&1
v undefine vm1 >/dev/null 2>&1
rm -rf "$t"
tap_end
