#!/bin/bash
# Boot a test kernel with the host's root as its root and init.sh as PID 1.
# Usage: scripts/boot.sh OUTDIR MODE [VAR=value | kernel-param]...
# The console goes to OUTDIR/console.log (and to stdout with SHOW=1).
#
# By default the UML test kernel (UML_LINUX, default build/uml/linux), which
# reads the root through hostfs. With X86_KERNEL=DIR, the x86_64 kernel
# built there, under QEMU: TCG with one host thread per vCPU (CPUS, default
# 2; MEM, default 2G), q35 with the emulated Intel IOMMU in scalable mode,
# and the root over virtio 9p. The 9p device is not behind the IOMMU (no
# iommu_platform), as a real host's virtio device would not be; the IOMMU
# is there for its driver.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
out=$(realpath -m "$1") mode=$2
shift 2
harness=("init=$top/tests/harness/init.sh" "IOASID_TOP=$top" "IOASID_OUT=$out"
	 "IOASID_MODE=$mode")

if [ -n "${X86_KERNEL:-}" ]; then
	image=$(realpath -m "$X86_KERNEL")/arch/x86/boot/bzImage
	[ -f "$image" ] || { echo "boot.sh: no kernel at $image; run make kernel-x86" >&2; exit 1; }
	cmd=(qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max
	     -smp "${CPUS:-2}" -m "${MEM:-2G}" -nographic -no-reboot -nodefaults
	     -serial stdio -monitor none
	     -device intel-iommu,intremap=off,x-scalable-mode=on
	     -fsdev local,id=root,path=/,security_model=passthrough,multidevs=remap
	     -device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	     -kernel "$image"
	     -append "console=ttyS0 panic=-1 root=hostroot rootfstype=9p rw
		      rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose
		      ${harness[*]} IOASID_ARCH=x86_64 $*")
else
	linux=${UML_LINUX:-$build/uml/linux}
	[ -x "$linux" ] || { echo "boot.sh: no test kernel at $linux; run make kernel" >&2; exit 1; }
	mkdir -p "$build/uml-run"
	cmd=("$linux" mem=1G rootfstype=hostfs rw con=null con0=null,fd:1
	     "uml_dir=$build/uml-run" "${harness[@]}" "$@")
fi
rm -rf "$out"
mkdir -p "$out"

rc=0
if [ "${SHOW:-0}" = 1 ]; then
	timeout "${BOOT_TIMEOUT:-1800}" "${cmd[@]}" </dev/null 2>&1 | tee "$out/console.log" || rc=$?
else
	timeout "${BOOT_TIMEOUT:-1800}" "${cmd[@]}" </dev/null >"$out/console.log" 2>&1 || rc=$?
fi
# A clean run ends with the harness's last line, whatever the exit code.
if ! grep -q '^harness: finished' "$out/console.log"; then
	echo "boot.sh: the test kernel did not finish (exit $rc); last lines of $out/console.log:" >&2
	tail -n 25 "$out/console.log" >&2
	exit 1
fi
