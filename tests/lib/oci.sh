# shellcheck shell=sh
# OCI bundles for the container suites: the suite sets $t and $ctl first,
# and TESTS if the test programs are not in $IOASID_TOP/build/tests.

# The runtimes' state stays in this boot's tmpfs: / is the host's.
crun() { command crun --root "$t/crun" --cgroup-manager="${CGROUP_MANAGER:-cgroupfs}" "$@"; }
runc() { command runc --root "$t/runc" "$@"; }

major=$((0x$(stat -c %t /dev/ioasid))) minor=$((0x$(stat -c %T /dev/ioasid)))
# bundle NAME CGROUPS-PATH UNIFIED ANNOTATIONS HOOKS ALLOC-ARGS: a bundle in
# $t/NAME whose process is ioasid-alloc ALLOC-ARGS. UNIFIED, ANNOTATIONS and
# HOOKS are JSON members ("" for none). The root is empty but for the
# host's /usr and the test programs, read-only.
bundle() {
	b=$t/$1
	mkdir -p "$b/rootfs/usr" "$b/rootfs/opt/tests" "$b/rootfs/proc" "$b/rootfs/dev"
	for d in bin lib lib64 sbin; do ln -sfn usr/$d "$b/rootfs/$d"; done
	args=$(printf '"%s",' $6)
	cat >"$b/config.json" <<-JSON
	{
	  "ociVersion": "1.0.2",
	  "process": {
	    "user": { "uid": 0, "gid": 0 },
	    "args": [ "/opt/tests/ioasid-alloc", "--label", "$1", ${args%,} ],
	    "env": [ "PATH=/usr/bin:/bin" ],
	    "cwd": "/"
	  },
	  "root": { "path": "rootfs", "readonly": true },
	  "mounts": [
	    { "destination": "/proc", "type": "proc", "source": "proc" },
	    { "destination": "/usr", "type": "bind", "source": "/usr", "options": [ "rbind", "ro" ] },
	    { "destination": "/opt/tests", "type": "bind", "source": "${TESTS:-$IOASID_TOP/build/tests}",
	      "options": [ "rbind", "ro" ] }
	  ],
	  "annotations": { $4 },
	  "hooks": { $5 },
	  "linux": {
	    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" } ],
	    "cgroupsPath": "$2",
	    "devices": [ { "path": "/dev/ioasid", "type": "c", "major": $major, "minor": $minor,
	                   "fileMode": 384, "uid": 0, "gid": 0 } ],
	    "resources": {
	      "devices": [ { "allow": false, "access": "rwm" },
	                   { "allow": true, "type": "c", "major": $major, "minor": $minor, "access": "rwm" } ],
	      "unified": { $3 }
	    }
	  }
	}
	JSON
}

hook='"createRuntime": [ { "path": "'"$ctl"'", "args": [ "ioasidctl", "oci-hook" ] } ]'

