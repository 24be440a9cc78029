#!/bin/sh
# Inside the systemd boot: run each suite, TAP into /var/lib/ioasid-tests.
# Under systemd with IOASIDMax= built in (patches/systemd/), the native
# suites instead: native.sh (and podman, rootless podman) in the first
# boot, native-reboot.sh in the next, native-nocontroller.sh in a boot
# with cgroup_disable=ioasids.
out=/var/lib/ioasid-tests
dir=/usr/lib/ioasid-tests/systemd
mkdir -p $out
echo "harness: systemd $(systemctl --version | sed -n 1p), $(systemctl is-system-running)"
if [ -n "$(systemctl show -P DefaultIOASIDMax)" ]; then
	if ! grep -qw ioasids /sys/fs/cgroup/cgroup.controllers; then
		$dir/native-nocontroller.sh >$out/e2e-native-nocontroller.tap 2>&1
		journalctl -b --no-pager >$out/journal-3.txt 2>&1
	elif [ -f $out/e2e-native.tap ]; then
		$dir/native-reboot.sh >$out/e2e-native-reboot.tap 2>&1
		journalctl -b --no-pager >$out/journal-2.txt 2>&1
	else
		$dir/native.sh >$out/e2e-native.tap 2>&1
		$dir/podman.sh >$out/e2e-podman-native.tap 2>&1
		$dir/rootless.sh >$out/e2e-rootless.tap 2>&1
		$dir/machined.sh >$out/e2e-machined.tap 2>&1
		journalctl -b --no-pager >$out/journal.txt 2>&1
	fi
	echo "harness: finished"
	exit 0
fi
# the Debian 12 machine booted again with cgroup_disable=ioasids
# (scripts/check-machine.sh): what each integration does without it
if ! grep -qw ioasids /sys/fs/cgroup/cgroup.controllers; then
	$dir/fallback.sh >$out/e2e-fallback.tap 2>&1
	journalctl -b --no-pager >$out/journal-fallback.txt 2>&1
	echo "harness: finished"
	exit 0
fi
# the Debian 12 machine under QEMU (scripts/check-machine.sh) has two more
[ ! -x $dir/machine.sh ] || $dir/machine.sh >$out/e2e-machine.tap 2>&1
$dir/ioasidctl-unit.sh >$out/e2e-ioasidctl-unit.tap 2>&1
$dir/unit-setting.sh >$out/e2e-unit-setting.tap 2>&1
$dir/containers.sh >$out/e2e-containers-systemd.tap 2>&1
$dir/podman.sh >$out/e2e-podman.tap 2>&1
[ ! -x $dir/libvirt.sh ] || $dir/libvirt.sh >$out/e2e-libvirt-machine.tap 2>&1
# the documentation's examples that need systemd, podman and libvirt
[ ! -x $dir/libvirt.sh ] ||
	TMPDIR=/run/ioasid-tests /usr/lib/ioasid-tests/docs/run.sh machine /usr/lib/ioasid-tests/documents \
		>$out/e2e-docs-machine.tap 2>&1
# last: it removes the package the others use
$dir/package.sh >$out/e2e-package.tap 2>&1
journalctl -b --no-pager >$out/journal.txt 2>&1
# the modules the workloads loaded: localmodconfig's list (make kernel-deb)
! command -v lsmod >/dev/null || lsmod >$out/lsmod.txt 2>&1
echo "harness: finished"
