#!/bin/sh
# A machine registered with systemd-machined, as libvirt and systemd-nspawn
# register theirs: machined asks PID 1 for machine-NAME.scope in
# machine.slice, delegated. With patches/systemd/ the scope takes
# IOASIDMax= from machine.slice, and as a property at creation where the
# registering program knows the setting, and "systemctl set-property"
# changes a running machine's. The machine here is
# systemd-nspawn running the test program (libvirt's own QEMU guests are
# not run in this root). TAP.
cg=/sys/fs/cgroup
t=/run/ioasid-tests/machined
img=/run/ioasid-tests/podman/img
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

base=$(cat $cg/ioasids.current)

nspawn() {
	name=$1
	shift
	systemd-nspawn --quiet --register=yes --machine="$name" --directory="$img" \
		--bind=/dev/ioasid --property="DeviceAllow=/dev/ioasid rw" "$@" \
		/usr/bin/ioasid-alloc -n 5 --label "$name" >"$t/out" 2>&1
}

# systemd-nspawn parses --property itself, with the libsystemd-shared of
# its own package: Debian's systemd-container does not know the setting,
# the one make systemd-deb builds does
if dpkg-query -W -f '${Version}' systemd-container | grep -q '+ioasids'; then
	nspawn vm1 --property=IOASIDMax=2
	capped vm1 2
	result $? "a machine registered with machined, --property=IOASIDMax=2: 2 of 5"
	dmesg | grep -q 'refused an IOASID by ioasids.max (2) of /machine.slice/machine-vm1.scope$'
	result $? "  the limit is on machined's scope, machine.slice/machine-vm1.scope"
else
	nspawn vm1 --property=IOASIDMax=2
	rc=$?
	[ $rc -ne 0 ] && grep -q 'Unknown assignment: IOASIDMax=2' "$t/out" && ! grep -q '^vm1: ' "$t/out"
	result $? "Debian's systemd-nspawn refuses --property=IOASIDMax=2: 'Unknown assignment' (exit $rc)"
fi

mkdir -p /etc/systemd/system/machine.slice.d
printf '[Slice]\nIOASIDMax=3\n' >/etc/systemd/system/machine.slice.d/50-ioasids-test.conf
systemctl daemon-reload
nspawn vm2
capped vm2 3
result $? "IOASIDMax=3 on machine.slice caps a machine without a limit of its own: 3 of 5"

# a running machine: its scope's limit, changed by set-property
systemd-nspawn --quiet --register=yes --machine=vm3 --directory="$img" \
	--bind=/dev/ioasid --property="DeviceAllow=/dev/ioasid rw" \
	/usr/bin/ioasid-alloc -n 1 --hold --label vm3 >"$t/vm3" 2>&1 &
i=0
while [ "$(systemctl is-active machine-vm3.scope)" != active ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
systemctl set-property --runtime machine-vm3.scope IOASIDMax=1
[ "$(cat $cg/machine.slice/machine-vm3.scope/ioasids.max)" = 1 ]
result $? "systemctl set-property --runtime machine-vm3.scope IOASIDMax=1 reaches the running machine"
machinectl terminate vm3
wait

rm -f /etc/systemd/system/machine.slice.d/50-ioasids-test.conf
systemctl daemon-reload
uncharged "$base"
result $? "nothing stays charged"
tap_end
