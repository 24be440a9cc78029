# The "compare" figures of ioasid-bench ("name value" lines) as a table:
# ns per alloc+free pair by each path at each depth, its ratio to 6.12's own
# IDA at depth 0, and the spread of the runs ((max - min) / median): a
# difference smaller than the spreads of the two figures is noise.
# Used by bench.sh and bench-smp.sh.
{ v[$1] = $2 }
END {
	n = split("ida global kernel charged misc ida_misc cold", m, " ")
	name["ida"] = "6.12's global PASID IDA (baseline)"
	name["global"] = "core, the IOMMU layer's global PASIDs"
	name["kernel"] = "core, a kernel set (uncharged)"
	name["charged"] = "core, a user set charged to ioasids"
	name["cold"] = "the same on an empty space (cold)"
	name["misc"] = "core, a kernel set charged to misc"
	name["ida_misc"] = "6.12's IDA charged to misc"
	printf "%-42s %5s %10s %7s %7s\n", "pair (kernel, ns)", "depth", "ns", "ratio", "spread"
	split("0 1 4 8", d, " ")
	for (i = 1; i <= n; i++)
		for (j = 1; j <= 4; j++) {
			k = "cmp_" m[i] "_d" d[j]
			if (!((k "_ns") in v))
				continue
			printf "%-42s %5d %10.1f %7.2f %6.1f%%\n", name[m[i]], d[j], v[k "_ns"],
			       v[k "_ratio"], 100 * v[k "_spread"]
		}
	if (!v["compare_misc"])
		print "(no misc controller with the benchmark's resource in this kernel)"
}
