#!/bin/bash
# Prepare the pinned kernel tree: unpack Debian's linux-source-6.12 into
# build/linux as a git repository, apply patches/ with git am, and copy the
# overlay (our new files) in. Every step is skipped when its inputs did not
# change, and unchanged files keep their mtimes, so make rebuilds nothing.
#
# Usage: scripts/kernel-tree.sh prepare | series OUTDIR | verify-series DIR | maintainers DIR |
#        overlay-list
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tree=$build/linux
keep=$build/linux.mtimes	# mtimes kept across a re-application of patches/
# The worktrees live in build/, inside this repository: should one be gone,
# git must fail rather than find this repository above it and commit there.
export GIT_CEILING_DIRECTORIES=$build
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
	# The tarball's size and time as unpacked: a new linux-source-6.12 is
	# unpacked anew even when dpkg gave it a time older than the tree's.
	local id
	id=$(stat -L -c '%s %Y' "$tarball")
	if [ -f "$tree/.ioasid-base" ]; then
		# (a tree unpacked before this stamp existed: newer is the same)
		[ -f "$build/linux.tarball" ] || [ ! "$tree/.ioasid-base" -nt "$tarball" ] ||
			echo "$id" >"$build/linux.tarball"
		[ "$(cat "$build/linux.tarball" 2>/dev/null)" != "$id" ] || return 0
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
	echo "$id" >"$build/linux.tarball"
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

# The series as it is sent, in an order where every prefix builds: the
# cgroup fix, the IOASID core, the controller, its KUnit suites, the IOMMU
# layer's use of the core, the guide, MAINTAINERS, and /dev/ioasid last so
# that everything before it can be merged without the new uAPI. Each stage
# is "name|message|Kconfig symbols it adds|overlay paths|tree patches": a
# message of "-" takes the one tree patch's own with git am; otherwise the
# tree patches and overlay files are squashed into one commit. Our Kconfig
# and Makefile are cut down to the symbols added so far.
stages() {
	cat <<-'EOF'
	fix|-|||0001-*
	core|core.txt|IOASID|include/linux/ioasid.h include/linux/cgroup_ioasids.h drivers/iommu/ioasid/internal.h drivers/iommu/ioasid/core.c|0002-*
	controller|controller.txt||kernel/cgroup/ioasid.c|0003-*
	kunit|kunit.txt|IOASID_KUNIT_TEST|drivers/iommu/ioasid/ioasid_kunit.c|
	iommu|-|||0004-*
	docs|docs.txt||Documentation/admin-guide/cgroup-v2-ioasid.rst|0005-*
	maintainers|-|||0006-*
	dev|dev.txt|IOASID_DEV|drivers/iommu/ioasid/dev.c include/uapi/linux/ioasid.h|0007-*
	EOF
}
# Not for merging: written to OUTDIR/optional, on top of the series.
optional_stages() {
	echo "bench|bench.txt|IOASID_BENCH|drivers/iommu/ioasid/bench.c|"
}

# A Kconfig file with only the stanzas of the given symbols.
kconfig_cut() { # FILE SYMBOLS...
	local f=$1; shift
	awk -v syms=" $* " '
		/^(menu)?config / { inconf = 1; keep = index(syms, " " $2 " ") > 0 }
		!inconf || keep { print }' "$f" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# A Makefile with only the lines whose CONFIG_ symbols were given.
makefile_cut() { # FILE SYMBOLS...
	local f=$1; shift
	awk -v syms=" $* " '{
		line = $0; ok = 1
		while (match(line, /\$\(CONFIG_[A-Za-z0-9_]+\)/)) {
			sym = substr(line, RSTART + 9, RLENGTH - 10)
			if (!index(syms, " " sym " ")) ok = 0
			line = substr(line, RSTART + RLENGTH)
		}
		if (ok) print
	}' "$f"
}

# Commit the stages given on stdin to the worktree $1; symbols added by
# earlier stages are in the variable syms.
commit_stages() {
	local wt=$1 name msg add paths tp f p
	local g=(git -C "$wt" -c user.name="$author_name" -c user.email="$author_email")
	while IFS='|' read -r name msg add paths tp; do
		syms="$syms $add"
		if [ "$msg" = - ]; then
			"${g[@]}" am -q "$top"/patches/series/$tp || die "stage $name: git am failed"
			continue
		fi
		for p in $tp; do
			"${g[@]}" apply --index "$top"/patches/series/$p || die "stage $name: $p does not apply"
		done
		for f in $paths; do
			mkdir -p "$(dirname "$wt/$f")"
			src=$(overlay_list | awk -F'\t' -v d="$f" '$2 == d { print $1 }')
			[ -n "$src" ] || die "stage $name: $f is not in the overlay"
			cp "$top/$src" "$wt/$f"
		done
		if [ -n "$add" ]; then
			mkdir -p "$wt/drivers/iommu/ioasid"
			kconfig_cut "$top/drivers/iommu/ioasid/Kconfig" $syms >"$wt/drivers/iommu/ioasid/Kconfig"
			makefile_cut "$top/drivers/iommu/ioasid/Makefile" $syms >"$wt/drivers/iommu/ioasid/Makefile"
		fi
		"${g[@]}" add -f -A
		"${g[@]}" commit -q -F <(sed -e "s/^Signed-off-by: .*/Signed-off-by: $author_name <$author_email>/" \
			"$top/patches/messages/$msg") || die "stage $name: nothing to commit"
	done
}

# The identity patches are sent as: AUTHOR="Name <mail>", else git's
# user.name and user.email, else the project's placeholder.
author() {
	local a=${AUTHOR:-}
	if [ -z "$a" ] && git -C "$top" config user.email >/dev/null 2>&1; then
		a="$(git -C "$top" config user.name) <$(git -C "$top" config user.email)>"
	fi
	[ -n "$a" ] || a="ioasid developer <dev@ioasid.invalid>"
	case "$a" in
	*' <'*@*'>') ;;
	*) die "AUTHOR must be \"Name <mail>\", not \"$a\"" ;;
	esac
	author_name=${a% <*} author_email=${a##*<} author_email=${author_email%>}
}

# Fill git format-patch's cover letter from patches/messages/cover.txt:
# its first line is the subject, the rest the text.
cover() { # FILE
	local f=$1 msg=$top/patches/messages/cover.txt subject
	subject=$(head -n 1 "$msg")
	grep -q '^\*\*\* BLURB HERE \*\*\*$' "$f" || die "$f has no blurb to fill"
	awk -v subject="$subject" -v msg="$msg" '
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ {
			n = 0
			while ((getline line <msg) > 0)
				if (++n > 2) print line
			next
		}
		{ print }' "$f" >"$f.new" && mv "$f.new" "$f"
}

# Write the whole series, overlay included, as git am-able patches, with a
# cover letter (patches/messages/cover.txt), and the optional patches in
# OUTDIR/optional.
series() {
	local out wt=$build/series-tree placeholder="ioasid developer <dev@ioasid.invalid>"
	out=$(realpath -m "$1")
	author
	rm -rf "$out" "$wt"
	git_t worktree prune
	git_t worktree add -q --detach "$wt" base
	syms=
	commit_stages "$wt" < <(stages)
	local head
	head=$(git -C "$wt" rev-parse HEAD)
	commit_stages "$wt" < <(optional_stages)
	mkdir -p "$out/optional"
	git -C "$wt" -c user.name="$author_name" -c user.email="$author_email" format-patch -q --zero-commit --cover-letter \
		-o "$out" base.."$head"
	git -C "$wt" format-patch -q --zero-commit --subject-prefix="PATCH OPTIONAL" -o "$out/optional" "$head"..HEAD
	git_t worktree remove --force "$wt"
	# The tree patches carry the placeholder identity: send ours.
	sed -i -e "s/$placeholder/$author_name <$author_email>/" "$out"/*.patch "$out"/optional/*.patch
	cover "$out/0000-cover-letter.patch"
	(cd "$out" && ls ./*.patch optional/*.patch | sed 's|^\./||')
	if [ "$author_name <$author_email>" = "$placeholder" ]; then
		echo "kernel-tree.sh: the patches carry the placeholder $placeholder;" \
			"send them with make patches AUTHOR=\"Name <mail>\"" >&2
	fi
}

# A worktree WT of the pristine tree with the written series in DIR applied
# (the cover letter is not a patch; the optional ones go on top).
applied_tree() { # DIR WT
	rm -rf "$2"
	git_t worktree prune
	git_t worktree add -q --detach "$2" base
	# shellcheck disable=SC2046
	git -C "$2" -c user.name="ioasid developer" -c user.email="dev@ioasid.invalid" \
		am -q $(ls "$1"/*.patch | grep -v /0000-cover-letter.patch) "$1"/optional/*.patch
}

# Apply a written series to the pristine tree with git am, and check every
# overlay file came out identical to ours.
verify_series() {
	local dir wt=$build/verify-tree src dst bad=0
	dir=$(realpath -m "$1")
	if ! applied_tree "$dir" "$wt"; then
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

# For each patch of a written series, the lists get_maintainer.pl of the
# patched tree (our MAINTAINERS entry included) sends it to.
maintainers() {
	local dir wt=$build/maintainers-tree p
	dir=$(realpath -m "$1")
	applied_tree "$dir" "$wt" || die "the series in $dir does not apply"
	for p in "$dir"/0*.patch "$dir"/optional/*.patch; do
		case $p in */0000-cover-letter.patch) continue ;; esac
		printf '%s: %s\n' "${p#"$dir"/}" "$(cd "$wt" && perl scripts/get_maintainer.pl --nogit \
			--nogit-fallback --norolestats --nom --nor --l "$p" | sort | paste -sd' ')"
	done
	git_t worktree remove --force "$wt"
}

case "${1:-}" in
prepare)
	mkdir -p "$build"
	# make check builds the SMP kernels in the background: one at a time.
	exec 8>"$build/.kernel-tree.lock"
	flock 8
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
maintainers)
	[ -n "${2:-}" ] || die "usage: kernel-tree.sh maintainers DIR"
	maintainers "$2"
	;;
overlay-list)
	overlay_list
	;;
*)
	die "usage: kernel-tree.sh prepare | series OUTDIR | verify-series DIR | maintainers DIR | overlay-list"
	;;
esac
