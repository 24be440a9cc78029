#!/bin/bash
# The Debian 12 machine: a disk image made from the machine's root
# (scripts/rootfs.sh ROOT machine), with the kernel packages of KDEB_DIR
# (make kernel-deb) and the ioasidctl package installed into it by
# dpkg -i, booted under QEMU on x86_64 (TCG, CPUS vCPUs, default 2; q35
# with the emulated Intel IOMMU) from the vmlinuz and initrd that the
# installation put in the image's /boot, root on a virtio disk, systemd as
# PID 1. ioasid-tests.service runs the suites and powers off; their TAP is
# read back from the image into OUTDIR, with OUTDIR/kernel.tap for the
# installation and the boot. The image is then booted a second time with
# cgroup_disable=ioasids, where tests/systemd/fallback.sh checks what each
# integration does on a kernel without the controller.
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
# the suites the machine runs (tests/systemd/run.sh), each of which must
# leave a complete TAP file; SUITES=fallback for a kernel without the
# controller (Debian's own: scripts/kernel-deb.sh stock), where both boots
# run tests/systemd/fallback.sh only
suites=${SUITES:-machine ioasidctl-unit unit-setting containers-systemd podman libvirt-machine docs-machine package}

# ---- the image: a copy of the root, the packages installed by dpkg -i ----
# (a run that was killed may have left the chroot's /proc mounted)
umount -R -q "$work/root/proc" 2>/dev/null
if findmnt -R "$work/root" >/dev/null 2>&1 || findmnt -rn -o TARGET | grep -q "^$work/root/"; then
	echo "something is still mounted under $work/root" >"$tmp"
	result not-ok "a clean work directory" "$tmp"
	finish
fi
rm -rf --one-file-system "$work/root" "$work"/disk.img "$work"/vmlinuz-* "$work"/initrd.img-*
cp -a "$root" "$work/root"
shopt -s nullglob
images=() headers=("$kdeb"/linux-headers-*.deb)
for d in "$kdeb"/linux-image-*.deb; do
	case $d in *-dbg_*) ;; *) images+=("$d") ;; esac
done
shopt -u nullglob
if [ ${#images[@]} -ne 1 ] || [ ${#headers[@]} -gt 1 ]; then
	echo "want one linux-image (and at most one linux-headers) package in $kdeb (make kernel-deb): ${images[*]} ${headers[*]}" >"$tmp"
	result not-ok "the kernel packages are there" "$tmp"
	finish
fi
debs=()
mkdir -p "$work/root/tmp/kdeb"
for d in "${images[@]}" "${headers[@]}"; do
	cp "$d" "$work/root/tmp/kdeb/"
	debs+=("/tmp/kdeb/$(basename "$d")")
done
names=$(basename -a "${debs[@]}" | tr '\n' ' ')
mount -t proc proc "$work/root/proc"
if chroot "$work/root" dpkg -i "${debs[@]}" >"$tmp" 2>&1; then
	result ok "dpkg -i ${names% } in the machine's root"
else
	result not-ok "dpkg -i ${names% } in the machine's root" "$tmp"
	finish
fi
if ! umount "$work/root/proc"; then
	echo "umount $work/root/proc failed" >"$tmp"
	result not-ok "the chroot's /proc unmounted" "$tmp"
	finish
fi
rm -rf "$work/root/tmp/kdeb"
images=${images[0]}
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
# boot WHAT LOG PARAMS...: QEMU on the image until the harness powers it
# off, the suites' TAP and journal read back into $out
boot() {
	local what=$1 log=$2 rc
	shift 2
	timeout "${BOOT_TIMEOUT:-1500}" qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max \
		-smp "${CPUS:-2}" -m "${MEM:-3G}" -nographic -no-reboot -nodefaults \
		-serial stdio -monitor none \
		-device intel-iommu,intremap=off,x-scalable-mode=on \
		-drive file="$work/disk.img",if=virtio,format=raw \
		-kernel "$work/vmlinuz-$release" -initrd "$work/initrd.img-$release" \
		-append "console=ttyS0 root=/dev/vda rw panic=-1 systemd.show_status=0 $*" \
		</dev/null >"$log" 2>&1
	rc=$?
	if grep -q '^harness: finished' "$log"; then
		result ok "$what"
	else
		tail -n 30 "$log" >"$tmp"
		result not-ok "$what (exit $rc)" "$tmp"
	fi
	grep -E 'WARNING:|BUG:|Oops|Kernel panic|general protection' "$log" | head -n 5 >"$tmp"
	if [ ! -s "$tmp" ]; then
		result ok "  the kernel log has no warning, BUG or oops"
	else
		result not-ok "  the kernel log has no warning, BUG or oops" "$tmp"
	fi
	e2fsck -fy -E journal_only "$work/disk.img" >/dev/null 2>&1
	rm -rf "$work/ioasid-tests"
	debugfs -R "rdump /var/lib/ioasid-tests $work" "$work/disk.img" >/dev/null 2>&1
	cp "$work"/ioasid-tests/*.tap "$work"/ioasid-tests/journal*.txt "$work"/ioasid-tests/lsmod.txt "$out/" 2>/dev/null
	rm -rf "$work/ioasid-tests"
}

boot "the machine booted $release with systemd as PID 1, ran the suites and powered off" \
	"$out/console.log" "$@"
# the same image again, the kernel without the controller: fallback.sh
boot "booted again with cgroup_disable=ioasids, it ran the fallback suite" \
	"$out/console-fallback.log" "$@" cgroup_disable=ioasids
case " $suites " in *" fallback "*) ;; *) suites="$suites fallback" ;; esac

: >"$tmp"
for s in $suites; do
	f=$out/e2e-$s.tap
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$f" 2>/dev/null | tail -n 1)
	ran=$(grep -cE '^(not )?ok ' "$f" 2>/dev/null)
	[ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$plan" -eq "$ran" ] ||
		echo "e2e-$s.tap: plan '${plan:-none}', ${ran:-0} results" >>"$tmp"
done
if [ ! -s "$tmp" ]; then
	result ok "each suite ran to its end: $suites"
else
	result not-ok "each suite ran to its end: $suites" "$tmp"
fi
finish
