#!/bin/bash
# Build a kernel from the pinned tree: prepare the tree, (re)configure when
# the config fragment or the patches changed, then let kbuild do the rest,
# which does no work when nothing changed.
#
# Usage: scripts/build-kernel.sh OUTDIR ARCH FRAGMENT [kbuild args...]
# With LOG=file, kbuild's output goes to that file and only errors show.
# With BASE=tinyconfig, the fragment goes on tinyconfig, not defconfig; with
# BASE=/a/file (a distribution's config, for instance), on that file. With
# LSMOD=/a/file (lsmod's output), localmodconfig trims the base to the
# modules it lists before the fragment goes on.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tree=${BUILD:-$top/build}/linux
out=$(realpath -m "$1") arch=$2 fragment=$(realpath "$3")
shift 3
jobs=${JOBS:-$(nproc)}

"$top/scripts/kernel-tree.sh" prepare

kmake() { make -C "$tree" O="$out" ARCH="$arch" LOCALVERSION= -j"$jobs" "$@"; }

base=${BASE:-defconfig} lsmod=${LSMOD:-}
# What the configuration is made from: the base (a target's name, or a
# file's content), the module list, the fragment and the tree's patches.
# A change of any, or a configure step that did not finish, configures
# anew (file times alone miss a package's older files and a switch back).
inputs=$( { echo "$base"; [ ! -f "$base" ] || sha256sum <"$base"; [ -z "$lsmod" ] || sha256sum <"$lsmod"
	    sha256sum <"$fragment"; cat "$tree/.ioasid-patched"; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.ioasid-config-inputs" 2>/dev/null)" != "$inputs" ]; then
	rm -f "$out/.ioasid-config-inputs"
	echo "  CONFIG  $out ($arch ${base#"$top"/}${lsmod:+ trimmed to ${lsmod#"$top"/}} + ${fragment#"$top"/})"
	mkdir -p "$out"
	case $base in
	/*) xzcat -f "$base" >"$out/.config"; kmake -s olddefconfig >/dev/null ;;
	*) kmake -s "$base" >/dev/null ;;
	esac
	if [ -n "$lsmod" ]; then
		kmake -s LSMOD="$lsmod" localmodconfig >/dev/null 2>"$out/localmodconfig.log" || {
			cat "$out/localmodconfig.log" >&2; rm -f "$out/.config"; exit 1; }
	fi
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" >/dev/null
	kmake -s olddefconfig >/dev/null
	# Every option the fragment asks for must have survived olddefconfig.
	bad=0
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$out/.config" || { echo "config: wanted $line, got: $(grep "^${line%%=*}=" "$out/.config" || echo unset)" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$out/.config" || { echo "config: wanted $sym unset" >&2; bad=1; } ;;
		esac
	done <"$fragment"
	if [ $bad -ne 0 ]; then
		rm -f "$out/.config"
		echo "build-kernel.sh: ${fragment#"$top"/} does not apply to this tree" >&2
		exit 1
	fi
	echo "$inputs" >"$out/.ioasid-config-inputs"
fi

if [ -n "${LOG:-}" ]; then
	if ! kmake "$@" >"$LOG" 2>&1; then
		grep -E 'error|Error' "$LOG" | head -40 >&2
		echo "build-kernel.sh: kernel build failed, see $LOG" >&2
		exit 1
	fi
else
	kmake "$@"
fi
