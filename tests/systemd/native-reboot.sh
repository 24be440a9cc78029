#!/bin/sh
# The boot after native.sh: what set-property persisted is in force, what
# --runtime set is gone, and DefaultIOASIDMax= in system.conf.d applies to
# every unit but slices. TAP.
cg=/sys/fs/cgroup
sys=$cg/system.slice
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/systemd.sh"

[ "$(systemctl show -P DefaultIOASIDMax)" = 6 ]
result $? "DefaultIOASIDMax=6 in /etc/systemd/system.conf.d: systemctl show -P DefaultIOASIDMax is 6"
systemctl start ion-limited.service ion-rt.service ion-dflt.service ion-deleg-yes.service
held ion-limited.service "limited: holding 4 IOASIDs"
result $? "ion-limited.service: set-property's IOASIDMax=5 lasted the reboot, it holds all 4"
is $sys/ion-limited.service/ioasids.max 5 "  ioasids.max is 5"
[ ! -e /run/systemd/system.control/ion-rt.service.d/50-IOASIDMax.conf ]
result $? "ion-rt.service: the --runtime drop-in is gone"
held ion-rt.service "rt: holding 2 IOASIDs"
result $? "  it holds both it asks for"
is $sys/ion-rt.service/ioasids.max 6 "  under the default, 6, not the runtime 1"
held ion-dflt.service "dflt: holding 6 IOASIDs"
result $? "ion-dflt.service, without a setting, holds 6 of 7: DefaultIOASIDMax=6"
is $cg/ion.slice/ion-deleg.slice/ioasids.max max "slices do not take the default: ion-deleg.slice has max"

systemctl stop 'ion-*'
rm -f /etc/systemd/system.conf.d/50-ioasids.conf
tap_end
