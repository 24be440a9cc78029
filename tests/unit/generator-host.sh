#!/bin/bash
# ioasid-generator on the host, against unit trees in a scratch directory
# (SYSTEMD_UNIT_PATH), and make install of the systemd pieces. TAP on stdout.
# Usage: generator-host.sh TOP BUILD
top=$1 build=$2
gen=$build/systemd/ioasid-generator
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/lib/tap.sh"

etc=$t/etc usr=$t/usr out=$t/out
mkdir -p "$etc" "$usr" "$out"
put() { mkdir -p "$(dirname "$1")"; printf "$2" >"$1"; }
put "$usr/plain.service" '[Service]\nIOASIDMax=3\n'
put "$usr/silent.service" '[Service]\nX-IOASIDMax=10%%\n'
put "$usr/none.service" '[Service]\nTasksMax=3\n# IOASIDMax=3\n'
put "$usr/wrong.service" '[Slice]\nIOASIDMax=3\n'
put "$usr/vm.slice" '[Slice]\nIOASIDMax=4\n'
put "$usr/tpl@.service" '[Service]\nIOASIDMax=2\n'
put "$usr/dropped.service" '[Service]\nExecStart=/bin/true\n'
put "$etc/dropped.service.d/10-cap.conf" '[Service]\nIOASIDMax=1\n'
put "$etc/reset.service.d/10-reset.conf" '[Service]\nIOASIDMax=\n'
put "$etc/pre-.service.d/10-cap.conf" '[Service]\nIOASIDMax=5\n'
put "$etc/machine-qemu.scope.d/10-cap.conf" '[Scope]\nIOASIDMax=8\n'
put "$etc/service.d/10-all.conf" '[Service]\nIOASIDMax=1\n'
put "$etc/ioasid-limit@.service.d/10-loop.conf" '[Service]\nIOASIDMax=1\n'
put "$etc/notes.txt" 'IOASIDMax=1\n'
put "$etc/dropped.service.d/readme" '[Service]\nIOASIDMax=1\n'
# the same unit in two directories, as /lib and /usr/lib on a merged /usr
put "$etc/plain.service" '[Service]\nIOASIDMax=3\n'

SYSTEMD_LOG_TARGET=console SYSTEMD_UNIT_PATH="$etc:$usr:$t/missing" "$gen" "$out" "$t/early" "$t/late" \
	>"$t/stdout" 2>"$t/stderr"
result $? "the generator exits 0"

for u in plain.service silent.service vm.slice tpl@.service dropped.service reset.service \
	pre-.service machine-qemu.scope; do
	grep -qx 'Wants=ioasid-limit@%n.service' "$out/$u.d/50-ioasid-limit.conf" &&
		grep -qx 'After=ioasid-limit@%n.service' "$out/$u.d/50-ioasid-limit.conf"
	result $? "$u wants ioasid-limit@%n.service, ordered after it"
done
grep -q "sets IOASIDMax= in $etc/dropped.service.d/10-cap.conf" "$out/dropped.service.d/50-ioasid-limit.conf"
result $? "the drop-in names the file that set it"
ls "$out" | sort >"$t/dirs"
[ "$(wc -l <"$t/dirs")" = 8 ]
result $? "and nothing else gets one: no comment, other key, other section, other file"
sed 's/^/# /' "$t/dirs"
[ ! -e "$out/service.d" ] && grep -q "$etc/service.d/10-all.conf: IOASIDMax= in a drop-in for every service is not supported" "$t/stderr"
result $? "a drop-in for every service is refused, with a warning naming it"
[ ! -e "$out/ioasid-limit@.service.d" ] && grep -q "IOASIDMax= cannot apply to ioasid-limit@.service" "$t/stderr"
result $? "the helper itself never gets one"
[ "$(wc -l <"$t/stderr")" = 2 ] && [ ! -s "$t/stdout" ]
result $? "exactly those two warnings, and nothing on stdout"
sed 's/^/# /' "$t/stderr"
[ -z "$(ls "$t/early" "$t/late" 2>/dev/null)" ]
result $? "the early and late directories are left alone"

"$gen" >/dev/null 2>&1
result $(( $? != 1 )) "no output directory: exit 1"
SYSTEMD_LOG_TARGET=console SYSTEMD_UNIT_PATH="$usr" "$gen" "$t/not-there" 2>"$t/stderr"
[ $? -eq 0 ] && grep -q "cannot write the drop-in for plain.service" "$t/stderr"
result $? "an output directory that cannot be written: a warning per unit, exit 0"

# which systemd: the one that lists IOASIDMax= among its settings applies it
# itself (patches/systemd/), and the generator steps aside
printf '#!/bin/sh\n[ "$1" = --dump-configuration-items ] || exit 2\nprintf "[Service]\\nTasksMax=OTHER\\nIOASIDMax=OTHER\\n"\n' >"$t/native"
printf '#!/bin/sh\n[ "$1" = --dump-configuration-items ] || exit 2\nprintf "[Service]\\nTasksMax=OTHER\\n"\n' >"$t/stock"
printf '#!/bin/sh\necho IOASIDMax=OTHER\nexit 1\n' >"$t/broken"
chmod +x "$t/native" "$t/stock" "$t/broken"
for sd in native stock broken missing; do
	rm -rf "$t/out-$sd" && mkdir "$t/out-$sd"
	IOASID_SYSTEMD="$t/$sd" SYSTEMD_LOG_TARGET=console SYSTEMD_UNIT_PATH="$usr" \
		"$gen" "$t/out-$sd" 2>/dev/null
	echo $? >"$t/rc-$sd"
done
[ "$(cat "$t/rc-native")" = 0 ] && [ -z "$(ls "$t/out-native")" ]
result $? "a systemd that knows IOASIDMax=: the generator exits 0 and writes no drop-in"
[ -f "$t/out-stock/plain.service.d/50-ioasid-limit.conf" ] &&
	[ -f "$t/out-broken/plain.service.d/50-ioasid-limit.conf" ] &&
	[ -f "$t/out-missing/plain.service.d/50-ioasid-limit.conf" ]
result $? "  one that does not, one that fails to answer, or none there: the drop-ins as before"

make -s -C "$top/tools/systemd" O="$build/systemd-install" DESTDIR="$t/root" PREFIX=/usr install >/dev/null
[ -x "$t/root/usr/lib/systemd/system-generators/ioasid-generator" ] &&
	grep -qx 'ExecStart=/usr/sbin/ioasidctl apply --unit %i' \
		"$t/root/usr/lib/systemd/system/ioasid-limit@.service"
result $? "make install puts the generator and ioasid-limit@.service where systemd looks"
make -s -C "$top/tools/systemd" O="$build/systemd-install-local" DESTDIR="$t/root2" install >/dev/null
grep -qx 'ExecStart=/usr/local/sbin/ioasidctl apply --unit %i' \
	"$t/root2/usr/local/lib/systemd/system/ioasid-limit@.service"
result $? "  with PREFIX=/usr/local by default, ExecStart following it"
# systemd-analyze (deps: systemd) on an instance, as systemd makes them;
# ioasidctl is not installed in /usr/sbin here
mkdir -p "$t/verify.d"
cp "$t/root/usr/lib/systemd/system/ioasid-limit@.service" "$t/verify.d/"
printf '[Service]\nExecStart=/bin/true\n' >"$t/verify.d/vm1.service"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	"$t/verify.d/ioasid-limit@vm1.service.service" >"$t/verify" 2>&1
! grep -v 'Command /usr/sbin/ioasidctl is not executable' "$t/verify" | grep -q .
result $? "systemd-analyze verify finds nothing wrong in ioasid-limit@.service"
sed 's/^/# /' "$t/verify"
[ -f "$t/root/usr/lib/systemd/system/ioasid-metrics.timer" ] &&
	grep -qx 'ExecStart=/usr/sbin/ioasidctl show --format prometheus --output ${IOASID_METRICS_FILE}' \
		"$t/root/usr/lib/systemd/system/ioasid-metrics.service"
result $? "make install puts ioasid-metrics.service and .timer there, ExecStart following PREFIX"
cp "$t/root/usr/lib/systemd/system/ioasid-metrics.service" \
	"$t/root/usr/lib/systemd/system/ioasid-metrics.timer" "$t/verify.d/"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
	"$t/verify.d/ioasid-metrics.timer" "$t/verify.d/ioasid-metrics.service" >"$t/verify" 2>&1
! grep -v 'Command /usr/sbin/ioasidctl is not executable' "$t/verify" | grep -q .
result $? "systemd-analyze verify finds nothing wrong in ioasid-metrics.timer and .service"
sed 's/^/# /' "$t/verify"
tap_end
