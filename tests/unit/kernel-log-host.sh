#!/bin/bash
# scripts/kernel-log.sh, the reader of the test kernels' logs, on logs made
# for it: every report fails, but a KCSAN data race with no frame in the
# series' code (and, at unknown origin, with the series' code all
# instrumented), which is listed. With awk as Debian installs it (mawk) and
# with gawk. TAP on stdout.
# Usage: tests/unit/kernel-log-host.sh TOP
top=$1
t=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
# shellcheck disable=SC1091
. "$top/tests/lib/tap.sh"
echo "TAP version 13"

# A kernel tree with the one .c file the series patches that a report
# below names: cgroup.c.
tree=$t/tree
mkdir -p "$tree/kernel/cgroup"
cat >"$tree/kernel/cgroup/cgroup.c" <<'C'
void cgroup_file_notify(struct cgroup_file *cfile)
{
}

struct cgroup_subsys_state *
css_next_descendant_pre(struct cgroup_subsys_state *pos)
{
}
C
# and the other .c files the series and the test kernels' patches touch,
# empty
sed -n 's|^+++ b/\(.*\.c\)$|\1|p' "$top"/patches/series/*.patch \
	"$top"/patches/test-kernel/*.patch | sort -u | while read -r f; do
	mkdir -p "$tree/$(dirname "$f")"
	[ -e "$tree/$f" ] || : >"$tree/$f"
done

# A copy of the project's files that kernel-log.sh reads, to exempt one
# of them from KCSAN at a time.
ftop=$t/top
mkdir -p "$ftop/scripts" "$ftop/kernel/cgroup" "$ftop/drivers/iommu" "$ftop/include/linux" "$ftop/tests"
cp "$top/scripts/kernel-log.sh" "$ftop/scripts/"
cp "$top/kernel/cgroup/ioasid.c" "$ftop/kernel/cgroup/"
cp -r "$top/drivers/iommu/ioasid" "$ftop/drivers/iommu/"
cp "$top"/include/linux/*.h "$ftop/include/linux/"
cp -r "$top/tests/kunit" "$ftop/tests/"
cp -r "$top/patches" "$ftop/"
# exempt FILE LINE: the copy's FILE with LINE at its end (undo: restore FILE)
exempt() { echo "$2" >>"$ftop/$1"; }
restore() { cp "$top/$1" "$ftop/$1"; }

boot() {
	cat <<'LOG'
[    0.000000] Linux version 6.12.118 (root@host) #1 SMP PREEMPT
[    1.590216] kcsan: enabled early
[    2.373945] kcsan: selftest: 3/3 tests passed
LOG
}
# kcsan_report TITLE FRAME1 FRAME2
kcsan_report() {
	cat <<LOG
[   41.101000] ==================================================================
[   41.101010] BUG: KCSAN: data-race in $1
[   41.101020] 
[   41.101030] write to 0xffff88800a2b3c40 of 4 bytes by task 312 on cpu 2:
[   41.101040]  $2+0x5c/0x140
[   41.101050]  inotify_update_watch+0x2e1/0x3a0
[   41.101060]  __x64_sys_inotify_add_watch+0x18c/0x2a0
[   41.101070]  do_syscall_64+0x9e/0x1a0
[   41.101080] 
[   41.101090] read to 0xffff88800a2b3c40 of 4 bytes by task 318 on cpu 0:
[   41.101100]  $3+0x3a/0x4b0
[   41.101110]  vfs_read+0x1ab/0x5e0
[   41.101120]  ksys_read+0xd1/0x160
[   41.101130]  do_syscall_64+0x9e/0x1a0
[   41.101140] 
[   41.101150] value changed: 0x00200008 -> 0x08200008
[   41.101160] 
[   41.101170] Reported by Kernel Concurrency Sanitizer on:
[   41.101180] CPU: 0 UID: 0 PID: 318 Comm: ioasidctl Not tainted 6.12.118 #1
[   41.101190] ==================================================================
LOG
}
# the report that failed a CI run, as the console printed it
virtio_report() {
	cat <<'LOG'
[  118.402110] ==================================================================
[  118.402120] BUG: KCSAN: data-race in virtqueue_kick_prepare+0x105/0x190
[  118.402130] 
[  118.402140] race at unknown origin, with read to 0xffff888000eead44 of 2 bytes by task 571 on cpu 2:
[  118.402150]  virtqueue_kick_prepare+0x105/0x190
[  118.402160]  virtqueue_kick+0xa/0x60
[  118.402170]  p9_virtio_request+0x295/0x2e0
[  118.402180]  p9_client_rpc+0x16f/0x570
[  118.402190]  p9_client_walk+0xbb/0x2a0
[  118.402200]  v9fs_file_open+0x203/0x4c0
[  118.402210]  do_dentry_open+0x251/0x7e0
[  118.402220]  vfs_open+0x51/0x1b0
[  118.402230]  path_openat+0x14a1/0x1a30
[  118.402240]  do_filp_open+0x10b/0x230
[  118.402250]  do_sys_openat2+0xa9/0x100
[  118.402260]  __x64_sys_openat+0xa5/0xf0
[  118.402270]  do_syscall_64+0x9e/0x1a0
[  118.402280]  entry_SYSCALL_64_after_hwframe+0x77/0x7f
[  118.402290] 
[  118.402300] value changed: 0x0011 -> 0x0013
[  118.402310] 
[  118.402320] Reported by Kernel Concurrency Sanitizer on:
[  118.402330] CPU: 2 UID: 0 PID: 571 Comm: ioasidctl Not tainted 6.12.118 #1
[  118.402340] ==================================================================
LOG
}
warning() {
	cat <<'LOG'
[   52.000000] ------------[ cut here ]------------
[   52.000010] WARNING: CPU: 1 PID: 77 at mm/slub.c:4512 kmem_cache_free+0x4c/0x60
[   52.000020] Modules linked in:
[   52.000030] CPU: 1 UID: 0 PID: 77 Comm: ioasid-stress Not tainted 6.12.118 #1
LOG
}

for awk in mawk gawk; do
	if ! command -v $awk >/dev/null; then
		echo "ok $((n + 1)) # SKIP $awk is not installed"
		n=$((n + 1))
		continue
	fi
	mkdir -p "$t/bin"
	ln -sf "$(command -v $awk)" "$t/bin/awk"
	run() { PATH=$t/bin:$PATH IOASID_TREE=$tree "$top/scripts/kernel-log.sh" "$@"; }

	boot >"$t/clean.log"
	expect 0 "$awk: a clean log passes, silently" run "$t/clean.log"
	[ ! -s "$t/out" ]
	result $? "$awk: ... and prints nothing"

	{ boot; kcsan_report "fsnotify_set_children_dentry_flags / __fsnotify_parent" \
		fsnotify_set_children_dentry_flags __fsnotify_parent; } >"$t/upstream.log"
	expect 0 "$awk: a KCSAN race with no frame in the series' code passes" run "$t/upstream.log"
	has "a data race outside the series: BUG: KCSAN: data-race in fsnotify_set_children_dentry_flags / __fsnotify_parent"
	result $? "$awk: ... and is listed by its title"
	# the serial console's copy: no timestamps, CR LF
	sed 's/^\[ *[0-9.]*\] //; s/$/\r/' "$t/upstream.log" >"$t/upstream.console"
	expect 0 "$awk: the same race in dmesg and on the console (CR LF) passes" \
		run "$t/upstream.log" "$t/upstream.console"
	[ "$(grep -c 'outside the series' "$t/out")" -eq 1 ] && ! grep -q "$(printf '\r')" "$t/out"
	result $? "$awk: ... and is listed once, without the CR"
	{ cat "$t/upstream.console"; warning | sed 's/^\[ *[0-9.]*\] //; s/$/\r/'; } >"$t/crlf.console"
	expect 1 "$awk: on the console (CR LF), a WARNING after a listed race fails" run "$t/crlf.console"

	warning >"$t/warning.txt"
	{ boot; kcsan_report "a / b" fsnotify_set_children_dentry_flags __fsnotify_parent |
		sed "/value changed/r $t/warning.txt"; } >"$t/inside.log"
	sed -n '/BUG: KCSAN/,/^\[[ 0-9.]*\] =\{66\}$/p' "$t/inside.log" | grep -q 'WARNING'
	result $? "$awk: (a WARNING inside a race's report)"
	expect 1 "$awk: a WARNING printed inside a listed race's report fails" run "$t/inside.log"

	{ boot; kcsan_report "a / b" fsnotify_set_children_dentry_flags __fsnotify_parent | head -n 9; } >"$t/cut1.log"
	{ boot; warning; } >"$t/cut2.log"
	expect 1 "$awk: a report cut off at one log's end does not swallow the next log's WARNING" \
		run "$t/cut1.log" "$t/cut2.log"

	{ boot; kcsan_report "css_next_descendant_pre / kernfs_find_ns" css_next_descendant_pre \
		kernfs_find_ns; } >"$t/nextline.log"
	expect 1 "$awk: a frame of a function whose name starts the line after its type fails" \
		run "$t/nextline.log"

	{ boot; kcsan_report "a / b" fsnotify_set_children_dentry_flags __fsnotify_parent |
		sed 's/data-race in a \/ b/assert: race in a \/ b/'; } >"$t/assert.log"
	expect 1 "$awk: a failed KCSAN assertion fails, wherever it is" run "$t/assert.log"

	# CI's: QEMU writes the virtio ring that the 9p root's requests use
	{ boot; virtio_report; } >"$t/virtio.log"
	expect 0 "$awk: the 9p root's virtio ring, written by QEMU (unknown origin), passes" run "$t/virtio.log"
	has "outside the series: BUG: KCSAN: data-race in virtqueue_kick_prepare+0x105/0x190 (at unknown origin)"
	result $? "$awk: ... and is listed"
	{ boot; virtio_report | sed 's/ v9fs_file_open+/ ioasid_fops_open+/'; } >"$t/virtio-ours.log"
	expect 1 "$awk: a race at unknown origin with a frame of /dev/ioasid fails" run "$t/virtio-ours.log"
	has "# race at unknown origin, with read to 0xffff888000eead44 of 2 bytes by task 571 on cpu 2:"
	result $? "$awk: ... with its first lines"
	echo 'KCSAN_SANITIZE_cgroup.o := n' >"$tree/kernel/cgroup/Makefile"
	expect 1 "$awk: with a file the series touches not instrumented, a race at unknown origin fails" \
		run "$t/virtio.log"
	expect 0 "$awk: ... but a race with both stacks outside the series still passes" run "$t/upstream.log"
	echo 'KCSAN_SANITIZE := n' >"$tree/kernel/cgroup/Makefile"
	expect 1 "$awk: with the controller's directory not instrumented, a race at unknown origin fails" \
		run "$t/virtio.log"
	echo 'KCSAN_SANITIZE_softirq.o := n' >"$tree/kernel/cgroup/Makefile"
	expect 0 "$awk: another object's exemption beside the series' files changes nothing" run "$t/virtio.log"
	rm "$tree/kernel/cgroup/Makefile"

	runtop() { PATH=$t/bin:$PATH IOASID_TREE=$tree "$ftop/scripts/kernel-log.sh" "$@"; }
	expect 0 "$awk: (the copy of the project's files reads as the project)" runtop "$t/virtio.log"
	exempt drivers/iommu/ioasid/core.c 'static void __no_kcsan ioasid_quiet(void) {}'
	expect 1 "$awk: with __no_kcsan in the core, a race at unknown origin fails" runtop "$t/virtio.log"
	restore drivers/iommu/ioasid/core.c
	exempt drivers/iommu/ioasid/Makefile 'KCSAN_SANITIZE_core.o := n'
	expect 1 "$awk: with the core's object exempt in its Makefile, a race at unknown origin fails" \
		runtop "$t/virtio.log"
	restore drivers/iommu/ioasid/Makefile
	ps=("$top"/patches/series/*.patch)
	last=${ps[-1]#"$top"/}
	exempt "$last" '+KCSAN_SANITIZE_iommu.o := n'
	expect 1 "$awk: with a patch exempting an object, a race at unknown origin fails" runtop "$t/virtio.log"
	restore "$last"

	{ boot; virtio_report; kcsan_report "fsnotify_set_children_dentry_flags / __fsnotify_parent" \
		fsnotify_set_children_dentry_flags __fsnotify_parent; } >"$t/two.log"
	expect 0 "$awk: a race at unknown origin, then one with both stacks, passes" run "$t/two.log"
	grep -qx '# a data race outside the series: BUG: KCSAN: data-race in fsnotify_set_children_dentry_flags / __fsnotify_parent' "$t/out"
	result $? "$awk: ... and only the first is listed as at unknown origin"

	expect 1 "$awk: no log to read fails" run "$t/none.log"

	{ boot; kcsan_report "ioasids_try_charge / ioasids_max_write" \
		ioasids_try_charge ioasids_max_write; } >"$t/ours.log"
	expect 1 "$awk: a KCSAN race in the controller fails" run "$t/ours.log"
	has "# BUG: KCSAN: data-race in ioasids_try_charge / ioasids_max_write" &&
		has "# write to 0xffff88800a2b3c40 of 4 bytes by task 312 on cpu 2:"
	result $? "$awk: ... with the report's title and first lines"

	# our frame deeper in a stack, under upstream code
	{ boot; kcsan_report "kernfs_notify / kernfs_notify" kernfs_notify kernfs_notify |
		sed 's/ inotify_update_watch+/ cgroup_file_notify+/'; } >"$t/deep.log"
	expect 1 "$awk: a race with a frame in a function the series patches (cgroup.c) fails" run "$t/deep.log"

	# a frame of an optimised copy: func.isra.0
	{ boot; kcsan_report "ioasid_alloc / ioasid_free" ioasid_alloc.isra.0 ioasid_free; } >"$t/isra.log"
	expect 1 "$awk: a frame of an .isra copy of the core's function fails" run "$t/isra.log"

	# a report cut off before its closing rule
	{ boot; kcsan_report "xas_load / ioasid_free" xas_load ioasid_free | sed '$d'; } >"$t/cut.log"
	expect 1 "$awk: a report cut off at the log's end, with our frame, fails" run "$t/cut.log"

	{ boot; warning; } >"$t/warn.log"
	expect 1 "$awk: a WARNING fails" run "$t/warn.log"
	has "# WARNING: CPU: 1 PID: 77 at mm/slub.c:4512" && has "# Modules linked in:"
	result $? "$awk: ... with the lines under it"

	{ boot; kcsan_report "a / b" fsnotify_set_children_dentry_flags __fsnotify_parent; warning; } >"$t/both.log"
	expect 1 "$awk: a race outside the series does not hide a WARNING after it" run "$t/both.log"

	mv "$tree" "$tree.gone"
	expect 1 "$awk: without the kernel tree, every KCSAN race fails" run "$t/upstream.log"
	mv "$tree.gone" "$tree"
done
tap_end
