#!/bin/sh
# Run the documentation's examples of KIND as printed, in order, one TAP
# result each (tests/docs/examples.awk finds them):
#   uml      in the test kernel (tests/harness/suites.sh: the "docs" suite),
#            with ioasidctl from build/ioasidctl on PATH
#   machine  in the Debian 12 machine (tests/systemd/run.sh), with the
#            ioasidctl package, systemd, podman and libvirt, and what the
#            examples name set up first: vm1.service, a VMM holding one
#            IOASID; the libvirt domain vm1; an image for IMAGE COMMAND
# Usage: tests/docs/run.sh KIND DOCDIR   (DOCDIR holds README.md, doc/,
# Documentation/ and tools/ as in the project). TAP on stdout.
kind=$1 docs=$2
here=$(cd "$(dirname "$0")" && pwd)
cg=/sys/fs/cgroup
t=${TMPDIR:-/tmp}/docs-$kind
rm -rf "$t"
mkdir -p "$t"
. "$here/../lib/tap.sh"
echo "TAP version 13"

# example WHERE: the commands on stdin, with sh -e, as root
example() {
	cat >"$t/example.sh"
	sh -e "$t/example.sh" >"$t/out" 2>&1
	rc=$?
	# the first command, without its comment (a "#" in a TAP line is a directive)
	# (and its backslashes doubled: dash's echo, which result uses, takes escapes)
	result $rc "$1: $(sed -n '1{s/[[:space:]]*#.*//;s/\\/\\\\/g;p}' "$t/example.sh")$([ "$(wc -l <"$t/example.sh")" -gt 1 ] && echo " ...")"
	[ $rc -eq 0 ] || { sed 's/^/# ran: /' "$t/example.sh"; tail -n 15 "$t/out" | sed 's/^/# /'; }
}
# example_file WHERE PATH: the file's content on stdin
example_file() {
	mkdir -p "$(dirname "$2")" && cat >"$2"
	result $? "$1: wrote $2"
}
# examples N M: N examples run, one for each of the M markers of KIND
examples() {
	[ "$1" -gt 0 ] && [ "$1" -eq "$2" ]
	result $? "$1 examples of kind $kind, one for each of the $2 markers"
}

cd "$docs" || exit 1
files="README.md doc/operator-guide.md Documentation/admin-guide/cgroup-v2-ioasid.rst
	tools/ioasidctl/ioasidctl.8 tools/systemd/ioasid-generator.8
	tools/systemd/ioasid-metrics.service.8 tools/libvirt/ioasid-libvirt-hook.8"
# shellcheck disable=SC2086
awk -v kind="$kind" -f "$here/examples.awk" $files >"$t/examples.sh"

find $cg -mindepth 1 -type d | sort >"$t/cgroups.before"
case $kind in
uml)
	PATH=$IOASID_TOP/build/ioasidctl:$PATH
	export PATH
	. "$t/examples.sh"
	;;
machine)
	. "$here/../lib/libvirt.sh"
	. "$here/../lib/podman.sh"
	v() { virsh -q -c qemu:///system "$@"; }
	cp -a /etc/systemd/system "$t/etc-systemd"
	# vm1.service: a VMM holding one IOASID
	printf '%s\n' '[Service]' 'ExecStart=/usr/lib/ioasid-tests/ioasid-alloc --label vm1 -n 1 --hold' \
		>/etc/systemd/system/vm1.service
	systemctl daemon-reload
	systemctl start vm1.service
	vmxml vm1
	v define "$t/vm1-qemu.xml" >/dev/null 2>&1
	test_image "$t"
	result $? "set up: vm1.service runs, the domain vm1 is defined, podman has the test image"
	# the placeholders of the man pages and the guide, for what was set up
	# (the machine has no netfilter for podman's default bridge: no network)
	sed -e 's|IMAGE COMMAND|--network none localhost/ioasid-test:1 /usr/bin/ioasid-alloc -n 2|' \
		-e 's|--unit UNIT |--unit vm1.service |' -e 's|virsh metadata DOMAIN |virsh metadata vm1 |' \
		"$t/examples.sh" >"$t/x" &&
		mv "$t/x" "$t/examples.sh"
	. "$t/examples.sh"
	# what the examples changed, back as it was
	systemctl disable --now ioasid-metrics.timer >/dev/null 2>&1
	systemctl stop vm1.service
	v undefine vm1 >/dev/null 2>&1
	podman rmi -f localhost/ioasid-test:1 >/dev/null 2>&1
	rm -rf /etc/systemd/system /etc/systemd/system.control/vm1.service.d \
		/run/systemd/system.control/vm1.service.d
	cp -a "$t/etc-systemd" /etc/systemd/system
	systemctl daemon-reload
	;;
test)
	# tests/unit/docs-host.sh: the runner itself, on documents of its own
	. "$t/examples.sh"
	rm -rf "$t"
	tap_end
	exit 0
	;;
*)
	echo "usage: $0 uml|machine DOCDIR" >&2
	exit 2
	;;
esac
# the cgroups the examples made go again
find $cg -mindepth 1 -type d | sort >"$t/cgroups.after"
comm -13 "$t/cgroups.before" "$t/cgroups.after" | sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
rm -rf "$t"
tap_end
