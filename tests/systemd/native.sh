#!/bin/sh
# IOASIDMax= built into systemd (patches/systemd/), under that systemd as
# PID 1, as an operator who knows TasksMax= uses it: unit files, slices,
# set-property, systemd-run, show and status, daemon-reload, Delegate=,
# and ioasidctl and the generator stepping aside. TAP.
# The units are tests/systemd/native-units/ion-*, in /etc/systemd/system.
# tests/systemd/native-reboot.sh checks, in the next boot, what must last.
cg=/sys/fs/cgroup
sys=$cg/system.slice
t=$(mktemp -d)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

refused() { log "$1" | grep -c ': refused: '; }
capacity=$(cat $cg/ioasids.capacity)
base=$(cat $cg/ioasids.current)

echo "# $(systemctl --version | sed -n 1p)"
[ "$(systemctl show -P DefaultIOASIDMax)" = infinity ]
result $? "PID 1 knows IOASIDMax=: systemctl show -P DefaultIOASIDMax is infinity"

# ---- a service, a slice, 0 -------------------------------------------------
systemctl start ion-limited.service ion-zero.service ion-acct.service
held ion-limited.service "limited: holding 3 IOASIDs"
result $? "ion-limited.service (IOASIDMax=3) holds 3 of the 4 it asked for"
[ "$(refused ion-limited.service)" = 1 ] && [ "$(systemctl is-active ion-limited.service)" = active ]
result $? "  its fourth allocation was refused with ENOSPC, and the unit keeps running"
is $sys/ion-limited.service/ioasids.max 3 "  ioasids.max is 3"
is $sys/ion-limited.service/ioasids.events "max 1" "  ioasids.events counts the refusal"
shows ion-limited.service IOASIDMax 3 && shows ion-limited.service IOASIDCurrent 3
result $? "  systemctl show: IOASIDMax=3, IOASIDCurrent=3"
systemctl status --no-pager ion-limited.service >"$t/status" 2>&1
grep -Eq '^ +IOASIDs: 3 \(limit: 3\)$' "$t/status"
result $? "  systemctl status: 'IOASIDs: 3 (limit: 3)', below Tasks:"
grep -E 'Tasks:|IOASIDs:' "$t/status" | sed 's/^/# /'
held ion-zero.service "zero: holding 0 IOASIDs"
result $? "ion-zero.service (IOASIDMax=0) may hold none, and runs"
is $sys/ion-zero.service/ioasids.max 0 "  ioasids.max is 0"
held ion-acct.service "acct: holding 2 IOASIDs"
shows ion-acct.service IOASIDCurrent 2 && shows ion-acct.service IOASIDMax infinity
result $? "ion-acct.service (IOASIDAccounting=yes): IOASIDCurrent=2, IOASIDMax=infinity"
systemctl status --no-pager ion-acct.service 2>&1 | grep -Eq '^ +IOASIDs: 2$'
result $? "  systemctl status: 'IOASIDs: 2' without a limit"

systemctl start ion-cap-a.service
held ion-cap-a.service "cap-a: holding 3 IOASIDs"
systemctl start ion-cap-b.service
held ion-cap-b.service "cap-b: holding 1 IOASIDs"
result $? "two services in ion-cap.slice (IOASIDMax=4) share 4: 3 and then 1"
[ "$(refused ion-cap-b.service)" = 2 ]
result $? "  the second is refused 2"
is $cg/ion.slice/ion-cap.slice/ioasids.max 4 "  the slice's ioasids.max is 4"
shows ion-cap.slice IOASIDCurrent 4
result $? "  systemctl show -P IOASIDCurrent ion-cap.slice: 4"

systemctl start ion-pct.service
held ion-pct.service "pct: holding 1 IOASIDs"
is $sys/ion-pct.service/ioasids.max $((capacity / 100)) \
	"ion-pct.service (IOASIDMax=1%): 1% of the capacity $capacity"

# ---- a malformed value: systemd's warning with file and line ---------------
systemctl start ion-bad.service
held ion-bad.service "bad: holding 4 IOASIDs"
result $? "ion-bad.service (IOASIDMax=lots) runs, without a limit: it holds all 4"
journalctl -b --no-pager -o cat >"$t/journal"
grep -q "ion-bad.service:5: Invalid maximum IOASID value 'lots', ignoring" "$t/journal"
result $? "  the journal names the file and line: ion-bad.service:5"
grep "ion-bad.service:5" "$t/journal" | sed -n 1p | sed 's/^/# journal: /'

SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no /etc/systemd/system/ion-limited.service \
	/etc/systemd/system/ion-bad.service >"$t/verify" 2>&1
! grep -q "ion-limited.service.*IOASIDMax" "$t/verify" &&
	grep -q "ion-bad.service:5: Invalid maximum IOASID value 'lots'" "$t/verify"
result $? "systemd-analyze verify: IOASIDMax=3 is a setting it knows, IOASIDMax=lots is named with file and line"
sed 's/^/# verify: /' "$t/verify"

# ---- set-property, live and persisted; --runtime ---------------------------
expect 0 "systemctl set-property ion-limited.service IOASIDMax=5" \
	systemctl set-property ion-limited.service IOASIDMax=5
is $sys/ion-limited.service/ioasids.max 5 "  applies at once: ioasids.max is 5"
grep -qx 'IOASIDMax=5' /etc/systemd/system.control/ion-limited.service.d/50-IOASIDMax.conf
result $? "  persisted as IOASIDMax=5 in /etc/systemd/system.control/ion-limited.service.d/50-IOASIDMax.conf"
systemctl start ion-rt.service
held ion-rt.service "rt: holding 2 IOASIDs"
expect 0 "systemctl set-property --runtime ion-rt.service IOASIDMax=1" \
	systemctl set-property --runtime ion-rt.service IOASIDMax=1
is $sys/ion-rt.service/ioasids.max 1 "  applies at once: ioasids.max is 1"
grep -qx 'IOASIDMax=1' /run/systemd/system.control/ion-rt.service.d/50-IOASIDMax.conf &&
	[ ! -e /etc/systemd/system.control/ion-rt.service.d ]
result $? "  only under /run/systemd/system.control"
expect 0 "systemctl set-property ion-pct.service IOASIDMax=2%" \
	systemctl set-property ion-pct.service IOASIDMax=2%
# systemd's own arithmetic: 2% is 200/10000 of UINT32_MAX, rounded, of the capacity
scale=$(((200 * 4294967295 + 5000) / 10000))
is $sys/ion-pct.service/ioasids.max $((capacity * scale / 4294967295)) "  ioasids.max is 2% of $capacity"
grep -qx 'IOASIDMax=2.00%' /etc/systemd/system.control/ion-pct.service.d/50-IOASIDMax.conf
result $? "  persisted as the percentage given, IOASIDMax=2.00%"
systemctl set-property ion-pct.service IOASIDMax=7
grep -qx 'IOASIDMax=7' /etc/systemd/system.control/ion-pct.service.d/50-IOASIDMax.conf &&
	[ "$(ls /etc/systemd/system.control/ion-pct.service.d)" = 50-IOASIDMax.conf ]
result $? "  a count set next replaces it in the same drop-in, so the last one set stays"
systemctl daemon-reload
is $sys/ion-pct.service/ioasids.max 7 "  and is the one in force after a daemon-reload"
expect 1 "systemctl set-property ion-rt.service IOASIDMax=lots fails" \
	systemctl set-property ion-rt.service IOASIDMax=lots
has "Failed to parse IOASIDMax" && has lots
result $? "  saying that it cannot parse IOASIDMax=lots"
sed 's/^/# /' "$t/err"
is $sys/ion-rt.service/ioasids.max 1 "  and changes nothing"
expect 0 "systemctl set-property ion-acct.service IOASIDMax=0" \
	systemctl set-property ion-acct.service IOASIDMax=0
is $sys/ion-acct.service/ioasids.max 0 "  0 is a limit over D-Bus too: ioasids.max is 0"
systemctl set-property ion-rt.service TasksMax=50%
grep -qx 'TasksMax=50.00%' /etc/systemd/system.control/ion-rt.service.d/50-TasksMaxScale.conf
result $? "TasksMax=50% set over D-Bus is persisted as 50.00% (patch 0001)"
expect 0 "systemctl set-property --runtime ion-rt.service TasksMax=100% is taken (0001)" \
	systemctl set-property --runtime ion-rt.service TasksMax=100%
expect 0 "systemctl set-property --runtime ion-limited.service IOASIDMax=100%" \
	systemctl set-property --runtime ion-limited.service IOASIDMax=100%
is $sys/ion-limited.service/ioasids.max "$capacity" "  ioasids.max is the whole capacity, $capacity"
systemctl set-property --runtime ion-limited.service IOASIDMax=5

# ---- edit and daemon-reload: the running unit gets the new value ----------
systemctl start ion-free.service
held ion-free.service "free: holding 4 IOASIDs"
mkdir -p /etc/systemd/system/ion-free.service.d
printf '[Service]\nIOASIDMax=2\n' >/etc/systemd/system/ion-free.service.d/30-cap.conf
systemctl daemon-reload
is $sys/ion-free.service/ioasids.max 2 "a drop-in and daemon-reload: the running ion-free gets ioasids.max 2"
shows ion-free.service IOASIDCurrent 4 && [ "$(systemctl is-active ion-free.service)" = active ]
result $? "  it keeps the 4 it holds and keeps running (a lower limit only stops new ones)"
rm /etc/systemd/system/ion-free.service.d/30-cap.conf
systemctl daemon-reload
is $sys/ion-free.service/ioasids.max max "  the drop-in removed and daemon-reload: max again"

# ---- systemd-run -p, a service and a scope --------------------------------
systemd-run --quiet --unit=ion-run1 -p IOASIDMax=1 /usr/lib/ioasid-tests/ioasid-alloc --label run1 -n 2 --hold
held ion-run1.service "run1: holding 1 IOASIDs"
result $? "systemd-run -p IOASIDMax=1: the transient service holds 1 of 2"
shows ion-run1.service IOASIDMax 1
result $? "  systemctl show -P IOASIDMax ion-run1.service: 1"
systemd-run --quiet --scope --unit=ion-scope1 -p IOASIDMax=2 \
	/usr/lib/ioasid-tests/ioasid-alloc --label scope1 -n 3 >"$t/scope" 2>&1
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c ': allocated IOASID' "$t/scope")" = 2 ]
result $? "systemd-run --scope -p IOASIDMax=2: 2 of 3 allocated, exit 1"
[ $rc -eq 1 ] || sed 's/^/# /' "$t/scope"

# ---- Delegate=, DisableControllers=, ConditionControlGroupController= ------
systemctl start ion-deleg-yes.service ion-deleg-only.service ion-off.service ion-cond.service
grep -qw ioasids $cg/ion.slice/ion-deleg.slice/ion-deleg-yes.service/cgroup.controllers
result $? "Delegate=yes hands ioasids to the delegated cgroup (cgroup.controllers)"
grep -qw ioasids $cg/ion.slice/ion-deleg.slice/ion-deleg-only.service/cgroup.controllers
result $? "Delegate=ioasids hands it too"
# ion-off.service asks for the controller (Delegate=yes, IOASIDMax=2), but
# its slice disables it
! grep -qw ioasids $cg/ion.slice/ion-off.slice/ion-off.service/cgroup.controllers &&
	[ ! -e $cg/ion.slice/ion-off.slice/ion-off.service/ioasids.max ]
result $? "DisableControllers=ioasids on the slice: not below it, limit or Delegate= or not"
[ "$(systemctl is-active ion-off.service)" = active ]
result $? "  and the service runs"
[ "$(systemctl is-active ion-cond.service)" = active ]
result $? "ConditionControlGroupController=ioasids holds"

# ---- ioasidctl and the generator step aside --------------------------------
[ ! -e /run/systemd/generator/ion-limited.service.d ]
result $? "ioasid-generator gave no drop-in: systemd applies IOASIDMax= itself"
[ "$(systemctl show -P ActiveEnterTimestampMonotonic ioasid-limit@ion-limited.service.service)" = 0 ]
result $? "  ioasid-limit@ion-limited.service.service never ran"
expect 0 "ioasidctl set --unit ion-free.service 3" ioasidctl set --unit ion-free.service 3
grep -qx 'IOASIDMax=3' /etc/systemd/system.control/ion-free.service.d/50-IOASIDMax.conf
result $? "  systemd wrote IOASIDMax=3 (SetUnitProperties, as systemctl set-property)"
is $sys/ion-free.service/ioasids.max 3 "  and applied it"
sed 's/^/# /' "$t/out"
expect 0 "ioasidctl set --unit ion-free.service 5%" ioasidctl set --unit ion-free.service 5%
grep -qx 'IOASIDMax=5.00%' /etc/systemd/system.control/ion-free.service.d/50-IOASIDMax.conf
result $? "  a percentage stays one: IOASIDMax=5.00%"
expect 0 "ioasidctl apply --unit ion-limited.service has nothing to do" \
	ioasidctl apply --unit ion-limited.service
has "systemd applies IOASIDMax= itself"
result $? "  and says so"

# ---- systemd's own test of the masks, as PID 1's cgroup code sees them ----
SYSTEMD_TEST_DATA=/usr/lib/ioasid-tests/systemd-test \
	/usr/lib/ioasid-tests/systemd-test/test-cgroup-mask >"$t/mask" 2>&1
rc=$?
[ $rc -eq 0 ] && ! grep -q skipping "$t/mask" && grep -q 'cgroup_mask_ioasids' "$t/mask"
result $? "systemd's test-cgroup-mask, with its ioasids cases, passes (exit $rc)"
[ $rc -eq 0 ] || tail -n 15 "$t/mask" | sed 's/^/# /'

# the packages of make systemd-deb (make check-systemd-deb) carry the man
# pages, with the settings; make check's meson build installs none
if dpkg-query -W -f '${Version}' systemd 2>/dev/null | grep -q '+ioasids'; then
	zgrep -q 'IOASIDMax=' /usr/share/man/man5/systemd.resource-control.5.gz &&
		zgrep -q 'DefaultIOASIDMax=' /usr/share/man/man5/systemd-system.conf.5.gz
	result $? "the packages' man pages document IOASIDMax= and DefaultIOASIDMax="
fi

# ---- what must last: the next boot checks it (native-reboot.sh) -----------
mkdir -p /etc/systemd/system.conf.d
printf '[Manager]\nDefaultIOASIDMax=6\n' >/etc/systemd/system.conf.d/50-ioasids.conf
systemctl stop 'ion-*'
uncharged "$base"
result $? "every unit stopped: nothing stays charged"
rm -rf "$t"
tap_end
