#!/bin/bash
# systemd with IOASIDMax= built in: Debian 12's systemd source (apt-get
# source, as Debian's users get it), patches/systemd/ on top, built with
# meson for only what a boot and the tests need, and installed into a copy
# of the Debian 12 root that scripts/rootfs.sh made.
#
# Usage: scripts/systemd-native.sh source           fetch and patch into build/systemd-src
#        scripts/systemd-native.sh build            and build into build/systemd-build
#        scripts/systemd-native.sh root STOCK NATIVE  and install into NATIVE, a copy of STOCK
#        scripts/systemd-native.sh suites ROOT      only the suites and test-cgroup-mask (after build)
#        scripts/systemd-native.sh check            systemd's own host-side checks the patch
#                                                  touches, as TAP (after build)
#
# The private libraries get their own tag (libsystemd-shared-252-ioasids.so),
# so the root's stock programs keep loading Debian's libsystemd-shared-252.so.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
src=$build/systemd-src
out=$build/systemd-build
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# the version Debian 12 has, which the patches are made against (after a
# Debian update, fetch() takes the one the archive has)
version=252.39-1~deb12u2
tag=252-ioasids
multiarch=x86_64-linux-gnu
libdir=/usr/lib/$multiarch/systemd
targets="systemd systemctl systemd-run systemd-analyze test-cgroup-mask"

log() { echo "  $*"; }

# apt-get source with a deb-src list of its own: the host's sources and
# apt state stay as they are
fetch() {
	local apt=$build/apt-src
	local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
	ls "$src"/systemd_*.dsc >/dev/null 2>&1 && return 0
	log "APT-GET SOURCE systemd=$version (log: $build/systemd-src.log)"
	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$src"
	cat >"$apt/sources.list" <<-EOF
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-updates main
	deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security bookworm-security main
	EOF
	# the archive keeps only the latest version of a suite: after a Debian
	# update, take that one, and the patches say whether they still apply
	{ apt-get "${opts[@]}" update &&
		(cd "$src" && { apt-get "${opts[@]}" source --download-only "systemd=$version" ||
			{ echo "systemd-native.sh: systemd $version is gone from the archive; trying its successor" >&2
			  apt-get "${opts[@]}" source --download-only systemd; }; }); } \
		>"$build/systemd-src.log" 2>&1 || {
		tail -n 20 "$build/systemd-src.log" >&2
		echo "systemd-native.sh: apt-get source systemd failed" >&2
		exit 1
	}
	grep -h 'gone from the archive' "$build/systemd-src.log" >&2 || true
}

# dpkg-source -x (Debian's own patches applied), then ours, again whenever
# a patch changes
unpack() {
	local stamp dsc
	stamp=$(cat "$top"/patches/systemd/*.patch | sha256sum | cut -c1-16)
	[ -f "$src/tree/.ioasid-patches" ] && [ "$(cat "$src/tree/.ioasid-patches")" = "$stamp" ] && return 0
	dsc=$(ls "$src"/systemd_*.dsc | head -n 1)
	log "DPKG-SOURCE -x $(basename "$dsc"), patches/systemd/*.patch"
	rm -rf "$src/tree"
	dpkg-source --no-check -x "$dsc" "$src/tree" >"$build/systemd-unpack.log" 2>&1
	for p in "$top"/patches/systemd/*.patch; do
		patch -d "$src/tree" -p1 --no-backup-if-mismatch -s <"$p" >>"$build/systemd-unpack.log" 2>&1 || {
			tail -n 20 "$build/systemd-unpack.log" >&2
			echo "systemd-native.sh: $p does not apply to $(basename "$dsc")" >&2
			exit 1
		}
	done
	echo "$stamp" >"$src/tree/.ioasid-patches"
}

# Debian's paths (debian/rules), no LTO, no man pages, only the features a
# boot under test needs (PAM for user@.service, seccomp): a few hundred
# objects, not Debian's 2,000; at -O1, which compiles in 60% of the time
# of meson's release -O3 (four of its largest files, measured here) and
# runs a test boot as well
compile() {
	# a new patch or a new line of this script: configure afresh
	local stamp
	stamp=$(cat "$src/tree/.ioasid-patches" "$0" | sha256sum | cut -c1-16)
	if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.ioasid-config" 2>/dev/null)" != "$stamp" ]; then
		log "MESON $out (log: $build/systemd-build.log)"
		rm -rf "$out"
		local off=""
		for f in selinux apparmor smack polkit ima acl audit blkid fdisk kmod pwquality microhttpd \
			libcryptsetup libcurl idn libidn2 libidn libiptc qrencode gcrypt gnutls openssl p11kit \
			libfido2 tpm2 elfutils zlib bzip2 xz lz4 zstd xkbcommon pcre2 glib dbus gnu-efi efi \
			bpf-framework homed importd repart sysupdate man html translations; do
			off+=" -D$f=false"
		done
		# shellcheck disable=SC2086
		meson setup "$out" "$src/tree" -Dmode=release -Db_lto=false -Doptimization=1 -Ddebug=false \
			-Drootlibdir=/usr/lib/$multiarch -Dsplit-usr=true -Dshared-lib-tag=$tag \
			-Dversion-tag="$(ls "$src"/systemd_*.dsc | sed -n '1s/.*systemd_\(.*\)\.dsc$/\1/p')+ioasids" -Dsysvinit-path=/etc/init.d -Dsysvrcnd-path=/etc \
			-Dtelinit-path=/lib/sysvinit/telinit -Ddefault-hierarchy=unified \
			-Ddefault-kill-user-processes=false -Dstatus-unit-format-default=combined \
			-Dtests=true -Dslow-tests=false -Dfuzz-tests=false -Dinstall-tests=false \
			-Dseccomp=true -Dpam=true $off >"$build/systemd-build.log" 2>&1 || {
			tail -n 30 "$build/systemd-build.log" >&2
			echo "systemd-native.sh: meson setup failed" >&2
			exit 1
		}
	fi
	echo "$stamp" >"$out/.ioasid-config"
	log "NINJA $targets"
	# shellcheck disable=SC2086
	ninja -C "$out" $targets >>"$build/systemd-build.log" 2>&1 || {
		grep -E 'error|FAILED' "$build/systemd-build.log" | tail -n 20 >&2
		echo "systemd-native.sh: the build failed, see $build/systemd-build.log" >&2
		exit 1
	}
}

# the programs, with their run path set to where the libraries go
put() {
	install -D -m 0755 "$1" "$2"
	patchelf --set-rpath "$libdir" "$2"
}

root() {
	local stock native
	stock=$(realpath -m "$1") native=$(realpath -m "$2")
	if [ ! -f "$native/.ioasid-packages" ] ||
		[ "$(cat "$native/.ioasid-packages")" != "$(cat "$stock/.ioasid-packages")" ]; then
		log "COPY $stock to $native"
		rm -rf "$native"
		cp -a "$stock" "$native"
	fi
	put "$out/systemd" "$native/lib/systemd/systemd"
	put "$out/systemctl" "$native/bin/systemctl"
	put "$out/systemd-run" "$native/usr/bin/systemd-run"
	put "$out/systemd-analyze" "$native/usr/bin/systemd-analyze"
	suites "$native"
}

# the project's package, the native suites and their units, and systemd's
# test-cgroup-mask with the private libraries it was built against (their
# own tag: they never replace a root's)
suites() {
	local native
	native=$(realpath -m "$1")
	for l in shared core; do
		put "$out/src/$l/libsystemd-$l-$tag.so" "$native$libdir/libsystemd-$l-$tag.so"
	done
	"$top/scripts/rootfs.sh" "$native"
	for f in native.sh native-reboot.sh native-nocontroller.sh rootless.sh; do
		install -D -m 0755 "$top/tests/systemd/$f" "$native/usr/lib/ioasid-tests/systemd/$f"
	done
	rm -rf "$native"/etc/systemd/system/ion-* "$native"/etc/systemd/system/ion.slice* \
		"$native/etc/systemd/system.conf.d/50-ioasids.conf"
	cp "$top"/tests/systemd/native-units/* "$native/etc/systemd/system/"
	# systemd's own test of the masks, with the units it loads
	rm -rf "$native/usr/lib/ioasid-tests/systemd-test"
	put "$out/test-cgroup-mask" "$native/usr/lib/ioasid-tests/systemd-test/test-cgroup-mask"
	cp -r "$src/tree/test/units" "$native/usr/lib/ioasid-tests/systemd-test/units"
}

# meson's check-directives: every unit setting of load-fragment-gperf.gperf
# is in the fuzzers' directive lists (the patch adds IOASIDMax= to both)
check() {
	echo "TAP version 13"
	if meson test -C "$out" --no-rebuild check-directives >"$build/systemd-check.log" 2>&1; then
		echo "ok 1 systemd's check-directives: IOASIDMax= and IOASIDAccounting= are in the fuzz lists"
	else
		echo "not ok 1 systemd's check-directives: IOASIDMax= and IOASIDAccounting= are in the fuzz lists"
		sed -n '/^Looks like/p;/^[<>]/p' "$out/meson-logs/testlog.txt" | head -n 10 | sed 's/^/# /'
	fi
	if "$out/systemd" --dump-configuration-items | grep -qx 'IOASIDMax=OTHER'; then
		echo "ok 2 the built PID 1 lists IOASIDMax= among its unit settings"
	else
		echo "not ok 2 the built PID 1 lists IOASIDMax= among its unit settings"
	fi
	echo "1..2"
}

case "${1:-}" in
source) fetch; unpack ;;
build) fetch; unpack; compile ;;
check) check ;;
suites) [ $# -eq 2 ] || { echo "usage: $0 suites ROOT" >&2; exit 2; }
	suites "$2" ;;
root) [ $# -eq 3 ] || { echo "usage: $0 root STOCK NATIVE" >&2; exit 2; }
	fetch; unpack; compile; root "$2" "$3" ;;
*) echo "usage: $0 source|build|root STOCK NATIVE" >&2; exit 2 ;;
esac
