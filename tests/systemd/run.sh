#!/bin/sh
# Inside the systemd boot: run each suite, TAP into /var/lib/ioasid-tests.
out=/var/lib/ioasid-tests
mkdir -p $out
echo "harness: systemd $(systemctl --version | sed -n 1p), $(systemctl is-system-running)"
/usr/lib/ioasid-tests/systemd/ioasidctl-unit.sh >$out/e2e-ioasidctl-unit.tap 2>&1
/usr/lib/ioasid-tests/systemd/unit-setting.sh >$out/e2e-unit-setting.tap 2>&1
/usr/lib/ioasid-tests/systemd/containers.sh >$out/e2e-containers-systemd.tap 2>&1
# last: it removes the package the others use
/usr/lib/ioasid-tests/systemd/package.sh >$out/e2e-package.tap 2>&1
journalctl -b --no-pager >$out/journal.txt 2>&1
echo "harness: finished"
