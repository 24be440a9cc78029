#!/bin/bash
# Install the Debian packages a target needs, only when some are missing.
# Usage: scripts/deps.sh GROUP...   (groups: kernel tests tools systemd qemu kdeb deb lint)
# (systemd: debootstrap for the Debian 12 root, and what building systemd
# with patches/systemd/ needs)
set -euo pipefail

declare -A pkgs=(
	[kernel]="linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev xz-utils git perl python3 python3-ply python3-git kmod cpio"
	[tests]="build-essential pkg-config gawk coreutils util-linux procps clang libclang-rt-14-dev prometheus tmux crun runc podman libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86"
	[systemd]="debootstrap meson ninja-build gperf pkg-config libcap-dev libmount-dev libseccomp-dev libpam0g-dev libcrypt-dev python3-jinja2 dpkg-dev patchelf gawk"
	[qemu]="qemu-system-x86"
	[kdeb]="linux-config-6.12 dpkg-dev debhelper rsync kmod cpio bc bison flex libelf-dev libssl-dev e2fsprogs zstd xz-utils"
	[deb]="debhelper dpkg-dev fakeroot lintian"
	[lint]="sparse coccinelle ocaml-nox clang llvm lld python3-sphinx python3-sphinx-rtd-theme"
	[tools]="build-essential pkg-config libcgroup-dev cgroup-tools libsmartcols-dev libsystemd-dev libjson-c-dev libxml2-dev libcmocka-dev groff-base man-db dbus systemd"
)

want=()
for group in "$@"; do
	[ -n "${pkgs[$group]+x}" ] || { echo "deps.sh: unknown group '$group'" >&2; exit 2; }
	# shellcheck disable=SC2206
	want+=(${pkgs[$group]})
done

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
