#!/bin/sh
# The Debian 12 machine itself (scripts/check-machine.sh): it runs the
# kernel that make kernel-deb packaged and dpkg -i installed, on several
# CPUs with full preemption, systemd as PID 1 on a root on a virtio disk,
# AppArmor enforcing, and the controller there. TAP.
t=/run/ioasid-tests/machine
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"

rel=$(uname -r)
echo "# $(uname -a)"
case $rel in *-ioasids | *-ioasids-machine) r=0 ;; *) r=1 ;; esac
result $r "uname -r is the packaged release, $rel"
owner=$(dpkg -S "/boot/vmlinuz-$rel" 2>&1)
[ "$owner" = "linux-image-$rel: /boot/vmlinuz-$rel" ]
result $? "dpkg -S /boot/vmlinuz-$rel: $owner"
# scripts/version.sh's: it orders from build to build, unlike bindeb-pkg's own
ver=$(dpkg-query -W -f '${Version}' "linux-image-$rel" 2>&1)
echo "$ver" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+\.g[0-9a-f]{7}(\.dirty)?$'
result $? "the package's version is KERNELVERSION-N.gHASH: $ver"
[ "$(dpkg-query -W -f '${Status}' "linux-headers-$rel" 2>&1)" = "install ok installed" ] &&
	[ -e "/lib/modules/$rel/build/Makefile" ]
result $? "linux-headers-$rel is installed, and /lib/modules/$rel/build has its Makefile"
[ -f "/boot/initrd.img-$rel" ] && [ -f "/lib/modules/$rel/modules.dep" ]
result $? "initramfs-tools made /boot/initrd.img-$rel, and /lib/modules/$rel has modules.dep"
cfg=/boot/config-$rel
grep -qx CONFIG_CGROUP_IOASIDS=y "$cfg" && grep -qx CONFIG_IOASID_DEV=y "$cfg"
result $? "$cfg has the controller and /dev/ioasid"

[ "$(nproc)" -ge 2 ]
result $? "$(nproc) CPUs online"
# PREEMPT_DYNAMIC kernels (Debian's) say which model runs; others, uname -v
if [ -r /sys/kernel/debug/sched/preempt ]; then
	grep -q '(full)' /sys/kernel/debug/sched/preempt
	result $? "full preemption: $(cat /sys/kernel/debug/sched/preempt)"
else
	uname -v | grep -q ' PREEMPT ' && ! uname -v | grep -q 'PREEMPT_RT'
	result $? "full preemption: $(uname -v)"
fi
[ "$(readlink /proc/1/exe)" = /usr/lib/systemd/systemd ]
result $? "PID 1 is systemd ($(readlink /proc/1/exe))"
[ "$(findmnt -no SOURCE,FSTYPE /)" = "/dev/vda ext4" ]
result $? "the root is ext4 on the virtio disk ($(findmnt -no SOURCE,FSTYPE /))"

grep -qw ioasids /sys/fs/cgroup/cgroup.controllers && [ -c /dev/ioasid ]
result $? "the ioasids controller is on the unified hierarchy, and /dev/ioasid is there"
[ "$(cat /sys/module/apparmor/parameters/enabled 2>&1)" = Y ] && aa-enabled -q
result $? "AppArmor is enabled ($(cat /sys/kernel/security/lsm 2>&1))"
grep -q '^libvirtd (enforce)$' /sys/kernel/security/apparmor/profiles
result $? "Debian's profile for libvirtd is loaded in enforce mode"
echo "# $(grep -c . /sys/kernel/security/apparmor/profiles) profiles loaded," \
	"$(grep -c '(enforce)' /sys/kernel/security/apparmor/profiles) enforcing"
[ "$(systemctl is-system-running)" = running ] || {
	systemctl --failed --no-legend | sed 's/^/# failed: /'
}
failed=$(systemctl --failed --no-legend --plain | grep -cv ioasid-tests)
[ "$failed" -eq 0 ]
result $? "no unit failed at boot ($failed)"
tap_end
