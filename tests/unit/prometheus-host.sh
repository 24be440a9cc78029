#!/bin/bash
# The example Prometheus alert rules the package ships: promtool checks
# them, runs their unit tests against series labelled as ioasidctl labels
# them, and the package installs them. TAP on stdout.
# Usage: tests/unit/prometheus-host.sh TOP BUILD
top=$1 build=$2
rules=$top/tools/ioasidctl/ioasids-alerts.yml
t=$(mktemp -d)
# shellcheck disable=SC1091
. "$top/tests/lib/tap.sh"
echo "TAP version 13"

promtool check rules "$rules" >"$t/out" 2>&1
result $? "promtool check rules: $(grep -o '[0-9]* rules found' "$t/out")"
grep -c '^      - alert: ' "$rules" | grep -qx 4
result $? "four alerts: at the limit, refusals, the host near capacity, stale metrics"
(cd "$top/tests/prometheus" && promtool test rules ioasids-alerts.test.yml) >"$t/out" 2>&1
result $? "promtool test rules tests/prometheus/ioasids-alerts.test.yml"
grep -v '^ *$' "$t/out" | sed 's/^/# /' | head -n 40

# a broken rule file is refused, so the check above can fail
sed 's/ioasids_current >= ioasids_max/ioasids_current >=/' "$rules" >"$t/broken.yml"
! promtool check rules "$t/broken.yml" >/dev/null 2>&1
result $? "promtool check rules refuses a rule with a broken expression"

deb=$(ls "$build"/deb/ioasidctl_*.deb 2>/dev/null | head -n 1)
dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -xO ./usr/share/ioasidctl/prometheus/ioasids-alerts.yml >"$t/shipped" 2>/dev/null
cmp -s "$t/shipped" "$rules"
result $? "the package ships them as /usr/share/ioasidctl/prometheus/ioasids-alerts.yml"
rm -rf "$t"
tap_end
