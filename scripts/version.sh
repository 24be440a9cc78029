#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The version of what the project packages, one that dpkg --compare-versions
# and apt order from build to build:
#   scripts/version.sh deb             ioasidctl's: BASE+N.gHASH
#   scripts/version.sh kernel 6.12.Y   the kernel's, for bindeb-pkg: 6.12.Y-N.gHASH
# BASE is debian/changelog's version (0.1); N counts the commits of the
# checkout's history, which grows with every commit on main, so a later
# build of main sorts after an earlier one; HASH names the commit. A tree
# with uncommitted changes adds ".dirty" (it sorts after its commit's clean
# build). Without git (an exported tarball) the deb is BASE and the
# kernel 6.12.Y-0.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
base=${base%%+*}
if n=$(git -C "$top" rev-list --count HEAD 2>/dev/null) &&
	h=$(git -C "$top" rev-parse --short=7 HEAD 2>/dev/null); then
	scm="$n.g$h"
	git -C "$top" diff --quiet HEAD -- 2>/dev/null || scm="$scm.dirty"
else
	scm=
fi
case ${1:-} in
deb) echo "$base${scm:++$scm}" ;;
kernel)
	[ -n "${2:-}" ] || { echo "usage: $0 kernel KERNELVERSION" >&2; exit 2; }
	echo "$2-${scm:-0}" ;;
*) echo "usage: $0 deb | kernel KERNELVERSION" >&2; exit 2 ;;
esac
