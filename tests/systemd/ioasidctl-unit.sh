#!/bin/sh
# ioasidctl --unit against real systemd (PID 1) in the test kernel. TAP.
ctl=/usr/bin/ioasidctl	# the Debian package's
cg=/sys/fs/cgroup
t=$(mktemp -d)
. "$(dirname "$0")/../lib/tap.sh"

# wait_for FILE VALUE: until FILE reads VALUE, up to 30 s; a poll for a
# state, not a delay that orders steps
wait_for() {
	i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$2" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

systemctl start ioasid-vm.service
i=0
while [ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.current 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do
	# the controller is not on in system.slice until someone enables it
	[ -e $cg/system.slice/ioasid-vm.service/ioasids.current ] || break
	sleep 0.1; i=$((i + 1))
done

expect 0 "set --unit --runtime on a running service" $ctl set --unit ioasid-vm.service --runtime 2
dropin=/run/systemd/system.control/ioasid-vm.service.d/50-IOASIDMax.conf
[ "$(sed -n '/^\[/,$p' $dropin)" = "$(printf '[Service]\nX-IOASIDMax=2')" ]
result $? "the --runtime drop-in holds [Service] X-IOASIDMax=2"
[ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.max)" = 2 ]
result $? "and it is applied to the running unit's cgroup"
grep -qw ioasids $cg/system.slice/cgroup.subtree_control
result $? "the controller was enabled in system.slice"

expect 0 "show --unit" $ctl show --unit ioasid-vm.service
grep -Eq '^/system.slice/ioasid-vm.service +2 ' "$t/out"
result $? "show --unit names the unit's cgroup and its max"

systemctl restart ioasid-vm.service
# the new process allocates once it runs: after the restart returns
wait_for $cg/system.slice/ioasid-vm.service/ioasids.current 1
[ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.current)" = 1 ]
result $? "after a restart the VM holds an IOASID again, charged to its unit"
grep -qw ioasids $cg/system.slice/cgroup.subtree_control
result $? "systemd leaves ioasids in system.slice's subtree_control across a restart"
systemctl daemon-reload
grep -qw ioasids $cg/system.slice/cgroup.subtree_control && grep -qw ioasids $cg/cgroup.subtree_control
result $? "and across daemon-reload"

expect 0 "set --unit persists under /etc" $ctl set --unit ioasid-vm.service 10%
grep -qx 'X-IOASIDMax=10%' /etc/systemd/system.control/ioasid-vm.service.d/50-IOASIDMax.conf
result $? "a percentage is persisted as a percentage"
expect 0 "set --unit max" $ctl set --unit ioasid-vm.service max
grep -qx 'X-IOASIDMax=infinity' /etc/systemd/system.control/ioasid-vm.service.d/50-IOASIDMax.conf
result $? "max is persisted as infinity"
[ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.max)" = max ]
result $? "and applied as max"
ls -a /etc/systemd/system.control/ioasid-vm.service.d | grep -q '^\.#'
result $((! $?)) "no temporary file is left next to the drop-in"

expect 0 "set --unit on a slice" $ctl set --unit system.slice 1000
grep -qx '\[Slice\]' /etc/systemd/system.control/system.slice.d/50-IOASIDMax.conf
result $? "a slice's drop-in has a [Slice] section"

systemctl stop ioasid-vm.service
expect 0 "set --unit on a loaded unit that is not running" $ctl set --unit ioasid-vm.service 4
has "not running; applied when it starts"
result $? "  persists it and says it applies at the next start"
systemctl start ioasid-vm.service
# ioasid-limit@ioasid-vm.service runs before the unit, so the limit is
# there when start returns; the VM's IOASID is its first process's doing
[ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.max)" = 4 ]
result $? "  and the next start applies it"
wait_for $cg/system.slice/ioasid-vm.service/ioasids.current 1
[ "$(cat $cg/system.slice/ioasid-vm.service/ioasids.current)" = 1 ]
result $? "  and the VM holds its IOASID under it"
systemctl stop ioasid-vm.service
expect 4 "show --unit of a unit that does not exist" $ctl show --unit no-such.service
has "no such unit"
result $? "  says so"
expect 4 "set --unit of a unit that does not exist" $ctl set --unit no-such.service 3
[ ! -e /etc/systemd/system.control/no-such.service.d ]
result $? "  and writes nothing"

# ---- metrics for node_exporter's textfile collector ----------------------
prom=/var/lib/prometheus/node-exporter/ioasids.prom
[ "$(systemctl is-enabled ioasid-metrics.timer)" = disabled ]
result $? "ioasid-metrics.timer is installed and not enabled"
rm -rf /var/lib/prometheus
systemctl start ioasid-metrics.service
result $((! $?)) "without the collector's directory ioasid-metrics.service fails"
journalctl -b -u ioasid-metrics.service --no-pager | grep -q "ioasids.prom: No such file or directory"
result $? "  and its log says why"
mkdir -p /var/lib/prometheus/node-exporter
systemctl start ioasid-vm.service
wait_for $cg/system.slice/ioasid-vm.service/ioasids.current 1
systemctl reset-failed ioasid-metrics.service
systemctl start ioasid-metrics.timer
# OnActiveSec=0: the first run follows the timer's start
i=0
while [ ! -s $prom ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
grep -qxF 'ioasids_current{cgroup="/system.slice/ioasid-vm.service",unit="ioasid-vm.service"} 1' $prom &&
	grep -qxF 'ioasids_max{cgroup="/system.slice/ioasid-vm.service",unit="ioasid-vm.service"} 4' $prom &&
	grep -q '^ioasids_capacity [0-9]' $prom
result $? "the timer's first run writes the VM's current and max to $prom"
[ "$(systemctl show -P ActiveState ioasid-metrics.timer)" = active ] &&
	[ -n "$(systemctl show -P NextElapseUSecMonotonic ioasid-metrics.timer)" ]
result $? "the timer stays active, with its next run due"
systemctl stop ioasid-vm.service ioasid-metrics.timer
systemctl start ioasid-metrics.service
grep -qxF 'ioasids_current{cgroup="/system.slice/ioasid-vm.service",unit="ioasid-vm.service"} 1' $prom
result $((! $?)) "a run after the VM stopped no longer shows it holding an IOASID"
rm -rf /var/lib/prometheus

rm -rf "$t"
tap_end
