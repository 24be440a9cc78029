#!/bin/bash
# The kernel as Debian packages (make kernel-deb): the pinned tree with the
# series, configured, then the kernel's own `make bindeb-pkg`, which writes
# linux-image-*.deb and linux-headers-*.deb (and linux-libc-dev) into
# build/kernel-deb/CONFIG/. The release is 6.12.N-ioasids.
#
# CONFIG (KERNEL_CONFIG= in make) is one of
#   debian       Debian's amd64 configuration trimmed by localmodconfig to
#                the modules LSMOD lists (lsmod's output: the host's, or
#                configs/debian-machine.lsmod, the QEMU machine's), with
#                configs/debian.config on top. Debian's built-in choices stay.
#                LSMOD is required: a module it does not list is not built.
#   debian-full  Debian's amd64 configuration with every module: what a
#                distribution builds, hours on 2 cores.
#   machine      x86_64 tinyconfig plus configs/x86-machine.config: the
#                small kernel make check installs in its Debian 12 machine.
#
# Usage: scripts/kernel-deb.sh build [CONFIG]
#        scripts/kernel-deb.sh check-config OUTDIR   (TAP: Debian's configs
#                keep the options through olddefconfig, and the cgroup
#                subsystems fit in 16)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=$build/linux
debian_configs=/usr/src/linux-config-6.12

die() { echo "kernel-deb.sh: $*" >&2; exit 1; }

debian_config() {
	local f=$debian_configs/config.amd64_none_amd64.xz
	[ -f "$f" ] || die "$f not found: install Debian's linux-config-6.12"
	echo "$f"
}

build_debs() {
	local cfg=${1:-debian} base fragment lsmod=
	case $cfg in
	machine) base=tinyconfig fragment=$top/configs/x86-machine.config ;;
	debian) base=$(debian_config) fragment=$top/configs/debian.config
		[ -n "${LSMOD:-}" ] || die "KERNEL_CONFIG=debian needs LSMOD=FILE, lsmod's output on the host the kernel is for (lsmod >host.lsmod; make kernel-deb LSMOD=\$PWD/host.lsmod): a module it does not list is not built. configs/debian-machine.lsmod is the QEMU machine's of make check; KERNEL_CONFIG=debian-full builds every module"
		[ -f "$LSMOD" ] || die "LSMOD=$LSMOD: no such file"
		lsmod=$(realpath "$LSMOD") ;;
	debian-full) base=$(debian_config) fragment=$top/configs/debian.config ;;
	*) die "unknown KERNEL_CONFIG '$cfg': use debian, debian-full or machine" ;;
	esac
	local out=$build/kernel-deb/$cfg log=$build/kernel-deb-$cfg.log
	mkdir -p "$out"
	rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
	local start=$SECONDS
	echo "  KDEB    $out (log: ${log#"$top"/})"
	# bindeb-pkg runs dpkg-buildpackage in the object directory; the
	# packages land in its parent
	# a version dpkg orders from build to build (scripts/version.sh)
	KDEB_PKGVERSION=$("$top/scripts/version.sh" kernel "$(make -s --no-print-directory -C "$tree" kernelversion)")
	export KDEB_PKGVERSION
	echo "  KDEB    version $KDEB_PKGVERSION"
	BASE=$base LSMOD=$lsmod LOG=$log "$top/scripts/build-kernel.sh" "$out/obj" x86_64 "$fragment" bindeb-pkg
	ls "$out"/linux-image-*.deb >/dev/null 2>&1 || die "bindeb-pkg wrote no linux-image package; see $log"
	echo "  KDEB    built in $((SECONDS - start)) s:"
	ls -s --block-size=M "$out"/*.deb | sed 's/^/          /'
}

# The cgroup subsystems a .config enables, from the tree's cgroup_subsys.h.
subsystems() {
	awk -v cfg="$1" '
		BEGIN { while ((getline l < cfg) > 0) if (l ~ /^CONFIG_[A-Z0-9_]+=[ym]$/) { split(l, a, "="); on[a[1]] = 1 } }
		/^#if IS_ENABLED\(CONFIG_/ { s = $0; sub(/.*\(/, "", s); sub(/\).*/, "", s); cur = s; next }
		/^SUBSYS\(/ && cur != "" { n = $0; sub(/^SUBSYS\(/, "", n); sub(/\).*/, "", n); if (on[cur]) print n }
		/^#endif/ { cur = "" }' "$tree/include/linux/cgroup_subsys.h"
}

check_config() {
	local outdir=$1 obj=$build/kernel-config-check tmp
	mkdir -p "$outdir"
	# shellcheck source=scripts/tap-file.sh
	. "$top/scripts/tap-file.sh"
	tap_open "$outdir/kernel-config.tap"
	tmp=$(mktemp)
	"$top/scripts/kernel-tree.sh" prepare
	# the most the 6.12 cgroup core takes (BUILD_BUG_ON in cgroup_init())
	local limit
	limit=$(sed -n 's/.*BUILD_BUG_ON(CGROUP_SUBSYS_COUNT > \([0-9]*\)).*/\1/p' "$tree/kernel/cgroup/cgroup.c")
	[ -n "$limit" ] || die "no CGROUP_SUBSYS_COUNT limit in kernel/cgroup/cgroup.c"
	local f flavour configs=0
	shopt -s nullglob
	for f in "$debian_configs"/config.amd64_*.xz; do
		configs=$((configs + 1))
		flavour=${f#"$debian_configs"/config.}; flavour=${flavour%.xz}
		rm -rf "$obj" && mkdir -p "$obj"
		if ! xzcat "$f" >"$obj/.config" 2>"$tmp"; then
			result not-ok "Debian's $flavour config: xzcat" "$tmp"
			continue
		fi
		if ! make -C "$tree" O="$obj" ARCH=x86_64 -s olddefconfig >"$tmp" 2>&1; then
			result not-ok "Debian's $flavour config: olddefconfig" "$tmp"
			continue
		fi
		local opt missing=
		for opt in CONFIG_IOASID CONFIG_CGROUP_IOASIDS CONFIG_IOASID_DEV; do
			grep -qx "$opt=y" "$obj/.config" || missing="$missing $opt"
		done
		grep -E '^(# )?CONFIG_(IOASID|CGROUP_IOASIDS|IOMMU_SVA|IOMMUFD)[ =]' "$obj/.config" >"$tmp" || true
		if [ -z "$missing" ]; then
			result ok "Debian's $flavour config, olddefconfig: the controller, the core and /dev/ioasid are on by default"
		else
			echo "off:$missing" >>"$tmp"
			result not-ok "Debian's $flavour config, olddefconfig: the controller, the core and /dev/ioasid are on by default" "$tmp"
		fi
		local subs count
		subs=$(subsystems "$obj/.config" | tr '\n' ' ')
		count=$(wc -w <<<"$subs")
		echo "$subs" >"$tmp"
		if [ "$count" -le "$limit" ] && [[ " $subs" == *" ioasids "* ]]; then
			result ok "  $count of $limit cgroup subsystems, ioasids among them: $subs"
		else
			result not-ok "  at most $limit cgroup subsystems, ioasids among them ($count)" "$tmp"
		fi
		# CGROUP_DEBUG on as well: the most a kernel from this config can have
		"$tree/scripts/config" --file "$obj/.config" --enable DEBUG_KERNEL --enable CGROUP_DEBUG &&
			make -C "$tree" O="$obj" ARCH=x86_64 -s olddefconfig >"$tmp" 2>&1 || true
		subs=$(subsystems "$obj/.config" | tr '\n' ' ')
		count=$(wc -w <<<"$subs")
		echo "$subs" >>"$tmp"
		if grep -qx CONFIG_CGROUP_DEBUG=y "$obj/.config" && [ "$count" -le "$limit" ]; then
			result ok "  with CGROUP_DEBUG as well: $count of $limit"
		else
			result not-ok "  with CGROUP_DEBUG as well: at most $limit ($count)" "$tmp"
		fi
	done
	[ "$configs" -gt 0 ] || { echo "no config.amd64_*.xz in $debian_configs" >"$tmp"; result not-ok "Debian's configs found" "$tmp"; }
	rm -f "$tmp"
	rm -rf "$obj"
	finish
}

# Debian's own 6.12 kernel package (linux-image-6.12-amd64's), into
# build/kernel-deb/stock: booted in the machine (scripts/check-machine.sh),
# it runs without the controller, and the lsmod it leaves after the
# suites is configs/debian-machine.lsmod.
stock() {
	local out=$build/kernel-deb/stock pkg
	pkg=$(apt-cache depends linux-image-6.12-amd64 | sed -n 's/^ *Depends: \(linux-image-6\.12.*\)/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-6.12-amd64 (bookworm-security)"
	rm -rf "$out" && mkdir -p "$out"
	(cd "$out" && apt-get download -q "$pkg" >/dev/null) || die "apt-get download $pkg failed"
	ls "$out"/*.deb
}

case ${1:-} in
build) build_debs "${2:-}" ;;
stock) stock ;;
check-config) [ $# -eq 2 ] || die "usage: $0 check-config OUTDIR"; check_config "$2" ;;
*) die "usage: $0 build [debian|debian-full|machine] | check-config OUTDIR | stock" ;;
esac
