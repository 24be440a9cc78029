#!/bin/sh
# The libvirt qemu hook: first called as libvirt calls it at "started"
# (NAME started begin -, the domain XML on standard input), with the XML of
# a real virsh dumpxml (libvirt's test driver, the limit set with virsh
# metadata), against a stand-in for QEMU in real cgroups laid out as
# libvirt lays them out, with systemd and without; then run by a real
# libvirtd, which starts a real QEMU (TCG) in this kernel. TAP on stdout.
hook=$IOASID_TOP/build/libvirt/ioasid-libvirt-hook
alloc=$IOASID_TOP/build/tests/ioasid-alloc
cg=/sys/fs/cgroup
t=$TMPDIR/e2e-libvirt
mkdir -p "$t/run"
# where the hook reads QEMU's PID file (libvirt's is /run/libvirt/qemu)
IOASID_LIBVIRT_RUN=$t/run HOME=$t
export IOASID_LIBVIRT_RUN HOME
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

# dumpxml NAME [LIMIT]: the XML of running domain NAME, its limit set with
# virsh metadata as an operator would
dumpxml() {
	printf "<domain type='test'><name>%s</name><memory>65536</memory><os><type>hvm</type></os></domain>\n" \
		"$1" >"$t/$1-def.xml"
	{
		echo "define $t/$1-def.xml"
		[ -z "$2" ] || echo "metadata $1 --uri urn:ioasidctl:libvirt:1 --key ioasids --set '<max>$2</max>' --config"
		echo "start $1"
		echo "dumpxml $1"
	} | virsh -q -c test:///default 2>&1 | sed -n '/<domain /,/^<\/domain>/p' | sed 's/^virsh # //'
}

# qemu NAME CGROUP: a stand-in for QEMU, in CGROUP, its PID in the PID
# file; once in its cgroup it waits, and allocates 5 IOASIDs on "go"
qemu() {
	mkdir -p "$cg$2"
	rm -f "$t/$1.ready" "$t/$1.go"
	mkfifo "$t/$1.ready" "$t/$1.go"
	sh -c 'echo $$ >"$1/cgroup.procs" && echo >"$2" && read x <"$3" && exec "$4" -n 5 --label "$5"' \
		_ "$cg$2" "$t/$1.ready" "$t/$1.go" "$alloc" "$1" >"$t/$1.out" 2>&1 &
	echo $! >"$t/run/$1.pid"
	read -r _ <"$t/$1.ready"
}

# go NAME: let it allocate, and wait for it
go() { echo >"$t/$1.go"; wait "$(cat "$t/run/$1.pid")"; }
allocated() { grep -c "^$1: allocated IOASID" "$t/$1.out"; }

# ---- under systemd: machine-qemu\x2dID\x2dNAME.scope/libvirt/emulator ----
dumpxml vm1 2 >"$t/vm1.xml"
grep -q "<ioasids:max xmlns:ioasids=\"urn:ioasidctl:libvirt:1\">2</ioasids:max>" "$t/vm1.xml" &&
	grep -q "<domain type='test' id='[0-9]*'>" "$t/vm1.xml"
result $? "virsh dumpxml of a running domain has the limit virsh metadata set"
sed 's/^/# /' "$t/vm1.xml" | head -n 8
scope='/machine.slice/machine-qemu\x2d1\x2dvm1.scope'
qemu vm1 "$scope/libvirt/emulator"
expect 0 "the hook at started, as libvirt calls it" "$hook" vm1 started begin - <"$t/vm1.xml"
grep -qxF "ioasid-libvirt-hook: domain vm1: $scope/ioasids.max = 2" "$t/out"
result $? "  it set the VM's scope, not QEMU's emulator cgroup"
file_is "$cg$scope/ioasids.max" 2
result $? "  $scope/ioasids.max is 2"
go vm1
[ "$(allocated vm1)" -eq 2 ] && grep -q "^vm1: refused: No space left on device (ENOSPC)" "$t/vm1.out"
result $? "  QEMU's process gets 2 of 5, then ENOSPC"

# ---- without systemd: /machine/qemu-ID-NAME.libvirt-qemu/emulator ----------
dumpxml vm2 10% >"$t/vm2.xml"
qemu vm2 /machine/qemu-2-vm2.libvirt-qemu/emulator
expect 0 "the hook at started, cgroupfs layout, limit 10%" "$hook" vm2 started begin - <"$t/vm2.xml"
file_is $cg/machine/qemu-2-vm2.libvirt-qemu/ioasids.max $(($(cat $cg/ioasids.capacity) / 10))
result $? "  /machine/qemu-2-vm2.libvirt-qemu/ioasids.max is 10% of the capacity"
go vm2

# ---- what must not block a VM, or touch it --------------------------------
dumpxml vm3 lots >"$t/vm3.xml"
qemu vm3 '/machine.slice/machine-qemu\x2d3\x2dvm3.scope/libvirt/emulator'
expect 0 "malformed metadata: the hook still exits 0" "$hook" vm3 started begin - <"$t/vm3.xml"
[ ! -s "$t/out" ] && [ "$(wc -l <"$t/err")" -eq 1 ] &&
	grep -qxF 'ioasid-libvirt-hook: domain vm3: <max xmlns="urn:ioasidctl:libvirt:1">lots</max> is not a limit: use a count from 0 to 1048575, max, or a percentage such as 10%; it runs without an IOASID limit' "$t/err"
result $? "  one line on standard error, for libvirt's log"
sed 's/^/# /' "$t/err"
go vm3
[ "$(allocated vm3)" -eq 5 ]
result $? "  and the VM runs, unlimited"

dumpxml vm4 >"$t/vm4.xml"
qemu vm4 '/machine.slice/machine-qemu\x2d4\x2dvm4.scope/libvirt/emulator'
expect 0 "no metadata: the hook does nothing" "$hook" vm4 started begin - <"$t/vm4.xml"
[ ! -s "$t/out" ] && [ ! -s "$t/err" ] &&
	file_is '/sys/fs/cgroup/machine.slice/machine-qemu\x2d4\x2dvm4.scope/ioasids.max' max
result $? "  silently, and the scope keeps max"
for op in "prepare begin -" "start begin -" "stopped end -" "release end -" "migrate begin -"; do
	# shellcheck disable=SC2086
	"$hook" vm1 $op <"$t/vm1.xml" >"$t/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$t/out" ]
	result $? "operation '$op': exit 0 and nothing done (exit $rc)"
done
go vm4
head -c 100 "$t/vm1.xml" | "$hook" vm1 started begin - >"$t/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "domain vm1: the domain XML is not well-formed" "$t/out"
result $? "truncated XML: one line, exit 0 (exit $rc)"
"$hook" vm1 started <"$t/vm1.xml" >"$t/out" 2>&1
result $(($? != 2)) "called with too few arguments: a usage error, exit 2"

# ---- a real libvirtd and QEMU ------------------------------------------------

# libvirtd 9.0 with its QEMU driver, as root, on this boot's own /run,
# /etc/libvirt and state directories (the root is the host's), with the hook
# installed as the package installs it, a libvirt-qemu user it insists on,
# and its debug log of the commands it runs (where a hook's output goes)
for d in /run /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	mkdir -p "$d" && mount -t tmpfs tmpfs "$d"
done
mkdir -p /etc/libvirt/hooks/qemu.d
ln -s "$hook" /etc/libvirt/hooks/qemu.d/ioasids
# a VM's processes may open /dev/ioasid only if the device ACL has it
printf '%s\n' 'user = "root"' 'group = "root"' 'dynamic_ownership = 0' 'remember_owner = 0' \
	'security_driver = "none"' 'stdio_handler = "file"' \
	'cgroup_device_acl = [ "/dev/null", "/dev/full", "/dev/zero", "/dev/random",' \
	'  "/dev/urandom", "/dev/ptmx", "/dev/kvm", "/dev/ioasid" ]' >/etc/libvirt/qemu.conf
cp /etc/passwd "$t/passwd" && cp /etc/group "$t/group"
echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >>"$t/passwd"
printf '%s\n' 'libvirt-qemu:x:64055:' 'kvm:x:64056:' >>"$t/group"
mount --bind "$t/passwd" /etc/passwd && mount --bind "$t/group" /etc/group
printf '%s\n' 'log_filters = "1:command 1:hook"' "log_outputs = \"1:file:$t/libvirtd.log\"" \
	>/etc/libvirt/libvirtd.conf
libvirtd >"$t/libvirtd.err" 2>&1 &
libvirtd=$!
i=0
while [ ! -S /run/libvirt/libvirt-sock ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
v() { virsh -q -c qemu:///system "$@"; }

# vmdef NAME [LIMIT]: define a diskless TCG guest, its limit in <metadata>
vmdef() {
	vmxml "$@"
	v define "$t/$1-qemu.xml" >/dev/null
}

vmdef lv1 2
expect 0 "libvirtd starts a QEMU guest whose domain XML asks for 2" v start lv1
pid=$(cat /run/libvirt/qemu/lv1.pid 2>/dev/null)
vmcg=$(sed -n 's|^0::||p' "/proc/$pid/cgroup" 2>/dev/null)
echo "# QEMU (PID $pid) is in $vmcg"
case $vmcg in
*/libvirt-qemu/emulator|*.libvirt-qemu/emulator) vmcg=${vmcg%/emulator} ;;
esac
[ -n "$pid" ] && file_is "$cg$vmcg/ioasids.max" 2
result $? "  libvirt ran the hook: $vmcg/ioasids.max is 2"
# a process of the VM: QEMU's own emulator cgroup
sh -c 'echo $$ >"$1/emulator/cgroup.procs" && exec "$2" -n 5 --label lv1' _ "$cg$vmcg" "$alloc" \
	>"$t/lv1.out" 2>&1
[ "$(allocated lv1)" -eq 2 ] && grep -q "^lv1: refused: No space left on device (ENOSPC)" "$t/lv1.out"
result $? "  a process in the VM's emulator cgroup gets 2 of 5"
sed 's/^/# /' "$t/lv1.out"
v destroy lv1 >/dev/null

vmdef lv2 lots
expect 0 "libvirtd starts a guest whose limit is malformed: the VM is not blocked" v start lv2
grep -q 'ioasid-libvirt-hook: domain lv2: <max xmlns="urn:ioasidctl:libvirt:1">lots</max> is not a limit' \
	"$t/libvirtd.log"
result $? "  and libvirtd's log has the hook's line"
grep 'ioasid-libvirt-hook' "$t/libvirtd.log" | sed 's/^/# /' | cut -c1-400
v destroy lv2 >/dev/null
kill "$libvirtd"
wait "$libvirtd"
tap_end
