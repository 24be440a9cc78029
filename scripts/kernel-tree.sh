#!/bin/bash
# Prepare the pinned kernel tree: unpack Debian's linux-source-6.12 into
# build/linux as a git repository, apply patches/ with git am, and copy the
# overlay (our new files) in. Every step is skipped when its inputs did not
# change, and unchanged files keep their mtimes, so make rebuilds nothing.
#
# Usage: scripts/kernel-tree.sh prepare | series OUTDIR | verify-series DIR | overlay-list
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=$build/linux
keep=$build/linux.mtimes	# mtimes kept across a re-application of patches/
tarball=${KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
want_version=6.12

git_t() { git -C "$tree" -c user.name="ioasid developer" -c user.email="dev@ioasid.invalid" "$@"; }

die() { echo "kernel-tree.sh: $*" >&2; exit 1; }

# The feature series, then the fixes only the UML test kernel needs.
patch_files() {
	local f
	shopt -s nullglob
	for f in "$top"/patches/series/*.patch "$top"/patches/test-kernel/*.patch; do
		echo "$f"
	done
}

# "repo path<TAB>tree path" for every file we add to the kernel tree.
overlay_list() {
	local d dirs=()
	for d in include kernel drivers Documentation; do
		[ -d "$top/$d" ] && dirs+=("$d")
	done
	(cd "$top" && find "${dirs[@]}" -type f | sort) |
		while read -r f; do printf '%s\t%s\n' "$f" "$f"; done
	printf '%s\t%s\n' tests/kunit/ioasid_kunit.c drivers/iommu/ioasid/ioasid_kunit.c
}

unpack() {
	[ -f "$tarball" ] || die "$tarball not found: install Debian's linux-source-6.12"
	if [ -f "$tree/.ioasid-base" ] && [ "$tree/.ioasid-base" -nt "$tarball" ]; then
		return
	fi
	echo "  UNPACK  $tarball"
	rm -rf "$tree" "$build/linux.tmp"
	mkdir -p "$build/linux.tmp"
	tar -xJf "$tarball" -C "$build/linux.tmp"
	mv "$build/linux.tmp"/linux-source-* "$tree"
	rmdir "$build/linux.tmp"

	local v p s
	v=$(sed -n 's/^VERSION = //p' "$tree/Makefile")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$tree/Makefile")
	s=$(sed -n 's/^SUBLEVEL = //p' "$tree/Makefile")
	if [ "$v.$p" != "$want_version" ]; then
		die "$tarball holds Linux $v.$p.$s, but this project is pinned to $want_version"
	fi

	echo "  GIT     base commit of Linux $v.$p.$s"
	git_t init -q
	# Debian's .gitignore ignores the top level: add everything by force.
	git_t add -f .
	git_t commit -q -m "Linux $v.$p.$s from Debian's linux-source-$want_version"
	git_t tag -f base >/dev/null
	echo "$v.$p.$s" >"$tree/.ioasid-base"
}

apply_patches() {
	local sum
	sum=$(patch_files | xargs -r cat | sha256sum | cut -d' ' -f1)
	if [ -f "$tree/.ioasid-patched" ] && [ "$(cat "$tree/.ioasid-patched")" = "$sum" ]; then
		return
	fi
	echo "  GIT AM  patches/"
	git_t am --abort >/dev/null 2>&1 || true
	# The files the old patches touched: after the new ones are applied,
	# those whose content did not change get their old mtime back, so a
	# new patch rebuilds what it touches, not every file that includes
	# cgroup_subsys.h.
	{ git_t diff --name-only base HEAD -- 2>/dev/null
	  [ -f "$tree/.ioasid-overlay" ] && cut -f2 "$tree/.ioasid-overlay"; } | while read -r f; do
		[ -f "$tree/$f" ] && printf '%s\t%s\t%s\n' "$(stat -c %Y "$tree/$f")" \
			"$(sha1sum <"$tree/$f" | cut -d' ' -f1)" "$f"
	done >"$keep" || true
	git_t reset -q --hard base
	git_t clean -q -fdx -e /.ioasid-base
	rm -f "$tree/.ioasid-overlay"
	local patches
	patches=$(patch_files)
	[ -n "$patches" ] || { echo "$sum" >"$tree/.ioasid-patched"; return; }
	# shellcheck disable=SC2086
	git_t am -q $patches || die "patches/ no longer apply to $(cat "$tree/.ioasid-base")"
	echo "$sum" >"$tree/.ioasid-patched"
}

# After apply_patches and sync_overlay: unchanged files get their mtimes back.
restore_mtimes() {
	[ -f "$keep" ] || return 0
	while IFS=$'\t' read -r mtime hash f; do
		[ -f "$tree/$f" ] && [ "$(sha1sum <"$tree/$f" | cut -d' ' -f1)" = "$hash" ] &&
			touch -d "@$mtime" "$tree/$f"
	done <"$keep"
	rm -f "$keep"
}

sync_overlay() {
	local src dst new=$tree/.ioasid-overlay.new
	overlay_list >"$new"
	while IFS=$'\t' read -r src dst; do
		if ! cmp -s "$top/$src" "$tree/$dst"; then
			mkdir -p "$(dirname "$tree/$dst")"
			cp "$top/$src" "$tree/$dst"
		fi
	done <"$new"
	# Files dropped from the overlay leave the tree too.
	if [ -f "$tree/.ioasid-overlay" ]; then
		cut -f2 "$tree/.ioasid-overlay" | sort >"$new.old"
		cut -f2 "$new" | sort | comm -23 "$new.old" - | while read -r dst; do
			rm -f "$tree/$dst"
		done
		rm -f "$new.old"
	fi
	mv "$new" "$tree/.ioasid-overlay"
}

# Write the whole series, overlay included, as git am-able patches.
series() {
	local out wt=$build/series-tree
	out=$(realpath -m "$1")
	rm -rf "$out" "$wt"
	git_t worktree prune
	git_t worktree add -q --detach "$wt" base
	commit_overlay() {
		local msg=$1; shift
		local src dst
		while IFS=$'\t' read -r src dst; do
			for pat in "$@"; do
				case "$dst" in $pat)
					mkdir -p "$(dirname "$wt/$dst")"
					cp "$top/$src" "$wt/$dst"
					git -C "$wt" add -f "$dst";;
				esac
			done
		done < <(overlay_list)
		git -C "$wt" -c user.name="ioasid developer" -c user.email="dev@ioasid.invalid" \
			commit -q -F "$msg"
	}
	commit_overlay "$top/patches/messages/core.txt" 'include/*' 'drivers/iommu/ioasid/Kconfig' \
		'drivers/iommu/ioasid/Makefile' 'drivers/iommu/ioasid/core.c' 'drivers/iommu/ioasid/dev.c' \
		'drivers/iommu/ioasid/bench.c'
	commit_overlay "$top/patches/messages/controller.txt" 'kernel/cgroup/*'
	commit_overlay "$top/patches/messages/kunit.txt" 'drivers/iommu/ioasid/ioasid_kunit.c'
	commit_overlay "$top/patches/messages/docs.txt" 'Documentation/*'
	git -C "$wt" -c user.name="ioasid developer" -c user.email="dev@ioasid.invalid" \
		am -q "$top"/patches/series/*.patch
	mkdir -p "$out"
	git -C "$wt" format-patch -q -o "$out" base..HEAD
	git_t worktree remove --force "$wt"
	ls "$out"
}

# Apply a written series to the pristine tree with git am, and check every
# overlay file came out identical to ours.
verify_series() {
	local dir wt=$build/verify-tree src dst bad=0
	dir=$(realpath -m "$1")
	rm -rf "$wt"
	git_t worktree prune
	git_t worktree add -q --detach "$wt" base
	if ! git -C "$wt" -c user.name="ioasid developer" -c user.email="dev@ioasid.invalid" \
		am -q "$dir"/*.patch; then
		echo "verify: the series does not apply with git am to $(cat "$tree/.ioasid-base")" >&2
		bad=1
	else
		while IFS=$'\t' read -r src dst; do
			cmp -s "$top/$src" "$wt/$dst" || { echo "verify: $dst differs from $src" >&2; bad=1; }
		done < <(overlay_list)
	fi
	git_t worktree remove --force "$wt"
	return $bad
}

case "${1:-}" in
prepare)
	mkdir -p "$build"
	unpack
	apply_patches
	sync_overlay
	restore_mtimes
	;;
series)
	[ -n "${2:-}" ] || die "usage: kernel-tree.sh series OUTDIR"
	series "$2"
	;;
verify-series)
	[ -n "${2:-}" ] || die "usage: kernel-tree.sh verify-series DIR"
	verify_series "$2"
	;;
overlay-list)
	overlay_list
	;;
*)
	die "usage: kernel-tree.sh prepare | series OUTDIR | verify-series DIR | overlay-list"
	;;
esac
