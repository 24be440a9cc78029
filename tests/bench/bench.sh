#!/bin/sh
# make bench, inside the test kernel: the kernel-side figures from
# ioasid-bench, then ioasidctl against cgget over many cgroups. Writes
# OUT/bench.raw ("name value" lines), OUT/bench.json, OUT/bench.txt (the
# table) and OUT/bench.tap, which checks that every figure was produced and
# is a number; no figure is held to a target here.
# Usage: bench.sh OUT tiny|full
out=$1 size=$2
bin=$IOASID_TOP/build/tests
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
cg=/sys/fs/cgroup
case $size in
full) args="--iters 200000 --uapi-iters 2000 --runs 7 --groups 1000" fan=100 ;;
*) args="--iters 2000 --uapi-iters 200 --runs 3 --groups 10" fan=10 ;;
esac
raw=$out/bench.raw
t=$(mktemp -d)

"$bin/ioasid-bench" $args >"$raw" 2>"$t/err"
rc=$?

# ---- reading a big host: fan x fan cgroups under /big -----------------------
echo +ioasids >$cg/cgroup.subtree_control
mkdir -p $cg/big && echo +ioasids >$cg/big/cgroup.subtree_control
i=0
while [ $i -lt $fan ]; do
	mkdir -p $cg/big/g$i && echo +ioasids >$cg/big/g$i/cgroup.subtree_control
	seq 0 $((fan - 1)) | sed "s|^|$cg/big/g$i/h|" | xargs mkdir
	i=$((i + 1))
done
(cd $cg && find big -type d | sed 's|^|/|') >"$t/paths"
ncg=$(wc -l <"$t/paths")
echo "read_cgroups $ncg" >>"$raw"

# the median of three runs of a command, in seconds
ms() { echo "$(date +%s%N)"; }
median3() {
	for r in 1 2 3; do
		a=$(ms)
		"$@" >"$t/cmd.out" 2>&1
		b=$(ms)
		echo $(((b - a) / 1000))
	done | sort -n | sed -n 2p | awk '{ printf "%.3f\n", $1 / 1e6 }'
}
echo "read_ioasidctl_s $(median3 "$ctl" show -r --json /big)" >>"$raw"
"$ctl" show -r --json /big >"$t/json" 2>&1
shown=$(grep -c '"cgroup"' "$t/json")
echo "read_cgget_s $(median3 xargs -a "$t/paths" cgget -r ioasids.current -r ioasids.max)" >>"$raw"
xargs -a "$t/paths" cgget -r ioasids.current -r ioasids.max >"$t/cgget" 2>&1
got=$(grep -c '^ioasids.max: ' "$t/cgget")
# the same four files ioasidctl shows
echo "read_cgget4_s $(median3 xargs -a "$t/paths" cgget -r ioasids.current -r ioasids.max \
	-r ioasids.peak -r ioasids.events)" >>"$raw"
awk '$1 == "read_ioasidctl_s" { a = $2 } $1 == "read_cgget_s" { b = $2 } $1 == "read_cgget4_s" { c = $2 }
	END { printf "read_ratio %.3f\nread_ratio4 %.3f\n", (b > 0 ? a / b : 0), (c > 0 ? a / c : 0) }' \
	"$raw" >>"$raw"
rm -f "$t/cmd.out"
find $cg/big -depth -type d -exec rmdir {} \;

# ---- TAP: every figure there, and a number ---------------------------------
. "$IOASID_TOP/tests/lib/tap.sh"
{
	echo "TAP version 13"
	result $rc "ioasid-bench ran (exit $rc)"
	[ $rc -eq 0 ] || sed 's/^/# /' "$t/err"
	for k in kernel_depth0_ns kernel_depth1_ns kernel_depth2_ns kernel_depth4_ns kernel_depth8_ns \
		kernel_depth4_ratio kernel_depth8_ratio uapi_off_ns uapi_depth4_ns uapi_ratio \
		uapi_depth4_memcg_ns uapi_memcg_ratio \
		scale_alloc_s scale_free_s scale_bytes_per_id read_ioasidctl_s read_cgget_s read_ratio \
		read_cgget4_s read_ratio4 cmp_ida_d0_ns cmp_global_d0_ns cmp_kernel_d0_ns \
		cmp_charged_d0_ns cmp_charged_d8_ns; do
		v=$(awk -v k=$k '$1 == k { print $2 }' "$raw")
		# slab memory per ID is a difference of two readings of Slab: in
		# /proc/meminfo; at tiny sizes (100 IDs, a few kB) the kernel's
		# other slab traffic, and KASAN's quarantine letting objects go,
		# can make it negative
		sign=
		[ $k != scale_bytes_per_id ] || sign='-?'
		echo "$v" | grep -Eq "^${sign}[0-9]+(\.[0-9]+)?\$"
		result $? "figure $k = ${v:-missing}"
	done
	awk '$1 == "scale_ids" { ids = $2 } $1 == "scale_in_use" { u = $2 }
		$1 == "scale_in_use_after_free" { f = $2 } END { exit !(ids > 0 && u == ids && f == 0) }' "$raw"
	result $? "the scale run held the whole space, then gave all of it back"
	[ "$shown" = "$ncg" ]
	result $? "ioasidctl show -r --json listed all $ncg cgroups (got $shown)"
	[ "$got" = "$ncg" ]
	result $? "cgget read ioasids.max of all $ncg cgroups (got $got)"
	tap_end
} >"$out/bench.tap"

# ---- JSON and the table ----------------------------------------------------
awk -v kernel="$(uname -r)" -v size="$size" 'BEGIN { printf "{\n  \"kernel\": \"%s\",\n  \"size\": \"%s\"", kernel, size }
	{ printf ",\n  \"%s\": %s", $1, $2 } END { print "\n}" }' "$raw" >"$out/bench.json"
awk '{ v[$1] = $2 }
function row(name, value, unit, ratio, target, met) {
	printf "%-46s %12s %-3s %8s %10s %5s\n", name, value, unit, ratio, target, met
}
function yes(c) { return c ? "yes" : "no" }
END {
	printf "%-46s %12s %-3s %8s %10s %5s\n", "figure", "value", "", "ratio", "target", "met"
	row("kernel pair, depth 0 (charged to the root: nothing)", v["kernel_depth0_ns"], "ns", "1.00", "", "")
	split("1 2 4 8", d, " ")
	for (i = 1; i <= 4; i++) {
		k = "kernel_depth" d[i]
		t = d[i] == 4 ? "<= 1.30" : ""
		row("kernel pair, depth " d[i] ", a limit at each level", v[k "_ns"], "ns",
		    sprintf("%.2f", v[k "_ratio"]), t, d[i] == 4 ? yes(v[k "_ratio"] <= 1.30) : "")
	}
	row("uAPI ALLOC+FREE, root cgroup (uncharged)", v["uapi_off_ns"], "ns", "1.00", "", "")
	row("uAPI ALLOC+FREE, depth 4", v["uapi_depth4_ns"], "ns", sprintf("%.3f", v["uapi_ratio"]),
	    "<= 1.05", yes(v["uapi_ratio"] <= 1.05))
	row("the same, depth 4 in a memory cgroup too", v["uapi_depth4_memcg_ns"], "ns",
	    sprintf("%.3f", v["uapi_memcg_ratio"]), "", "")
	row("allocate " v["scale_ids"] " IDs over " v["scale_groups"] " cgroups", v["scale_alloc_s"], "s", "", "", "")
	row("free them (close)", v["scale_free_s"], "s", "", "", "")
	row("slab memory per live IOASID", v["scale_bytes_per_id"], "B", "", "<= 64", yes(v["scale_bytes_per_id"] <= 64))
	row("ioasidctl show -r --json, " v["read_cgroups"] " cgroups", v["read_ioasidctl_s"], "s",
	    sprintf("%.2f", v["read_ratio"]), "<= 1.00", yes(v["read_ratio"] <= 1.00))
	row("cgget -r ioasids.current -r ioasids.max", v["read_cgget_s"], "s", "1.00", "", "")
	row("cgget of the 4 files show reads (same data)", v["read_cgget4_s"], "s", "", "", "")
	row("ioasidctl against cgget of the same data", "", "", sprintf("%.2f", v["read_ratio4"]),
	    "<= 1.00", yes(v["read_ratio4"] <= 1.00))
}' "$raw" >"$out/bench.txt"
{
	echo
	# make check's UML kernel has KASAN (it prints no line; make bench's has not)
	grep -q ' kasan_report$' /proc/kallsyms && echo "(a KASAN kernel: these figures measure KASAN too)"
	awk -f "$IOASID_TOP/tests/bench/compare.awk" "$raw"
} >>"$out/bench.txt"
rm -rf "$t"
