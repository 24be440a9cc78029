#!/bin/bash
# The Debian 12 machine: a disk image made from the debootstrapped root
# (scripts/rootfs.sh ROOT machine), with the kernel packages of KDEB_DIR
# (make kernel-deb) and the ioasidctl package installed into it by
# dpkg -i, booted under QEMU on x86_64 (TCG, CPUS vCPUs, default 2; q35
# with the emulated Intel IOMMU) from the vmlinuz and initrd that the
# installation put in the image's /boot, root on a virtio disk, systemd as
# PID 1. ioasid-tests.service runs the suites and powers off; their TAP is
# read back from the image into OUTDIR, with OUTDIR/kernel.tap for the
# installation and the boot.
#
# Usage: scripts/check-machine.sh ROOT KDEB_DIR OUTDIR [kernel-params...]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
root=$(realpath -m "$1") kdeb=$(realpath -m "$2") out=$(realpath -m "$3")
shift 3
work=$build/machine
rm -rf "$out"
mkdir -p "$out" "$work"
. "$top/scripts/tap-file.sh"
tap_open "$out/kernel.tap"
tmp=$(mktemp)
trap 'rm -f "$tmp"; umount -q "$work/root/proc" 2>/dev/null; true' EXIT

# ---- the image: a copy of the root, the packages installed by dpkg -i ----
rm -rf "$work/root" "$work/disk.img"
cp -a "$root" "$work/root"
images=$(ls "$kdeb"/linux-image-*.deb 2>/dev/null | grep -v -- '-dbg_' | head -n 1)
headers=$(ls "$kdeb"/linux-headers-*.deb 2>/dev/null | head -n 1)
if [ -z "$images" ]; then
	echo "no linux-image package in $kdeb (make kernel-deb)" >"$tmp"
	result not-ok "the kernel packages are there" "$tmp"
	finish
fi
debs=$(basename "$images")${headers:+ $(basename "$headers")}
mkdir -p "$work/root/tmp/kdeb"
cp $images $headers "$work/root/tmp/kdeb/"
mount -t proc proc "$work/root/proc"
if (cd "$work/root/tmp/kdeb" && chroot "$work/root" dpkg -i $(printf '/tmp/kdeb/%s ' $debs)) >"$tmp" 2>&1; then
	result ok "dpkg -i $debs in the machine's root"
else
	result not-ok "dpkg -i $debs in the machine's root" "$tmp"
	finish
fi
umount "$work/root/proc"
rm -rf "$work/root/tmp/kdeb"
release=$(dpkg-deb -f "$images" Package | sed 's/^linux-image-//')
vmlinuz=$work/root/boot/vmlinuz-$release initrd=$work/root/boot/initrd.img-$release
if [ -f "$vmlinuz" ] && [ -f "$initrd" ]; then
	result ok "  it put vmlinuz-$release and initrd.img-$release (initramfs-tools) in /boot"
else
	ls -l "$work/root/boot" >"$tmp" 2>&1
	result not-ok "  it put vmlinuz-$release and initrd.img-$release (initramfs-tools) in /boot" "$tmp"
	finish
fi
cp "$vmlinuz" "$initrd" "$work/"
echo "$release" >"$work/release"
# the root is the first virtio disk; the machine's name
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$work/root/etc/fstab"
echo ioasid-machine >"$work/root/etc/hostname"
if mkfs.ext4 -q -F -L root -d "$work/root" "$work/disk.img" "${DISK_SIZE:-6G}" >"$tmp" 2>&1; then
	result ok "a disk image of it ($(du -sh --apparent-size "$work/root" | cut -f1) of files, ext4)"
else
	result not-ok "a disk image of it" "$tmp"
	finish
fi
rm -rf "$work/root"

# ---- the boot ---------------------------------------------------------------
timeout "${BOOT_TIMEOUT:-1500}" qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max \
	-smp "${CPUS:-2}" -m "${MEM:-3G}" -nographic -no-reboot -nodefaults \
	-serial stdio -monitor none \
	-device intel-iommu,intremap=off,x-scalable-mode=on \
	-drive file="$work/disk.img",if=virtio,format=raw \
	-kernel "$work/vmlinuz-$release" -initrd "$work/initrd.img-$release" \
	-append "console=ttyS0 root=/dev/vda rw panic=-1 systemd.show_status=0 $*" \
	</dev/null >"$out/console.log" 2>&1
rc=$?
if grep -q '^harness: finished' "$out/console.log"; then
	result ok "the machine booted $release with systemd as PID 1, ran the suites and powered off"
else
	tail -n 30 "$out/console.log" >"$tmp"
	result not-ok "the machine booted $release with systemd as PID 1, ran the suites and powered off (exit $rc)" "$tmp"
fi
grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection' "$out/console.log" | head -n 5 >"$tmp"
if [ ! -s "$tmp" ]; then
	result ok "  the kernel log has no warning, BUG or oops"
else
	result not-ok "  the kernel log has no warning, BUG or oops" "$tmp"
fi

# ---- the results, read from the image ------------------------------------
debugfs -R "rdump /var/lib/ioasid-tests $work" "$work/disk.img" >/dev/null 2>&1
cp "$work"/ioasid-tests/*.tap "$work"/ioasid-tests/journal*.txt "$work"/ioasid-tests/lsmod.txt "$out/" 2>/dev/null
rm -rf "$work/ioasid-tests"
if ls "$out"/e2e-*.tap >/dev/null 2>&1 && grep -qE '^(not )?ok ' "$out"/e2e-*.tap; then
	result ok "the suites left results"
else
	echo "no e2e-*.tap in the image's /var/lib/ioasid-tests" >"$tmp"
	result not-ok "the suites left results" "$tmp"
fi
finish
