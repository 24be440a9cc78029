#!/bin/bash
# Boot an x86_64 test kernel under QEMU (TCG, several vCPUs, q35 with the
# emulated Intel IOMMU) with the host's root as its root, read over virtio
# 9p, and init.sh as PID 1: the same harness as the UML boot in boot.sh.
# Usage: scripts/boot-x86.sh KERNEL_DIR OUTDIR MODE [VAR=value | param]...
# The console goes to OUTDIR/console.log (and to stdout with SHOW=1).
# CPUS (default 2) and MEM (default 2G) size the guest.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$(realpath -m "$1") out=$(realpath -m "$2") mode=$3
shift 3
image=$kdir/arch/x86/boot/bzImage

[ -f "$image" ] || { echo "boot-x86.sh: no kernel at $image; run make kernel-x86" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"

# thread=multi: one host thread per vCPU, so the vCPUs really run at once.
# The 9p device is not behind the IOMMU (no iommu_platform), as a virtio
# device of a real host would not be; the IOMMU is there for its driver.
cmd=(qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max
     -smp "${CPUS:-2}" -m "${MEM:-2G}" -nographic -no-reboot -nodefaults
     -serial stdio -monitor none
     -device intel-iommu,intremap=off,x-scalable-mode=on
     -fsdev local,id=root,path=/,security_model=passthrough,multidevs=remap
     -device virtio-9p-pci,fsdev=root,mount_tag=hostroot
     -kernel "$image"
     -append "console=ttyS0 panic=-1 root=hostroot rootfstype=9p rw
              rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose
              init=$top/tests/harness/init.sh IOASID_TOP=$top IOASID_OUT=$out
              IOASID_MODE=$mode IOASID_ARCH=x86_64 $*")
rc=0
if [ "${SHOW:-0}" = 1 ]; then
	timeout "${BOOT_TIMEOUT:-1800}" "${cmd[@]}" </dev/null 2>&1 | tee "$out/console.log" || rc=$?
else
	timeout "${BOOT_TIMEOUT:-1800}" "${cmd[@]}" </dev/null >"$out/console.log" 2>&1 || rc=$?
fi
if ! grep -q '^harness: finished' "$out/console.log"; then
	echo "boot-x86.sh: the test kernel did not finish (exit $rc); last lines of $out/console.log:" >&2
	tail -n 25 "$out/console.log" >&2
	exit 1
fi
