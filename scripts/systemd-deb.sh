#!/bin/bash
# systemd as Debian packages with IOASIDMax= built in: Debian 12's source
# package, patches/systemd/ added to debian/patches, a changelog entry of
# its own, and dpkg-buildpackage with Debian's own flags (less the tests;
# with the man pages, which the patches extend). The packages land in
# build/systemd-deb/.
#
# Usage: scripts/systemd-deb.sh build            build the packages
#        scripts/systemd-deb.sh root STOCK ROOT  install them with dpkg -i into ROOT,
#                                                a copy of STOCK, for scripts/check-systemd.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
deb=$build/systemd-deb

# the Debian version of the source apt-get fetched, and ours above it
versions() {
	version=$(ls "$build"/systemd-src/systemd_*.dsc | sed -n '1s/.*systemd_\(.*\)\.dsc$/\1/p')
	ours=$version+ioasids1
}

log() { echo "  $*"; }

build_debs() {
	"$top/scripts/systemd-native.sh" source >/dev/null
	versions
	log "DPKG-SOURCE -x systemd_$version.dsc into $deb/src"
	rm -rf "$deb"
	mkdir -p "$deb"
	dpkg-source --no-check -x "$(ls "$build"/systemd-src/systemd_*.dsc | head -n 1)" "$deb/src" \
		>"$deb/unpack.log" 2>&1
	for p in "$top"/patches/systemd/*.patch; do
		cp "$p" "$deb/src/debian/patches/ioasids-$(basename "$p")"
		echo "ioasids-$(basename "$p")" >>"$deb/src/debian/patches/series"
	done
	{
		echo "systemd ($ours) bookworm; urgency=medium"
		echo
		echo "  * Add IOASIDMax= and IOASIDAccounting= for the ioasids cgroup controller"
		echo "    (patches/systemd/ of the ioasids project)."
		echo
		echo " -- ioasids <ioasids@localhost>  $(date -R)"
		echo
		cat "$deb/src/debian/changelog"
	} >"$deb/changelog" && mv "$deb/changelog" "$deb/src/debian/changelog"
	log "APT-GET BUILD-DEP (Debian's build dependencies of systemd)"
	DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq "$deb/src" >"$deb/build-dep.log" 2>&1 || {
		tail -n 20 "$deb/build-dep.log" >&2
		exit 1
	}
	# with the documentation: packages without it would take systemd's man
	# pages off a host that installs them
	log "DPKG-BUILDPACKAGE -b (nocheck; log: $deb/build.log)"
	local start=$SECONDS
	(cd "$deb/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		DEB_BUILD_PROFILES="nocheck noinsttest" dpkg-buildpackage -b -us -uc) \
		>"$deb/build.log" 2>&1 || {
		tail -n 30 "$deb/build.log" >&2
		echo "systemd-deb.sh: dpkg-buildpackage failed, see $deb/build.log" >&2
		exit 1
	}
	echo "$((SECONDS - start))" >"$deb/build-seconds"
	log "built in $((SECONDS - start)) s:"
	ls "$deb"/*.deb | sed 's/^/    /'
}

# the packages a Debian 12 host with systemd has, upgraded to ours
root() {
	local stock target pkgs=()
	stock=$(realpath -m "$1") target=$(realpath -m "$2")
	versions
	rm -rf "$target"
	cp -a "$stock" "$target"
	# every package built whose Debian counterpart the root has: they
	# depend on each other's exact version
	local d p
	for d in "$deb"/*_"${ours}"_*.deb; do
		p=$(basename "$d")
		p=${p%%_*}
		if chroot "$target" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			pkgs+=("$d")
		fi
	done
	mkdir -p "$target/tmp/systemd-deb"
	cp "${pkgs[@]}" "$target/tmp/systemd-deb/"
	log "DPKG -i ${#pkgs[@]} packages into $target"
	chroot "$target" sh -c 'dpkg -i /tmp/systemd-deb/*.deb' >"$deb/root-dpkg.log" 2>&1 || {
		tail -n 20 "$deb/root-dpkg.log" >&2
		exit 1
	}
	rm -rf "$target/tmp/systemd-deb"
	# the project's package, the native suites and systemd's test-cgroup-mask
	"$top/scripts/systemd-native.sh" build >/dev/null
	"$top/scripts/systemd-native.sh" suites "$target"
}

case "${1:-}" in
build) build_debs ;;
root) [ $# -eq 3 ] || { echo "usage: $0 root STOCK ROOT" >&2; exit 2; }
	root "$2" "$3" ;;
*) echo "usage: $0 build|root STOCK ROOT" >&2; exit 2 ;;
esac
