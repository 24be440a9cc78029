#!/bin/sh
# libvirt as Debian 12 ships it, in the Debian 12 machine: libvirtd as
# its package enables it, confined by Debian's AppArmor profile, qemu.conf
# untouched (QEMU runs as libvirt-qemu,
# dynamic_ownership, the AppArmor security driver with AppArmor
# enforcing), systemd-machined registering each VM as a machine with its
# scope, and the hook where the ioasidctl package put it. A VM defined
# with virsh define and started with virsh start gets the limit its
# domain XML asks for. TAP.
alloc=/usr/lib/ioasid-tests/ioasid-alloc
cg=/sys/fs/cgroup
t=/run/ioasid-tests/libvirt
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

v() { virsh -q -c qemu:///system "$@"; }
echo "# $(virsh --version 2>&1): $(dpkg-query -W -f '${Package} ${Version}' libvirt-daemon-system 2>&1)"

active=$(grep -E '^[[:space:]]*(user|group|security_driver|dynamic_ownership|cgroup_device_acl)[[:space:]]*=' \
	/etc/libvirt/qemu.conf)
[ -f /etc/libvirt/qemu.conf ] && [ -z "$active" ]
result $? "qemu.conf as shipped: no user, group, security_driver, dynamic_ownership or device ACL set"
[ -n "$active" ] && echo "$active" | sed 's/^/# /'
owner=$(dpkg -S /etc/libvirt/hooks/qemu.d/ioasids 2>&1)
[ "$owner" = "ioasidctl: /etc/libvirt/hooks/qemu.d/ioasids" ]
result $? "the hook is the package's: $owner"
expect 0 "virsh capabilities" v capabilities
grep -q '<model>apparmor</model>' "$t/out"
result $? "  libvirt's security model is apparmor"
# the hook runs as libvirtd's child: under libvirtd's profile
label=$(cat "/proc/$(systemctl show -P MainPID libvirtd.service)/attr/current" 2>&1)
[ "$label" = "libvirtd (enforce)" ]
result $? "  libvirtd runs confined by Debian's profile: $label"

vmxml vm1 2
expect 0 "virsh define of a VM whose domain XML asks for 2" v define "$t/vm1-qemu.xml"
expect 0 "virsh start vm1" v start vm1
pid=$(cat /run/libvirt/qemu/vm1.pid 2>/dev/null)
vmcg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup" 2>/dev/null)
echo "# QEMU: PID $pid, cgroup $vmcg"
user=$(ps -o user= -p "$pid" 2>&1)
[ "$user" = libvirt-qemu ]
result $? "  QEMU runs as libvirt-qemu ($user)"
label=$(cat "/proc/$pid/attr/current" 2>&1)
uuid=$(v domuuid vm1 2>&1)
[ "$label" = "libvirt-$uuid (enforce)" ]
result $? "  QEMU is confined by its AppArmor profile: $label"
scope=${vmcg%/libvirt/emulator}
[ "$scope" = '/machine.slice/machine-qemu\x2d1\x2dvm1.scope' ]
result $? "  QEMU's cgroup is in the VM's scope under machine.slice: $vmcg"
machinectl list --no-legend 2>&1 | grep -q '^qemu-1-vm1 *vm *libvirt-qemu'
result $? "  systemd-machined registered it: machinectl list has qemu-1-vm1"
[ "$(machinectl show -p Unit --value qemu-1-vm1 2>&1)" = 'machine-qemu\x2d1\x2dvm1.scope' ]
result $? "  machined's unit for it is its scope"
[ "$(cat "$cg$scope/ioasids.max" 2>&1)" = 2 ]
result $? "  the hook set $scope/ioasids.max to 2 ($(cat "$cg$scope/ioasids.max" 2>&1))"
# QEMU's cgroup: libvirt's device filter, cgroup_device_acl, has no
# /dev/ioasid by default
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 1 --label qemu' _ "$cg$vmcg" "$alloc" >"$t/qemu.out" 2>&1
grep -q '^qemu: /dev/ioasid: Operation not permitted' "$t/qemu.out"
result $? "  in QEMU's own cgroup, the default cgroup_device_acl keeps /dev/ioasid closed (EPERM)"
sed 's/^/# /' "$t/qemu.out"
# another process of the VM's scope, beside libvirt's cgroups, with
# ioasidctl watch following machine.slice
ioasidctl watch /machine.slice >"$t/watch" 2>"$t/watch.err" &
watcher=$!
i=0
while ! grep -q watching "$t/watch.err" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
mkdir "$cg$scope/ioasid-probe"
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 5 --label vm1' _ "$cg$scope/ioasid-probe" "$alloc" >"$t/vm1.out" 2>&1
i=0
while ! grep -q refused "$t/watch" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $watcher
wait $watcher
grep -q '^[0-9T:+-]* /machine.slice/machine-qemu\\x2d1\\x2dvm1.scope refused [0-9]* allocations* at ioasids.max 2 .*: domain vm1$' "$t/watch"
result $? "  ioasidctl watch names the scope whose limit refused, and the VM: domain vm1"
sed 's/^/# watch: /' "$t/watch"
[ "$(grep -c '^vm1: allocated IOASID' "$t/vm1.out")" -eq 2 ] &&
	grep -q '^vm1: refused: No space left on device (ENOSPC)' "$t/vm1.out"
result $? "  a process in the VM's scope gets 2 of 5, then ENOSPC"
sed 's/^/# /' "$t/vm1.out"
rmdir "$cg$scope/ioasid-probe"
grep -q '^max 3$' "$cg$scope/ioasids.events" 2>/dev/null
result $? "  the scope's ioasids.events counts the 3 refusals"
# operators know the VM by its domain, not by the scope's ID of this start
ioasidctl show --format prometheus "$scope" >"$t/prom1" 2>&1
grep -qxF 'ioasids_events_max_total{cgroup="/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope",unit="machine-qemu\\x2d1\\x2dvm1.scope",domain="vm1"} 3' "$t/prom1"
result $? "  the metrics label the scope's series with domain=\"vm1\" and its unit"
sed 's/^/# /' "$t/prom1"
ioasidctl show "$scope" | grep -q ' domain vm1$'
result $? "  ioasidctl show names the VM: domain vm1"
expect 0 "virsh destroy vm1" v destroy vm1
i=0
while [ -d "$cg$scope" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ ! -d "$cg$scope" ]
result $? "  its scope is gone"

# the same VM again: a new scope (the ID in its name is new), the same limit
expect 0 "virsh start vm1 again" v start vm1
pid=$(cat /run/libvirt/qemu/vm1.pid 2>/dev/null)
vmcg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup" 2>/dev/null)
scope=${vmcg%/libvirt/emulator}
[ "$scope" = '/machine.slice/machine-qemu\x2d2\x2dvm1.scope' ] && [ "$(cat "$cg$scope/ioasids.max" 2>&1)" = 2 ]
result $? "  $scope has ioasids.max 2 again"
ioasidctl show --format prometheus "$scope" | grep -qF 'unit="machine-qemu\\x2d2\\x2dvm1.scope",domain="vm1"} 2'
result $? "  its series carry domain=\"vm1\" again: the VM keeps its name across restarts"
v destroy vm1 >/dev/null 2>&1

# what the admin guide says a VMM that opens /dev/ioasid itself needs: the
# default device list plus /dev/ioasid, and a restart of libvirtd
cp /etc/libvirt/qemu.conf "$t/qemu.conf"
printf '%s\n' 'cgroup_device_acl = [' '    "/dev/null", "/dev/full", "/dev/zero",' \
	'    "/dev/random", "/dev/urandom",' '    "/dev/ptmx", "/dev/kvm", "/dev/ioasid"' ']' \
	>>/etc/libvirt/qemu.conf
systemctl restart libvirtd.service
expect 0 "with /dev/ioasid in cgroup_device_acl, virsh start vm1" v start vm1
pid=$(cat /run/libvirt/qemu/vm1.pid 2>/dev/null)
vmcg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup" 2>/dev/null)
if [ -n "$vmcg" ]; then
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -n 5 --label qemu' _ "$cg$vmcg" "$alloc" >"$t/qemu.out" 2>&1
else
	echo "no QEMU" >"$t/qemu.out"
fi
[ "$(grep -c '^qemu: allocated IOASID' "$t/qemu.out")" -eq 2 ] &&
	grep -q '^qemu: refused: No space left on device (ENOSPC)' "$t/qemu.out"
result $? "  a process in QEMU's own cgroup opens /dev/ioasid and gets 2 of 5"
sed 's/^/# /' "$t/qemu.out"
v destroy vm1 >/dev/null 2>&1
cp "$t/qemu.conf" /etc/libvirt/qemu.conf
systemctl restart libvirtd.service

vmxml vm2 lots
v define "$t/vm2-qemu.xml" >/dev/null 2>&1
expect 0 "a VM whose limit is malformed still starts" v start vm2
journalctl --sync
journalctl -b -t ioasid-libvirt-hook --no-pager -o cat 2>/dev/null |
	grep -q '^domain vm2: <max xmlns="urn:ioasidctl:libvirt:1">lots</max> is not a limit'
result $? "  and journalctl -t ioasid-libvirt-hook has the hook's line"
v destroy vm2 >/dev/null 2>&1
v undefine vm1 >/dev/null 2>&1
v undefine vm2 >/dev/null 2>&1
tap_end
