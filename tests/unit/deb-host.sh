#!/bin/bash
# The Debian package of make deb, as a user gets it: lintian, its paths,
# its dependencies, and what its maintainer scripts do. TAP on stdout.
# Usage: tests/unit/deb-host.sh TOP BUILD
top=$1 build=$2
deb=$(ls "$build"/deb/ioasidctl_*.deb 2>/dev/null | head -n 1)
t=$(mktemp -d)
# shellcheck disable=SC1091
. "$top/tests/lib/tap.sh"
echo "TAP version 13"

[ -f "$deb" ]
result $? "make deb built the package: ${deb:-none}"

# lintian on the .changes checks the binary packages too; an error or a
# warning fails, informational and pedantic tags are listed
lintian --pedantic -I --fail-on error,warning "$build"/deb/ioasidctl_*.changes >"$t/lintian" 2>&1
result $? "lintian reports no error and no warning"
grep -v 'running with root privileges' "$t/lintian" | sed 's/^/# lintian: /'

# versions that dpkg and apt order from build to build (scripts/version.sh)
v=$(dpkg-deb -f "$deb" Version)
[ "$v" = "$("$top/scripts/version.sh" deb)" ] && dpkg --compare-versions "$v" gt 0.1
result $? "the package's version $v is scripts/version.sh's, above the first package's 0.1"
git clone -q "$top" "$t/repo" 2>/dev/null
v1=$("$t/repo/scripts/version.sh" deb) k1=$("$t/repo/scripts/version.sh" kernel 6.12.118)
git -C "$t/repo" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m next
v2=$("$t/repo/scripts/version.sh" deb) k2=$("$t/repo/scripts/version.sh" kernel 6.12.118)
echo "# in a clone: $v1 then $v2; the kernel's $k1 then $k2"
dpkg --compare-versions "$v2" gt "$v1" && dpkg --compare-versions "$k2" gt "$k1"
result $? "a build of the next commit sorts after the last one's, for ioasidctl and the kernel"
echo changed >>"$t/repo/README.md"
v3=$("$t/repo/scripts/version.sh" deb)
case $v3 in *.dirty) dpkg --compare-versions "$v3" gt "$v2" ;; *) false ;; esac
result $? "a build with uncommitted changes says so and sorts after its commit's: $v3"
rm -rf "$t/repo/.git"
[ "$("$t/repo/scripts/version.sh" deb)" = 0.1 ] && [ "$("$t/repo/scripts/version.sh" kernel 6.12.118)" = 6.12.118-0 ]
result $? "without git, the changelog's 0.1 and the kernel's 6.12.118-0"
"$top/scripts/version.sh" kernel >/dev/null 2>&1
[ $? -eq 2 ]
result $? "version.sh kernel without a kernel version is a usage error (exit 2)"

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$t/files"
missing=
for f in /usr/bin/ioasidctl /usr/share/man/man8/ioasidctl.8.gz \
	/usr/share/bash-completion/completions/ioasidctl \
	/usr/lib/systemd/system-generators/ioasid-generator \
	/usr/lib/systemd/system/ioasid-limit@.service \
	/usr/lib/systemd/system/ioasid-metrics.service \
	/usr/lib/systemd/system/ioasid-metrics.timer \
	/usr/share/containers/oci/hooks.d/ioasidctl.json \
	/usr/sbin/ioasid-libvirt-hook /usr/share/man/man8/ioasid-libvirt-hook.8.gz \
	/usr/share/man/man8/ioasid-generator.8.gz /usr/share/man/man8/ioasid-limit@.service.8.gz \
	/usr/share/man/man8/ioasid-metrics.service.8.gz /usr/share/man/man8/ioasid-metrics.timer.8.gz \
	/usr/share/ioasidctl/prometheus/ioasids-alerts.yml \
	/etc/libvirt/hooks/qemu.d/ioasids \
	/usr/share/doc/ioasidctl/copyright; do
	grep -qx "$f" "$t/files" || missing="$missing $f"
done
[ -z "$missing" ]
result $? "the package ships each file in Debian's path${missing:+; missing:$missing}"
! grep -Ev '^/etc/libvirt/hooks/qemu.d/ioasids$|^/etc/(libvirt/(hooks/(qemu.d/)?)?)?$|^/usr/sbin/(ioasid-libvirt-hook)?$' "$t/files" |
	grep -Eq '^/(usr/local|usr/sbin|usr/libexec|etc)/'
result $? "nothing under /usr/local or /usr/libexec, in /usr/sbin only the libvirt hook, and under /etc only its link"

dpkg-deb -f "$deb" Depends >"$t/depends"
grep -q 'libcgroup2' "$t/depends" && grep -q 'libsmartcols1' "$t/depends" &&
	grep -q 'libsystemd0' "$t/depends" && grep -q 'libjson-c5' "$t/depends" &&
	grep -q 'libxml2' "$t/depends" &&
	grep -q 'libc6' "$t/depends"
result $? "Depends, from dh_shlibdeps: $(cat "$t/depends")"

dpkg-deb -x "$deb" "$t/root"
grep -q '"path": "/usr/bin/ioasidctl"' "$t/root/usr/share/containers/oci/hooks.d/ioasidctl.json"
result $? "the oci-hooks(5) file names /usr/bin/ioasidctl"
# libvirtd's AppArmor profile (Debian 12) allows exec of /usr/sbin/* and
# /usr/bin/*, and of nothing in /usr/libexec: the link must resolve there
[ "$(readlink "$t/root/etc/libvirt/hooks/qemu.d/ioasids")" = /usr/sbin/ioasid-libvirt-hook ]
result $? "/etc/libvirt/hooks/qemu.d/ioasids links to /usr/sbin/ioasid-libvirt-hook, which Debian's AppArmor profile lets libvirtd run"
grep -qx 'ExecStart=/usr/bin/ioasidctl apply --unit %i' \
	"$t/root/usr/lib/systemd/system/ioasid-limit@.service" &&
	grep -q '^ExecStart=/usr/bin/ioasidctl show --format prometheus' \
		"$t/root/usr/lib/systemd/system/ioasid-metrics.service"
result $? "the units run /usr/bin/ioasidctl"
"$t/root/usr/bin/ioasidctl" --version >"$t/version"
grep -qx "ioasidctl $(dpkg-deb -f "$deb" Version)" "$t/version"
result $? "ioasidctl --version is the package's version ($(cat "$t/version"))"

# the timer is off until the admin enables it: no maintainer script
# enables or starts anything
dpkg-deb -e "$deb" "$t/control"
! grep -Eqs 'deb-systemd-helper (--quiet )?enable|deb-systemd-invoke (start|restart)' \
	"$t/control/postinst"
result $? "installing it enables and starts no unit"
rm -rf "$t"
tap_end
