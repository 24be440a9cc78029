#!/bin/bash
# Every prefix of the series (make patches) builds: apply the patches one
# by one to the pristine tree, and after each, build what the series adds
# or touches on x86_64 in two configurations: the series' options on (the
# config of scripts/check-x86.sh) and all off.
# Objects, not whole kernels: a prefix that breaks the build of a file it
# touches, or that adds a Makefile line for a file not there yet, fails
# here. UML is not built at every prefix: the series touches no
# architecture code, and the whole series is built for UML by every test
# kernel. TAP in OUTDIR/series.tap. Build directories: build/prefix.
# Usage: scripts/check-series.sh OUTDIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=$build/linux
out=$1
base=$build/prefix
wt=$base/tree
export GIT_CEILING_DIRECTORIES=$build	# never this repository, above build/
mkdir -p "$out" "$base"
. "$top/scripts/tap-file.sh"
tap_open "$out/series.tap"
log=$(mktemp)
trap 'rm -f "$tap" "$log"; git -C "$tree" worktree remove --force "$wt" 2>/dev/null' EXIT

# The series' options, and a config with all of them off. CONFIG_IOASID
# has no prompt: it is on when something selects it.
opts='CGROUP_IOASIDS IOASID_DEV IOASID_KUNIT_TEST IOASID_BENCH'
off_config() {
	local re
	re=$(echo "IOASID $opts" | sed 's/ /|/g')
	sed -E "/^(# )?CONFIG_($re)[= ]/d" "$1"
	for o in $opts; do echo "# CONFIG_$o is not set"; done
}

# Start from the x86_64 test config of scripts/check-x86.sh (configured
# here if it was not built yet).
configs=()
for a in x86_64:x86_64:x86_64.config; do
	IFS=: read -r name arch frag <<<"$a"
	if ! "$top/scripts/build-kernel.sh" "$build/$name" "$arch" "$top/configs/$frag" olddefconfig >"$log" 2>&1; then
		result not-ok "the $name test config is there to start from" "$log"
		finish
	fi
	mkdir -p "$base/$name-on" "$base/$name-off"
	cp "$build/$name/.config" "$base/$name-on.wanted"
	off_config "$build/$name/.config" >"$base/$name-off.wanted"
	configs+=("$name-on:$arch" "$name-off:$arch")
done
rm -rf "$base/uml-on" "$base/uml-off" "$base"/uml-*.wanted	# left by older runs

if ! "$top/scripts/kernel-tree.sh" series "$base/patches" >"$log" 2>&1; then
	result not-ok "make patches writes the series" "$log"
	finish
fi
git -C "$tree" worktree remove --force "$wt" 2>/dev/null
rm -rf "$wt"
git -C "$tree" worktree prune
git -C "$tree" worktree add -q --detach "$wt" base

# What a prefix can break, as far as the config builds it: the cgroup
# core, our files, the IOMMU layer. The controller is built when the
# wanted config has it and this prefix's init/Kconfig knows it.
targets() { # ARCH CONFIG
	local t="kernel/cgroup/cgroup.o"
	grep -q '^CONFIG_CGROUP_IOASIDS=y' "$base/$2.wanted" && grep -q '^config CGROUP_IOASIDS$' "$wt/init/Kconfig" &&
		t="$t kernel/cgroup/ioasid.o"
	[ -d "$wt/drivers/iommu/ioasid" ] && t="$t drivers/iommu/ioasid/"
	[ "$1" = x86_64 ] && t="$t drivers/iommu/iommu.o drivers/iommu/iommu-sva.o"
	echo "$t"
}

# One config at one prefix: at the first prefix and after a patch that
# changes a Kconfig file, its options as this prefix knows them
# (olddefconfig drops the others); then the targets, in one make of their
# own (a config target beside them would make kbuild build them one by
# one, each with its own start-up).
build_one() { # CONFIG ARCH LOG RECONFIGURE
	local dir=$base/$1 t
	t=$(targets "$2" "$1")
	echo "targets: $t" >"$3"
	if [ "$4" = 1 ]; then
		cp "$base/$1.wanted" "$dir/.config"
		make -C "$wt" O="$dir" ARCH="$2" LOCALVERSION= -s olddefconfig >>"$3" 2>&1 || return 1
	fi
	# shellcheck disable=SC2086
	make -C "$wt" O="$dir" ARCH="$2" LOCALVERSION= -j1 -s $t >>"$3" 2>&1
}

# Objects of ours left by an earlier run, of a later prefix, would stand
# in for sources a prefix does not have yet.
for c in "${configs[@]}"; do
	rm -rf "$base/${c%%:*}/drivers/iommu/ioasid" "$base/${c%%:*}/kernel/cgroup/ioasid.o"
done

reconfigure=1
for p in "$base"/patches/0*.patch; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	name=$(basename "$p" .patch)
	if ! git -C "$wt" -c user.name=prefix -c user.email=prefix@ioasid.invalid am -q "$p" >"$log" 2>&1; then
		result not-ok "$name applies" "$log"
		finish
	fi
	# A patch that changes nothing kbuild reads builds what the last did.
	if ! grep '^+++ b/' "$p" | grep -qE '\.[ch]$|Kconfig|Makefile'; then
		result ok "$name: changes no build input"
		continue
	fi
	grep -qE '^(---|\+\+\+) [ab]/(.*/)?Kconfig' "$p" && reconfigure=1
	# The configs side by side, one job each: much of the time is make's
	# own start-up, which is serial.
	pids=()
	for c in "${configs[@]}"; do
		build_one "${c%%:*}" "${c##*:}" "$log.${c%%:*}" "$reconfigure" &
		pids+=($!)
	done
	reconfigure=0
	i=0
	for c in "${configs[@]}"; do
		cfg=${c%%:*}
		if wait "${pids[$i]}"; then
			result ok "$name: $cfg builds"
		else
			{ head -n 1 "$log.$cfg"; grep -E 'error|Error' "$log.$cfg" || tail -n 20 "$log.$cfg"; } >"$log.err"
			result not-ok "$name: $cfg builds" "$log.err"
		fi
		rm -f "$log.$cfg" "$log.err"
		i=$((i + 1))
	done
done
# The whole series now: the x86_64 W=1 check (OUTDIR/x86.tap) on this tree,
# in the objects of the config with the options on.
TREE=$wt KOUT=$base/x86_64-on "$top/scripts/check-x86.sh" "$out"
finish
