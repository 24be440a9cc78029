#!/bin/sh
# The Debian package in a running system (systemd as PID 1): it was
# installed with dpkg -i (scripts/rootfs.sh), the suites before this one
# ran on it, and dpkg -r leaves nothing behind. TAP.
t=$(mktemp -d)
. "$(dirname "$0")/../lib/tap.sh"

[ "$(dpkg-query -W -f '${Status}' ioasidctl 2>/dev/null)" = "install ok installed" ]
result $? "the package ioasidctl is installed"
dpkg-query -L ioasidctl >"$t/files"
[ "$(command -v ioasidctl)" = /usr/bin/ioasidctl ] && grep -qx /usr/bin/ioasidctl "$t/files"
result $? "ioasidctl on PATH is the package's /usr/bin/ioasidctl"
# Debian's systemd names it by /lib, which is /usr/lib on a merged /usr
frag=$(systemctl show -P FragmentPath ioasid-limit@x.service)
[ -n "$frag" ] && [ "$(realpath "$frag")" = /usr/lib/systemd/system/ioasid-limit@.service ]
result $? "systemd loads ioasid-limit@.service from the package's file ($frag)"

# a unit that uses IOASIDMax=, so the generator has made something
[ -e /run/systemd/generator/iox-limited.service.d/50-ioasid-limit.conf ]
result $? "the package's generator made iox-limited.service want its helper"

dpkg -r ioasidctl >"$t/out" 2>&1
result $? "dpkg -r ioasidctl"
sed 's/^/# /' "$t/out"
[ "$(dpkg-query -W -f '${Status}' ioasidctl 2>/dev/null)" != "install ok installed" ]
result $? "it is no longer installed"
left=
while read -r f; do
	# directories the system has anyway (/usr, /usr/lib/systemd/system...)
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done <"$t/files"
[ -z "$left" ]
result $? "none of its files is left${left:+:$left}"
# no conffiles, so remove is purge; and nothing enabled to clean up
[ -z "$(dpkg-query -W -f '${Conffiles}' ioasidctl 2>/dev/null)" ] &&
	! ls /etc/systemd/system/*/ioasid-metrics.timer >/dev/null 2>&1
result $? "no conffile and no enabled unit of it remains"
# its postrm reloaded systemd: the generator's dependencies are gone
[ ! -e /run/systemd/generator/iox-limited.service.d/50-ioasid-limit.conf ]
result $? "systemd was reloaded: the generator's dependencies are gone"
! systemctl cat ioasid-limit@x.service >/dev/null 2>&1
result $? "systemd no longer knows ioasid-limit@.service"

# and back, for the machine's next boot (fallback.sh)
dpkg -i /usr/lib/ioasid-tests/ioasidctl.deb >"$t/out" 2>&1
result $? "dpkg -i installs it again"
systemctl cat ioasid-limit@x.service >/dev/null 2>&1 &&
	[ -e /run/systemd/generator/iox-limited.service.d/50-ioasid-limit.conf ]
result $? "  its postinst reloaded systemd: the helper and the generator's drop-ins are back"
rm -rf "$t"
tap_end
