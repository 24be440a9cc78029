#!/bin/sh
# IOASIDMax= in unit files, against real systemd (PID 1) in the test kernel:
# the generator, ioasid-limit@.service and "ioasidctl apply". TAP.
# The units are tests/systemd/units/iox-*, installed in /etc/systemd/system.
cg=/sys/fs/cgroup
sys=$cg/system.slice
t=$(mktemp -d)
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

refused() { log "$1" | grep -c ': refused: '; }

# ---- a service with IOASIDMax=3, and an unlimited sibling -----------------
[ -f /run/systemd/generator/iox-limited.service.d/50-ioasid-limit.conf ]
result $? "the generator gave iox-limited.service its drop-in"
grep -qx 'Wants=ioasid-limit@%n.service' /run/systemd/generator/iox-limited.service.d/50-ioasid-limit.conf
result $? "  which wants ioasid-limit@%n.service"
[ ! -e /run/systemd/generator/iox-free.service.d ]
result $? "and none to a service without the setting"

systemctl start iox-limited.service iox-free.service
held iox-limited.service "limited: holding 3 IOASIDs"
result $? "iox-limited (IOASIDMax=3) holds 3 of the 4 it asked for at once"
[ "$(refused iox-limited.service)" = 1 ]
result $? "  its fourth allocation was refused with ENOSPC"
is $sys/iox-limited.service/ioasids.max 3 "  ioasids.max is 3"
is $sys/iox-limited.service/ioasids.current 3 "  ioasids.current is 3"
is $sys/iox-limited.service/ioasids.events "max 1" "  ioasids.events counts the refusal"
[ "$(systemctl is-active ioasid-limit@iox-limited.service.service)" = active ]
result $? "  ioasid-limit@iox-limited.service.service ran"
held iox-free.service "free: holding 4 IOASIDs"
result $? "iox-free, a sibling without a limit, holds all 4"
is $sys/iox-free.service/ioasids.max max "  its ioasids.max is max"

# ---- a slice with IOASIDMax=4 caps the services in it together -------------
systemctl start iox-cap-a.service
held iox-cap-a.service "cap-a: holding 3 IOASIDs"
result $? "iox-cap-a in iox-cap.slice (IOASIDMax=4) holds its 3"
systemctl start iox-cap-b.service
held iox-cap-b.service "cap-b: holding 1 IOASIDs"
result $? "iox-cap-b in the same slice gets the 1 left"
[ "$(refused iox-cap-b.service)" = 2 ]
result $? "  and is refused 2"
is $cg/iox.slice/iox-cap.slice/ioasids.max 4 "iox-cap.slice (in /iox.slice/iox-cap.slice)'s ioasids.max is 4"
is $cg/iox.slice/iox-cap.slice/ioasids.current 4 "  its ioasids.current is 4"

# ---- edit, daemon-reload, restart ------------------------------------------
mkdir -p /etc/systemd/system/iox-limited.service.d
printf '[Service]\nIOASIDMax=5\n' >/etc/systemd/system/iox-limited.service.d/30-five.conf
systemctl daemon-reload
systemctl restart iox-limited.service
held iox-limited.service "limited: holding 4 IOASIDs"
result $? "after a new drop-in, daemon-reload and restart, iox-limited holds all 4"
is $sys/iox-limited.service/ioasids.max 5 "  ioasids.max is 5"

# ---- ioasidctl set --unit --runtime on a running unit ----------------------
expect 0 "ioasidctl set --unit iox-free.service --runtime 2" \
	ioasidctl set --unit iox-free.service --runtime 2
is $sys/iox-free.service/ioasids.max 2 "  applies 2 to the running unit"
grep -qx 'X-IOASIDMax=2' /run/systemd/system.control/iox-free.service.d/50-IOASIDMax.conf
result $? "  persists X-IOASIDMax=2 under /run/systemd/system.control"
systemctl restart iox-free.service
held iox-free.service "free: holding 2 IOASIDs"
result $? "  and the restarted unit keeps the limit: it holds 2 of 4"
is $sys/iox-free.service/ioasids.max 2 "  ioasids.max is 2 after the restart"

# ---- a percentage of the capacity ------------------------------------------
systemctl start iox-pct.service
held iox-pct.service "pct: holding 1 IOASIDs"
result $? "iox-pct (X-IOASIDMax=1%) started"
capacity=$(cat $cg/ioasids.capacity)
is $sys/iox-pct.service/ioasids.max $((capacity / 100)) \
	"  1% of the capacity $capacity is $((capacity / 100))"

# ---- a malformed value -----------------------------------------------------
systemctl start iox-bad.service
[ "$(systemctl is-active iox-bad.service)" = active ]
result $? "iox-bad (IOASIDMax=lots) runs"
held iox-bad.service "bad: holding 4 IOASIDs"
result $? "  without a limit: it holds all 4"
is $sys/iox-bad.service/ioasids.max max "  ioasids.max is max"
[ "$(systemctl is-active ioasid-limit@iox-bad.service.service)" = failed ]
result $? "  ioasid-limit@iox-bad.service.service failed, for systemctl --failed"
msg="iox-bad.service: /etc/systemd/system/iox-bad.service:6: 'lots' is not a valid IOASIDMax= value"
[ "$(journalctl -b --no-pager -o cat | grep -cF "$msg")" = 1 ]
result $? "  the journal names the unit, file and line, once"
journalctl -b --no-pager -o cat | grep -F "$msg" | sed 's/^/# journal: /'

# ---- systemd's order: the last assignment wins, an empty one resets --------
systemctl start iox-order.service iox-reset.service
held iox-order.service "order: holding 1 IOASIDs"
is $sys/iox-order.service/ioasids.max 6 "unit file 7, drop-ins reset then 6: ioasids.max is 6"
held iox-reset.service "reset: holding 3 IOASIDs"
result $? "unit file 2, then a drop-in's empty IOASIDMax=: iox-reset holds all 3"

# ---- a template's instances, and a prefix drop-in --------------------------
systemctl start iox-tpl@one.service iox-tpl@two.service iox-pre-x.service
held iox-tpl@one.service "tpl-one: holding 1 IOASIDs"
result $? "iox-tpl@one: the template says 2, the template's drop-in 1: it holds 1"
tpl="$sys/system-iox\\x2dtpl.slice"
is "$tpl/iox-tpl@one.service/ioasids.max" 1 "  ioasids.max is 1"
held iox-tpl@two.service "tpl-two: holding 3 IOASIDs"
result $? "iox-tpl@two: its own drop-in, sorted last, says 3: it holds 3"
is "$tpl/iox-tpl@two.service/ioasids.max" 3 "  ioasids.max is 3"
held iox-pre-x.service "pre: holding 1 IOASIDs"
result $? "iox-pre-x, capped at 1 only by the prefix drop-in iox-pre-.service.d, holds 1 of 2"

# ---- automatic restarts --------------------------------------------------
systemctl start iox-crash.service
i=0
while [ "$(systemctl show -P NRestarts iox-crash.service)" -lt 3 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
systemctl stop iox-crash.service
runs=$(log iox-crash.service | grep -c 'crash: refused')
got=$(log iox-crash.service | grep -c 'crash: allocated')
[ "$runs" -ge 3 ] && [ "$got" = $((2 * runs)) ]
result $? "Restart=on-failure: each of $runs runs got 2 of 3 ($got allocated in all)"

# ---- a transient scope, with a drop-in for its name -------------------------
systemd-run --quiet --scope --unit=iox-scope.scope \
	/usr/lib/ioasid-tests/ioasid-alloc --label scope -n 3 >"$t/scope" 2>&1
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c ': allocated IOASID' "$t/scope")" = 2 ]
result $? "systemd-run --scope --unit=iox-scope.scope (IOASIDMax=2 in its drop-in) gets 2 of 3"
[ $rc -eq 1 ] || sed 's/^/# /' "$t/scope"

# ---- what stock systemd 252 says about the key -----------------------------
journalctl -b --no-pager -o cat | grep -E "Unknown key[^']*'IOASIDMax'" >"$t/warn"
grep -q 'iox-limited.service' "$t/warn"
result $? "systemd warns about the plain key, naming the file"
sed -n 1p "$t/warn" | sed 's/^/# journal: /'
journalctl -b --no-pager -o cat | grep -q "X-IOASIDMax"
result $((! $?)) "and says nothing about X-IOASIDMax="

systemctl stop 'iox-*'
rm -rf /etc/systemd/system/iox-limited.service.d/30-five.conf "$t"
tap_end
