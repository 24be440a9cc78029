#!/bin/bash
# ioasidctl on the host: man page, --help, bash completion, make install,
# and the exit status on a kernel without the controller. TAP on stdout.
# Usage: ioasidctl-host.sh TOP BUILD
top=$1 build=$2
ctl=$build/ioasidctl/ioasidctl
src=$top/tools/ioasidctl
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/lib/tap.sh"

groff -man -Tutf8 -ww -z "$src/ioasidctl.8" >"$t/groff" 2>&1
[ ! -s "$t/groff" ]
result $? "the man page renders without groff warnings"
sed 's/^/# /' "$t/groff"

"$ctl" --help >"$t/help"
result $? "--help exits 0"
man_text=$(MANWIDTH=200 man -l "$src/ioasidctl.8" 2>/dev/null)
missing=
for word in show set info watch top apply enable oci-hook -r --recursive -J --json --format prometheus -o --output -d --delay -n --iterations -u --unit --runtime -h --help -V --version; do
	grep -q -- " $word" "$t/help" || missing="$missing help:$word"
	grep -q -- "$word" <<<"$man_text" || missing="$missing man:$word"
done
[ -z "$missing" ]
result $? "every command and option is in --help and the man page$missing"
for status in 0 1 2 3 4 5 6; do
	grep -Eq "^ +$status +[A-Z]" <<<"$man_text" || missing="$missing $status"
done
[ -z "$missing" ]
result $? "the man page documents every exit status$missing"

# bash completion, against a fake cgroup tree
mkdir -p "$t/cg/machine.slice/vm1" "$t/cg/machine.slice/vm2" "$t/cg/system.slice"
complete_words() { # words... -> COMPREPLY, one per line
	IOASIDCTL_CGROUP_ROOT=$t/cg bash -c '
		compopt() { :; }
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_ioasidctl
		printf "%s\n" "${COMPREPLY[@]}"' _ "$src/ioasidctl.bash" "$@" | sort | tr '\n' ' '
}
[ "$(complete_words ioasidctl "")" = "apply enable info oci-hook set show top watch " ]
result $? "completion offers the commands"
[ "$(complete_words ioasidctl --j)" = "--json " ]
result $? "completion offers options"
[ "$(complete_words ioasidctl show /machine.slice/v)" = "/machine.slice/vm1/ /machine.slice/vm2/ " ]
result $? "completion offers cgroup paths"
[ "$(complete_words ioasidctl set /machine.slice/vm1 in)" = "infinity " ]
result $? "completion offers values after set CGROUP"
[ "$(complete_words ioasidctl show --format p)" = "prometheus " ]
result $? "completion offers the formats after --format"

make -s -C "$src" O="$build/ioasidctl" DESTDIR="$t/root" PREFIX=/usr install >/dev/null
[ -x "$t/root/usr/sbin/ioasidctl" ] &&
	[ -f "$t/root/usr/share/man/man8/ioasidctl.8" ] &&
	[ -f "$t/root/usr/share/bash-completion/completions/ioasidctl" ]
result $? "make install honours DESTDIR and PREFIX"
make -s -C "$top/tools/libvirt" O="$build/libvirt" DESTDIR="$t/root" PREFIX=/usr install >/dev/null
[ -x "$t/root/usr/sbin/ioasid-libvirt-hook" ] &&
	[ -f "$t/root/usr/share/man/man8/ioasid-libvirt-hook.8" ] &&
	[ "$(readlink "$t/root/etc/libvirt/hooks/qemu.d/ioasids")" = /usr/sbin/ioasid-libvirt-hook ]
result $? "make install puts the libvirt hook and its man page in sbin and man8, linked from /etc/libvirt/hooks/qemu.d"
# with the default PREFIX (/usr/local) the hook still goes to /usr/sbin,
# where Debian's AppArmor profile lets libvirtd run it
make -s -C "$top/tools/libvirt" O="$build/libvirt" DESTDIR="$t/local" install >/dev/null
[ -x "$t/local/usr/sbin/ioasid-libvirt-hook" ] && [ ! -e "$t/local/usr/local/sbin/ioasid-libvirt-hook" ] &&
	[ "$(readlink "$t/local/etc/libvirt/hooks/qemu.d/ioasids")" = /usr/sbin/ioasid-libvirt-hook ] &&
	[ -f "$t/local/usr/local/share/man/man8/ioasid-libvirt-hook.8" ]
result $? "with the default PREFIX the libvirt hook is still /usr/sbin/ioasid-libvirt-hook (AppArmor), its man page under /usr/local"
hook=$t/root/usr/share/containers/oci/hooks.d/ioasidctl.json
python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))
assert h["version"] == "1.0.0", h
assert h["hook"]["path"] == "/usr/sbin/ioasidctl", h
assert h["hook"]["args"] == ["ioasidctl", "oci-hook"], h
assert h["stages"] == ["createRuntime"], h
assert list(h["when"]["annotations"]) == ["^io\\.ioasids\\.max$"], h
' "$hook" >"$t/out" 2>&1
result $? "make install puts the oci-hooks(5) file in hooks.d, naming the installed binary"
sed 's/^/# /' "$t/out"

# this host's kernel has no ioasids controller
"$ctl" info >"$t/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "no ioasids cgroup controller" "$t/out"
result $? "without the controller: exit 3 and one clear line (got $rc)"
[ "$(wc -l <"$t/out")" -eq 1 ]
result $? "  exactly one line on stderr"
# oci-hook on a kernel without the controller
state='{"ociVersion":"1.0.2","id":"c1","status":"created","pid":1'
hook() { printf '%s' "$1" | "$ctl" oci-hook >"$t/out" 2>&1; echo $?; }
[ "$(hook "$state}")" = 0 ] && [ ! -s "$t/out" ]
result $? "oci-hook without the annotation: exit 0, nothing said, even without the controller"
[ "$(hook "$state,\"annotations\":{\"io.ioasids.max\":\"4\"}}")" = 3 ] &&
	grep -q "^ioasidctl oci-hook: container c1 asks for io.ioasids.max=4, but the running kernel has no ioasids cgroup controller$" "$t/out" &&
	[ "$(wc -l <"$t/out")" -eq 1 ]
result $? "oci-hook with the annotation and no controller: exit 3, one line naming the container"
[ "$(hook "$state,\"annotations\":{\"io.ioasids.max\":\"four\"}}")" = 2 ] &&
	grep -q 'container c1: io.ioasids.max="four" is not a limit' "$t/out" &&
	[ "$(wc -l <"$t/out")" -eq 1 ]
result $? "oci-hook with a malformed value: exit 2, one line"
[ "$(hook "$state")" = 2 ] && grep -q "not JSON" "$t/out" && [ "$(wc -l <"$t/out")" -eq 1 ]
result $? "oci-hook with malformed JSON: exit 2, one line"
head -c 2000000 /dev/zero | tr '\0' ' ' | "$ctl" oci-hook >"$t/out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "over 1048576 bytes" "$t/out"
result $? "oci-hook with 2 MB on standard input: exit 2 (got $rc)"
for args in "oci-hook x" "enable" "enable -u a.service /x"; do
	"$ctl" $args </dev/null >/dev/null 2>"$t/err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$t/err")" -eq 1 ]
	result $? "ioasidctl $args: a usage error, one line (got $rc)"
done

"$ctl" >/dev/null 2>&1
result $(( $? != 2 )) "no command: exit 2"
"$ctl" set /x >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ]
result $? "set with one argument is a usage error, before any cgroup access (got $rc)"
for args in "show --unit a/b.service" "set --unit vm1 3" "apply --unit x.socket"; do
	"$ctl" $args >/dev/null 2>"$t/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "is not a service, scope or slice unit name" "$t/err"
	result $? "ioasidctl $args: exit 2 for the unit name, before anything else (got $rc)"
done
for args in "apply" "apply x.service" "apply -u a.service -u b.service" "apply -u a.service x"; do
	"$ctl" $args >/dev/null 2>"$t/err"
	rc=$?
	[ $rc -eq 2 ] && grep -qx "ioasidctl: apply takes --unit UNIT" "$t/err"
	result $? "ioasidctl $args: exit 2, apply takes --unit UNIT (got $rc)"
done
tap_end
