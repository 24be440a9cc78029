#!/bin/sh
# PID 1 of the test kernel. The host's root is our root (hostfs), so every
# binary is the host's; we mount private proc, sysfs, cgroup2, debugfs and
# a scratch tmpfs, run tests/harness/$IOASID_MODE.sh, and power off.
# IOASID_TOP, IOASID_OUT and IOASID_MODE come from the kernel command line.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
# terminals of our own (tmux in the ioasidctl suite)
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts
# POSIX shared memory (podman's locks, in the containers suite)
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# Scratch space, private to this boot. Not over /tmp: the repository (and
# IOASID_OUT with it) may live there, and hostfs must still reach it.
TMPDIR=$IOASID_OUT/tmp
export TMPDIR
mkdir -p "$TMPDIR" && mount -t tmpfs tmpfs "$TMPDIR"
cd /

echo "harness: booted Linux $(uname -r), mode $IOASID_MODE"
"$IOASID_TOP/tests/harness/$IOASID_MODE.sh"
rc=$?
umount "$TMPDIR" && rmdir "$TMPDIR"
echo "harness: finished rc=$rc"
sync
echo o >/proc/sysrq-trigger
# Wait for the power-off in the shell itself: PID 1 must not exit, and an
# exec may already fail while the root (9p, hostfs) goes away.
while :; do :; done
