#!/bin/sh
# The patched systemd on a kernel without the controller (booted with
# cgroup_disable=ioasids systemd.log_level=debug printk.devkmsg=on): units
# that set IOASIDMax= start as before, unlimited, and systemd says at debug
# level that the controller is not supported. TAP.
cg=/sys/fs/cgroup
t=$(mktemp -d)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

! grep -qw ioasids $cg/cgroup.controllers
result $? "the kernel has no ioasids controller (cgroup_disable=ioasids)"
# the line of the boot itself is gone with the early kernel log; systemd
# says it again when it re-executes, now into the journal
systemctl daemon-reexec
journalctl -b --no-pager -o cat | grep -qx "Controller 'ioasids' supported: no"
result $? "systemd's debug line: Controller 'ioasids' supported: no"
systemctl start ion-limited.service ion-cap-a.service ion-cap-b.service
held ion-limited.service "limited: holding 4 IOASIDs"
result $? "ion-limited.service (IOASIDMax=5 from set-property) starts and holds all 4"
held ion-cap-a.service "cap-a: holding 3 IOASIDs" && held ion-cap-b.service "cap-b: holding 3 IOASIDs"
result $? "the two services of ion-cap.slice (IOASIDMax=4) start and hold 3 each"
[ "$(systemctl show -P IOASIDMax ion-limited.service)" = 5 ] &&
	[ "$(systemctl show -P IOASIDCurrent ion-limited.service)" = "[not set]" ]
result $? "systemctl show: the setting is still IOASIDMax=5, IOASIDCurrent is [not set]"
! systemctl status --no-pager ion-limited.service | grep -q 'IOASIDs:'
result $? "systemctl status has no IOASIDs: line"
expect 0 "systemctl set-property --runtime ion-limited.service IOASIDMax=2 is taken" \
	systemctl set-property --runtime ion-limited.service IOASIDMax=2
[ "$(systemctl is-active ion-limited.service)" = active ]
result $? "  and the unit runs on"
! journalctl -b --no-pager -o cat -p warning | grep -i ioasids | grep -v '^ioasid' >"$t/warn"
result $? "no warning about ioasids in the journal"
sed 's/^/# /' "$t/warn"
systemctl stop 'ion-*'
rm -rf "$t"
tap_end
