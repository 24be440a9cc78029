#!/bin/sh
# Containers in the booted test kernel, with Debian's crun and runc and the
# cgroupfs cgroup manager: ioasids.max from linux.resources.unified, from
# the annotation io.ioasids.max through ioasidctl oci-hook, and from the
# config.json CRI-O writes for a pod annotation. The container allocates
# through /dev/ioasid. TAP on stdout.
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
TESTS_DIR=$IOASID_TOP/build/tests
cg=/sys/fs/cgroup
t=$TMPDIR/e2e-containers
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"

. "$(dirname "$0")/../lib/oci.sh"

# capped NAME: the last run allocated exactly 2 of 5, and 3 were refused
capped() {
	[ "$(grep -c "^$1: allocated IOASID" "$t/out")" -eq 2 ] &&
		[ "$(grep -c "^$1: refused: No space left on device (ENOSPC)" "$t/out")" -eq 3 ]
}
# ran NAME: the container's process ran at all
ran() { grep -q "^$1: " "$t/out"; }
events() { sed -n 's/^max //p' "$1/ioasids.events"; }
logged_any() { dmesg | grep -q "refused an IOASID by ioasids.max ($1) of $2\$"; }

echo +ioasids >$cg/cgroup.subtree_control
base=$(cat $cg/ioasids.current)

# ---- crun, linux.resources.unified -----------------------------------------

bundle c0 /oci/c0 '"ioasids.max": "2"' "" "" "-n 5"
expect 1 "crun: unified ioasids.max under a parent without the controller fails" \
	crun run -b "$t/c0" c0
has "the requested cgroup controller \`ioasids\` is not available" && ! ran c0
result $? "  crun says the controller is not available, and the container never ran"

expect 0 "ioasidctl enable /oci" "$ctl" enable /oci
has "enabled the ioasids controller in /oci/cgroup.subtree_control"
result $? "  it enabled the controller for the children of /oci"
expect 0 "ioasidctl enable /oci a second time" "$ctl" enable /oci
[ ! -s "$t/out" ]
result $? "  and the second time changes nothing"

# ioasids is a domain controller, like memory: a cgroup with processes of
# its own cannot give it to its children, and ioasidctl says why
mkdir -p $cg/busy
sh -c 'echo $$ >/sys/fs/cgroup/busy/cgroup.procs && exec "$1" enable /busy' _ "$ctl" >"$t/out" 2>&1
rc=$?
[ $rc -eq 1 ] && ! grep -qw ioasids $cg/busy/cgroup.subtree_control &&
	grep -q "cannot give ioasids to its children" "$t/out"
result $? "ioasidctl enable on a cgroup that has processes fails and says why (exit $rc)"
sed 's/^/# /' "$t/out"
rmdir $cg/busy

bundle c1 /oci/c1 '"ioasids.max": "2"' "" "" "-n 5"
ev=$(events $cg/oci)
expect 1 "crun: a container with unified ioasids.max 2 asks for 5" crun run -b "$t/c1" c1
capped c1
result $? "  2 allocated, 3 refused with ENOSPC"
[ "$(events $cg/oci)" -eq $((ev + 3)) ]
result $? "  /oci's ioasids.events counts the 3 refusals"
logged_any 2 /oci/c1
result $? "  the kernel log names /oci/c1 and its limit"
[ ! -d $cg/oci/c1 ] && [ "$(cat $cg/oci/ioasids.current)" -eq 0 ] &&
	[ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "  the cgroup is gone and nothing stays charged"

# a container that holds its IOASIDs: its cgroup while it runs
bundle c2 /oci/c2 '"ioasids.max": "3"' "" "" "-n 2 --hold"
crun run -d -b "$t/c2" c2 >"$t/c2.out" 2>&1 </dev/null
result $? "crun run -d: a container holding 2 IOASIDs"
i=0
while [ "$(cat $cg/oci/c2/ioasids.current 2>/dev/null)" != 2 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
file_is $cg/oci/c2/ioasids.max 3 && file_is $cg/oci/c2/ioasids.current 2 &&
	[ "$(cat $cg/ioasids.current)" -eq $((base + 2)) ]
result $? "  its cgroup has ioasids.max 3 and ioasids.current 2"
"$ctl" show /oci/c2 >"$t/out" 2>&1
grep -Eq '^/oci/c2 +3 +2 +2 +0$' "$t/out"
result $? "  ioasidctl show /oci/c2: max 3, current 2, peak 2, refused 0"
crun kill c2 TERM
i=0
while crun state c2 2>/dev/null | grep -q '"status": "running"' && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
expect 0 "crun delete" crun delete c2
[ ! -d $cg/oci/c2 ] && [ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "  after delete, nothing stays charged"

# ---- runc -------------------------------------------------------------------

# runc's cgroupfs driver enables every controller of the root up the path
bundle r1 /oci-runc/r1 '"ioasids.max": "2"' "" "" "-n 5"
expect 1 "runc: unified ioasids.max 2, a parent nobody prepared" runc run -b "$t/r1" r1
capped r1
result $? "  2 allocated, 3 refused with ENOSPC"
grep -qw ioasids $cg/oci-runc/cgroup.subtree_control
result $? "  runc enabled ioasids in /oci-runc itself"
logged_any 2 /oci-runc/r1
result $? "  the kernel log names /oci-runc/r1"
[ ! -d $cg/oci-runc/r1 ] && [ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "  the cgroup is gone and nothing stays charged"

# ---- the OCI hook ------------------------------------------------------------

bundle h1 /hooked/h1 "" '"io.ioasids.max": "2"' "$hook" "-n 5"
expect 1 "crun + oci-hook: annotation io.ioasids.max 2, no unified key" crun run -b "$t/h1" h1
capped h1
result $? "  2 allocated, 3 refused with ENOSPC"
grep -qw ioasids $cg/hooked/cgroup.subtree_control
result $? "  the hook enabled the controller above the container"
logged_any 2 /hooked/h1
result $? "  the kernel log names /hooked/h1"

# crun discards a hook's output unless run.oci.hooks.stderr names a file
bundle h2 /hooked/h2 "" '"io.ioasids.max": "two", "run.oci.hooks.stderr": "'"$t/h2.err"'"' \
	"$hook" "-n 5"
crun run -b "$t/h2" h2 >"$t/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! ran h2 && has "error executing hook"
result $? "crun + oci-hook: a malformed annotation fails the container, which never runs (exit $rc)"
sed 's/^/# /' "$t/out"
grep -qx 'ioasidctl oci-hook: container h2: io.ioasids.max="two" is not a limit: use a count from 0 to 1048575, max, or a percentage such as 10%' "$t/h2.err" &&
	[ "$(wc -l <"$t/h2.err")" -eq 1 ]
result $? "  the hook said why in one line"
sed 's/^/# /' "$t/h2.err"

bundle h3 /hooked/h3 "" "" "$hook" "-n 5"
expect 0 "crun + oci-hook: no annotation, the hook does nothing" crun run -b "$t/h3" h3
[ "$(grep -c '^h3: allocated IOASID' "$t/out")" -eq 5 ]
result $? "  all 5 allocated"

# ---- podman ------------------------------------------------------------------

# podman, rootful, as its default runtime (crun) and cgroupfs: an image of
# the test program and its libraries, vfs storage, no network
# podman refuses a runroot path over 50 characters: /dev/shm is this boot's
P="podman --root $t/podman --runroot /dev/shm/podman-run --storage-driver vfs --cgroup-manager cgroupfs --events-backend file"
img=$t/img
mkdir -p "$img/usr/bin"
for d in bin lib lib64; do mkdir -p "$img/usr/$d"; ln -sfn usr/$d "$img/$d"; done
cp "$TESTS_DIR/ioasid-alloc" "$img/usr/bin/"
for l in $(ldd "$TESTS_DIR/ioasid-alloc" | grep -o '/[^ ]*'); do
	mkdir -p "$img$(dirname "$l")" && cp -L "$l" "$img$l"
done
tar -C "$img" -c . | $P import --quiet - localhost/ioasid-test:1 >"$t/out" 2>&1
result $? "podman import: an image with the test program"
prun() { $P run --rm --network none --device /dev/ioasid "$@" localhost/ioasid-test:1 \
	/usr/bin/ioasid-alloc -n 5 --label "$name"; }

# podman creates the cgroup parent itself and, like runc, enables every
# controller down the path: nothing to prepare
name=p1
expect 1 "podman run --cgroup-conf ioasids.max=2 --cgroup-parent /podman, nothing prepared" \
	prun --cgroup-parent /podman --cgroup-conf ioasids.max=2
capped p1
result $? "  2 allocated, 3 refused with ENOSPC"
grep -qw ioasids $cg/podman/cgroup.subtree_control
result $? "  podman enabled ioasids in /podman"
logged_any 2 "/podman/libpod-[0-9a-f]*"
result $? "  the kernel log names the container's cgroup /podman/libpod-ID"

# the hook through a hooks.d directory, as podman and CRI-O read it
mkdir -p "$t/hooks.d"
sed "s|@BINDIR@|$(dirname "$ctl")|" "$IOASID_TOP/tools/ioasidctl/oci-hook.json.in" \
	>"$t/hooks.d/ioasidctl.json"
name=p2
expect 1 "podman run --annotation io.ioasids.max=2, the hook from hooks.d" \
	prun --cgroup-parent /podman-hooked --hooks-dir "$t/hooks.d" --annotation io.ioasids.max=2
capped p2
result $? "  2 allocated, 3 refused with ENOSPC"
name=p3
expect 0 "podman run without the annotation: hooks.d does not run the hook" \
	prun --cgroup-parent /podman-hooked --hooks-dir "$t/hooks.d"
[ "$(grep -c '^p3: allocated IOASID' "$t/out")" -eq 5 ]
result $? "  all 5 allocated"
name=p4
prun --cgroup-parent /podman-hooked --hooks-dir "$t/hooks.d" --annotation io.ioasids.max=-1 \
	>"$t/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! ran p4 && has "error executing hook"
result $? "podman run --annotation io.ioasids.max=-1: the container fails and never runs (exit $rc)"
sed 's/^/# /' "$t/out"
[ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "  nothing stays charged after the podman containers"

# ---- CRI-O's config.json ------------------------------------------------------

# The pod annotation io.kubernetes.cri-o.UnifiedCgroup.ctr = "ioasids.max=2"
# becomes the container's unified map, under the pod's cgroup. kubelet
# creates the pod cgroup; with runc's library it enables every controller,
# which ioasidctl enable stands in for here.
pod=/kubepods/besteffort/pod0b5e3a4c-9d0f-4c1e-8a7b-2f6d4e5c3b1a
"$ctl" enable $pod >/dev/null
id=4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b
bundle k1 "$pod/crio-$id" '"ioasids.max": "2"' \
	'"io.kubernetes.cri-o.UnifiedCgroup.ctr": "ioasids.max=2", "io.kubernetes.container.name": "ctr", "io.kubernetes.pod.name": "dsa-worker", "io.kubernetes.pod.namespace": "default", "io.kubernetes.cri-o.ContainerType": "container"' \
	"" "-n 5"
expect 1 "crun runs CRI-O's config.json for the pod annotation" crun run -b "$t/k1" "$id"
capped k1
result $? "  2 allocated, 3 refused with ENOSPC"
logged_any 2 "$pod/crio-$id"
result $? "  the kernel log names the container's cgroup under the pod"
[ "$(events $cg$pod)" -eq 3 ]
result $? "  the pod's ioasids.events counts the 3 refusals"

[ "$(cat $cg/ioasids.current)" -eq "$base" ]
result $? "nothing stays charged after every container is gone"
tap_end
