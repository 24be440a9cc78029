#!/bin/sh
# make bench on the x86_64 SMP kernel, inside it: kernel alloc+free pairs
# per second from one task and from one task per CPU at once, uncharged
# (root cgroup) and charged (sibling cgroups under one limited parent).
# Writes OUT/bench-smp.raw, .json, .txt and .tap (every figure produced and
# a number; no figure is held to a target).
# Usage: bench-smp.sh OUT tiny|full
out=$1 size=$2
bin=$IOASID_TOP/build/tests
case $size in
full) args="--iters 20000 --runs 3" ;;
*) args="--iters 2000 --runs 1" ;;
esac
raw=$out/bench-smp.raw
cpus=$(grep -c '^processor' /proc/cpuinfo)

"$bin/ioasid-bench" $args --smp "$cpus" >"$raw" 2>"$out/bench-smp.err"
rc=$?

. "$IOASID_TOP/tests/lib/tap.sh"
{
	echo "TAP version 13"
	result $rc "ioasid-bench --smp $cpus ran (exit $rc)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$out/bench-smp.err"
	for k in smp_1_uncharged_kpairs_s smp_1_charged_kpairs_s smp_n_uncharged_kpairs_s \
		smp_n_charged_kpairs_s smp_1_charge_ratio smp_n_charge_ratio \
		smp_uncharged_scaling smp_charged_scaling smp_1_refused_kops_s \
		smp_n_refused_kops_s smp_refused_scaling cmp_ida_d0_ns cmp_global_d0_ns \
		cmp_kernel_d0_ns cmp_charged_d0_ns cmp_charged_d8_ns; do
		v=$(awk -v k=$k '$1 == k { print $2 }' "$raw")
		echo "$v" | grep -Eq '^[0-9]+(\.[0-9]+)?$'
		result $? "figure $k = ${v:-missing}"
	done
	tap_end
} >"$out/bench-smp.tap"

awk -v kernel="$(uname -r)" -v size="$size" -v cpus="$cpus" \
	'BEGIN { printf "{\n  \"kernel\": \"%s\",\n  \"size\": \"%s\",\n  \"cpus\": %s", kernel, size, cpus }
	{ printf ",\n  \"%s\": %s", $1, $2 } END { print "\n}" }' "$raw" >"$out/bench-smp.json"
awk -v cpus="$cpus" '{ v[$1] = $2 }
function row(name, value, unit, ratio) { printf "%-56s %10s %-8s %8s\n", name, value, unit, ratio }
END {
	printf "%-56s %10s %-8s %8s\n", "figure (x86_64 SMP kernel, QEMU TCG)", "value", "", "ratio"
	row("1 task, root cgroup (uncharged)", v["smp_1_uncharged_kpairs_s"], "kpairs/s", "1.00")
	row("1 task, under a limited parent (charged)", v["smp_1_charged_kpairs_s"], "kpairs/s",
	    sprintf("%.2f", v["smp_1_charge_ratio"]))
	row(cpus " tasks at once, root cgroup (uncharged)", v["smp_n_uncharged_kpairs_s"], "kpairs/s",
	    sprintf("%.2f", v["smp_uncharged_scaling"]) "x1")
	row(cpus " tasks, " cpus " siblings under one limited parent", v["smp_n_charged_kpairs_s"], "kpairs/s",
	    sprintf("%.2f", v["smp_charged_scaling"]) "x1")
	row("charged against uncharged, " cpus " tasks", "", "", sprintf("%.2f", v["smp_n_charge_ratio"]))
	row("refusals, 1 task at ioasids.max 0", v["smp_1_refused_kops_s"], "kops/s", "1.00")
	row("refusals, " cpus " tasks in " cpus " siblings at max 0", v["smp_n_refused_kops_s"], "kops/s",
	    sprintf("%.2f", v["smp_refused_scaling"]) "x1")
}' "$raw" >"$out/bench-smp.txt"
{
	echo
	# make check runs it on a debug kernel (KCSAN, lockdep, kmemleak), make bench on one without
	dmesg | grep -Eq 'KernelAddressSanitizer initialized|kcsan: enabled early|Lock dependency validator|Kernel memory leak detector initialized' &&
		echo "(a debug kernel (KASAN, KCSAN, lockdep or kmemleak): these ratios measure it too)"
	awk -f "$IOASID_TOP/tests/bench/compare.awk" "$raw"
} >>"$out/bench-smp.txt"
