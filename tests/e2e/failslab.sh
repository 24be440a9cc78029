#!/bin/sh
# Fault injection (the debug kernel): for one process, the slab allocations
# an IOASID allocation makes (its ioasid_data and the xarray's nodes) fail
# at random while it runs the fuzzer. The fuzzer's model must hold with
# ENOMEM allowed, and afterwards no charge and no IOASID is left behind.
# Needs CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and slab_nomerge.
# shellcheck disable=SC1091
. "$IOASID_TOP/tests/lib/tap.sh"
fs=/sys/kernel/debug/failslab
t=$(mktemp -d)
echo "TAP version 13"

caches_ok=0
for c in ioasid_data radix_tree_node; do
	# a merged cache is a symlink: failing it would fail its other users too
	if [ -d /sys/kernel/slab/$c ] && [ ! -L /sys/kernel/slab/$c ]; then
		echo 1 >/sys/kernel/slab/$c/failslab || caches_ok=1
	else
		caches_ok=1
	fi
done
result $caches_ok "failslab set on ioasid_data and radix_tree_node, unmerged caches"
result "$([ -d $fs ]; echo $?)" "failslab is in debugfs"

echo Y >$fs/cache-filter
echo Y >$fs/task-filter
echo N >$fs/ignore-gfp-wait
echo 0 >$fs/verbose
echo 1 >$fs/interval
echo -1 >$fs/times
echo 25 >$fs/probability

(echo 1 >/proc/self/make-it-fail && exec "$IOASID_TOP/build/tests/ioasid-fuzz" -m -e 100 \
	-n "${IOASID_FAILSLAB:-200000}" -c /sys/fs/cgroup/ioasid-failslab) >"$t/fuzz" 2>&1
rc=$?
echo 0 >$fs/probability
sed -e 's/^/# /' "$t/fuzz"

nomem=$(sed -n 's/.* \([0-9]*\) ENOMEM$/\1/p' "$t/fuzz")
result "$([ "${nomem:-0}" -gt 100 ]; echo $?)" "faults were injected: ${nomem:-no} allocations failed with ENOMEM"
result "$(grep -q '^ok 1 ' "$t/fuzz"; echo $?)" "every call under injected faults behaved as the model says"
result "$(grep -q '^ok 2 ' "$t/fuzz"; echo $?)" "no charge was left behind"
result "$(grep -q '^ok 3 ' "$t/fuzz"; echo $?)" "no IOASID was left behind"
result "$rc" "the fuzzer exited 0 (exit $rc)"
rm -rf "$t"
tap_end
