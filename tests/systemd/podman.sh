#!/bin/sh
# podman as Debian 12 ships it, under systemd as PID 1: rootful, the
# systemd cgroup manager (its default), the hooks directory it reads by
# default (where the package put ioasidctl.json), crun (its default
# runtime) and runc. The same results with stock systemd 252 and with
# patches/systemd/: the annotation io.ioasids.max works with both runtimes,
# --cgroup-conf ioasids.max=N with runc only. TAP.
# The one test-rig choice, on UML only: vfs storage
# (/etc/containers/storage.conf), as the root is the host's hostfs, where
# overlayfs cannot stack. The Debian 12 machine (scripts/check-machine.sh),
# root on ext4, has no storage.conf: podman's default, overlay.
cg=/sys/fs/cgroup
t=/run/ioasid-tests/podman
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"
. "$(dirname "$0")/../lib/podman.sh"

kind=stock
[ -n "$(systemctl show -P DefaultIOASIDMax)" ] && kind="with patches/systemd/"
echo "# $(systemctl --version | sed -n 1p), $kind; podman $(podman version --format '{{.Client.Version}}' 2>&1)"

ran() { grep -q "^$1: " "$t/out"; }
base=$(cat $cg/ioasids.current)

# an image of the test program and its libraries
test_image "$t"
result $? "podman import: an image with the test program"

[ "$(podman info --format '{{.Host.CgroupManager}}')" = systemd ] &&
	[ "$(podman info --format '{{.Host.OCIRuntime.Name}}')" = crun ]
result $? "podman's defaults: the systemd cgroup manager, crun"
[ -f /usr/share/containers/oci/hooks.d/ioasidctl.json ]
result $? "the package's hook is in podman's default hooks directory"
if [ ! -e /etc/containers/storage.conf ]; then
	driver=$(podman info --format '{{.Store.GraphDriverName}}' 2>&1)
	[ "$driver" = overlay ]
	result $? "no storage.conf: podman's default storage driver, overlay ($driver)"
fi

prun() {
	name=$1
	shift
	podman run --rm --network none --device /dev/ioasid "$@" localhost/ioasid-test:1 \
		/usr/bin/ioasid-alloc -n 5 --label "$name" >"$t/out" 2>"$t/err"
}

# ---- --cgroup-conf ioasids.max=2 ---------------------------------------------
# runc writes the key to the scope systemd made for it; it enables every
# controller of the root down the path itself, so this works with stock
# systemd too (which leaves a controller it does not know alone), and the
# patched systemd delegates ioasids to the scope anyway
prun u1 --runtime runc --cgroup-conf ioasids.max=2
capped u1
result $? "podman run --runtime runc --cgroup-conf ioasids.max=2: 2 of 5"
dmesg | grep -q 'refused an IOASID by ioasids.max (2) of /machine.slice/libpod-[0-9a-f]*.scope$'
result $? "  the limit is on the scope systemd made, machine.slice/libpod-ID.scope"
# crun 1.8.1 enables in the cgroup it creates for the container only the
# controllers it knows, whichever systemd
prun u2 --cgroup-conf ioasids.max=2
rc=$?
[ $rc -ne 0 ] && ! ran u2 && grep -q "controller \`ioasids\` is not available" "$t/err"
result $? "podman run --cgroup-conf ioasids.max=2 with crun fails: 'controller ioasids is not available' (exit $rc)"

# ---- the annotation: the hook sets the limit, with either runtime ----------
prun a1 --annotation io.ioasids.max=2
capped a1
result $? "podman run --annotation io.ioasids.max=2 (crun): 2 of 5"
prun a2 --runtime runc --annotation io.ioasids.max=2
capped a2
result $? "podman run --runtime runc --annotation io.ioasids.max=2: 2 of 5"
prun a3 --annotation io.ioasids.max=lots
rc=$?
[ $rc -ne 0 ] && ! ran a3
result $? "podman run --annotation io.ioasids.max=lots: the container fails and never runs (exit $rc)"

uncharged "$base"
result $? "nothing stays charged after the containers"
podman rmi -f localhost/ioasid-test:1 >/dev/null 2>&1
tap_end
