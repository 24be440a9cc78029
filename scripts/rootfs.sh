#!/bin/bash
# A minimal Debian 12 root with systemd, for booting the test kernel with
# systemd as PID 1. debootstrap runs once and again only when the package
# list changes (DEBIAN_MIRROR: where from); the project is installed into
# it on every call (cheap).
# Usage: scripts/rootfs.sh ROOTDIR [machine]
# With "machine", the root of the Debian 12 machine that boots under QEMU
# from a disk image (scripts/check-machine.sh): a copy of build/rootfs
# with what a host has on top added by apt-get (AppArmor, libvirt with
# QEMU, udev and initramfs-tools), podman with its default storage, and
# the machine's suites.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
root=$(realpath -m "$1") flavour=${2:-}
# podman and runc (crun is podman's default runtime), machined and nspawn
# (systemd-container), and for rootless podman
# the user's D-Bus and the subordinate ID helpers (debootstrap does not
# resolve virtual packages: containernetworking-plugins is what apt picks
# for podman's container-network-stack)
packages="systemd,systemd-sysv,dbus,libcgroup2,cgroup-tools,libsmartcols1,libjson-c5,libxml2,procps,crun,runc,podman,containernetworking-plugins,dbus-user-session,uidmap,systemd-container"
# the machine: libvirt as Debian ships it (the daemon, its AppArmor
# profiles, machined from systemd-container), QEMU, and what a host boots
# with (cron is what debootstrap picks for logrotate's cron | ... |
# systemd-sysv; apt would take systemd-sysv, which is there)
machine_packages="apparmor,libvirt-daemon-system,libvirt-clients,qemu-system-x86,udev,kmod,initramfs-tools,linux-base,e2fsprogs,iproute2,cron"
base_packages=$packages
[ "$flavour" != machine ] || packages="$packages,$machine_packages"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
stamp="$root/.ioasid-packages"
made() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; }
if [ "$flavour" = machine ] && ! made; then
	# The machine's root is the plain root (build/rootfs, bootstrapped
	# first if it is not there) with the machine's packages added by apt,
	# which resolves them as debootstrap does (Depends, no Recommends): one
	# debootstrap for both roots. apt takes them from the mirror the
	# plain root was made with.
	"$0" "$build/rootfs"
	log=$build/rootfs-machine-apt.log
	[ "$(cat "$build/rootfs/.ioasid-packages")" = "$base_packages" ] ||
		{ echo "rootfs.sh: $build/rootfs does not have the packages $base_packages" >&2; exit 1; }
	echo "  APT     $root (build/rootfs and $machine_packages)"
	# (a run that was stopped may have left the chroot's /proc mounted)
	umount -q "$root.tmp/proc" 2>/dev/null || true
	rm -rf --one-file-system "$root" "$root.tmp"
	cp -a "$build/rootfs" "$root.tmp"
	trap 'umount -q "$root.tmp/proc" 2>/dev/null || true' EXIT
	# no service starts in the chroot
	printf '#!/bin/sh\nexit 101\n' >"$root.tmp/usr/sbin/policy-rc.d"
	chmod 0755 "$root.tmp/usr/sbin/policy-rc.d"
	mount -t proc proc "$root.tmp/proc"
	rc=0
	IFS=, read -r -a extra <<<"$machine_packages"
	{ chroot "$root.tmp" apt-get -q update &&
	  DEBIAN_FRONTEND=noninteractive chroot "$root.tmp" apt-get -q -y --no-install-recommends \
		install "${extra[@]}" &&
	  chroot "$root.tmp" apt-get clean; } >"$log" 2>&1 || rc=$?
	umount "$root.tmp/proc"
	trap - EXIT
	rm -f "$root.tmp/usr/sbin/policy-rc.d"
	if [ $rc -ne 0 ]; then
		tail -n 20 "$log" >&2
		echo "rootfs.sh: apt-get in $root.tmp failed, see $log" >&2
		exit 1
	fi
	# a machine-id of its own, not the plain root's (D-Bus keeps a copy)
	rm -f "$root.tmp/etc/machine-id" "$root.tmp/var/lib/dbus/machine-id"
	chroot "$root.tmp" systemd-machine-id-setup >>"$log" 2>&1
	cp "$root.tmp/etc/machine-id" "$root.tmp/var/lib/dbus/machine-id"
	mv "$root.tmp" "$root"
	echo "$packages" >"$stamp"
elif ! made; then
	log=$build/debootstrap.log
	echo "  DEBOOTSTRAP $root (bookworm: $packages)"
	rm -rf "$root" "$root.tmp"
	debootstrap --variant=minbase --include="$packages" bookworm "$root.tmp" "$mirror" >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		echo "rootfs.sh: debootstrap failed, see $log" >&2
		exit 1
	}
	mv "$root.tmp" "$root"
	echo "$packages" >"$stamp"
fi

# the project as users get it: the package of make deb, installed with
# dpkg -i (its postinst reloads systemd only where systemd runs, so not in
# this chroot)
deb=$(ls "$build"/deb/ioasidctl_*.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || { echo "rootfs.sh: no package in $build/deb; run make deb" >&2; exit 1; }
cp "$deb" "$root/tmp/ioasidctl.deb"
chroot "$root" dpkg -i /tmp/ioasidctl.deb >"$build/rootfs-dpkg.log" 2>&1 || {
	cat "$build/rootfs-dpkg.log" >&2
	echo "rootfs.sh: dpkg -i of $deb failed" >&2
	exit 1
}
rm -f "$root/tmp/ioasidctl.deb"
# the test helpers, the suites and their units
rm -rf "$root/usr/lib/ioasid-tests"
install -D -m 0755 "$build/tests/ioasid-alloc" "$root/usr/lib/ioasid-tests/ioasid-alloc"
# package.sh removes the package and installs it again from here
install -D -m 0644 "$deb" "$root/usr/lib/ioasid-tests/ioasidctl.deb"
# the same layout as tests/, so the suites find ../lib/tap.sh
install -D -m 0644 "$top/tests/lib/tap.sh" "$root/usr/lib/ioasid-tests/lib/tap.sh"
install -D -m 0644 "$top/tests/lib/oci.sh" "$root/usr/lib/ioasid-tests/lib/oci.sh"
install -D -m 0644 "$top/tests/lib/systemd.sh" "$root/usr/lib/ioasid-tests/lib/systemd.sh"
install -D -m 0644 "$top/tests/lib/libvirt.sh" "$root/usr/lib/ioasid-tests/lib/libvirt.sh"
install -D -m 0644 "$top/tests/lib/podman.sh" "$root/usr/lib/ioasid-tests/lib/podman.sh"
# the documentation's examples (tests/docs/run.sh machine), and the
# documents they are taken from, in the project's layout
install -D -m 0755 "$top/tests/docs/run.sh" "$root/usr/lib/ioasid-tests/docs/run.sh"
install -D -m 0644 "$top/tests/docs/examples.awk" "$root/usr/lib/ioasid-tests/docs/examples.awk"
for f in README.md doc/operator-guide.md Documentation/admin-guide/cgroup-v2-ioasid.rst \
	tools/ioasidctl/ioasidctl.8 tools/systemd/ioasid-generator.8 \
	tools/systemd/ioasid-metrics.service.8 tools/libvirt/ioasid-libvirt-hook.8; do
	install -D -m 0644 "$top/$f" "$root/usr/lib/ioasid-tests/documents/$f"
done
suites="run.sh ioasidctl-unit.sh unit-setting.sh containers.sh podman.sh machined.sh package.sh"
[ "$flavour" != machine ] || suites="$suites machine.sh libvirt.sh fallback.sh"
for f in $suites; do
	install -D -m 0755 "$top/tests/systemd/$f" "$root/usr/lib/ioasid-tests/systemd/$f"
done
# the suites' units, and what the suites change, back as shipped
rm -rf "$root"/etc/systemd/system/iox-* "$root"/etc/systemd/system/ioasid-* \
	"$root"/etc/systemd/system/machine-tenant1.slice.d
for f in "$top"/tests/systemd/units/*; do
	cp -r "$f" "$root/etc/systemd/system/"
done
install -D -m 0644 "$top/tests/systemd/ioasid-tests.service" "$root/etc/systemd/system/ioasid-tests.service"
install -D -m 0644 "$top/tests/systemd/ioasid-vm.service" "$root/etc/systemd/system/ioasid-vm.service"
ln -sf /etc/systemd/system/ioasid-tests.service "$root/etc/systemd/system/multi-user.target.wants/ioasid-tests.service"
# podman's storage: vfs, as the root is a hostfs directory where overlayfs
# cannot stack (the one choice that is not Debian's default). The
# machine's root is ext4 on a disk: podman's default, overlay.
if [ "$flavour" = machine ]; then
	rm -f "$root/etc/containers/storage.conf"
else
	mkdir -p "$root/etc/containers"
	printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
		>"$root/etc/containers/storage.conf"
fi
rm -rf "$root/var/lib/containers"
# leftovers of an earlier run
rm -rf "$root/etc/systemd/system.control" "$root/var/lib/ioasid-tests"
