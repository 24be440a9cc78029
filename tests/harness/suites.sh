#!/bin/sh
# Run inside the test kernel by init.sh: each suite named in $IOASID_SUITES
# writes its TAP to $IOASID_OUT/SUITE.tap, on the host through hostfs.
out=$IOASID_OUT
bin=$IOASID_TOP/build/tests

# One TAP line, numbered from n + 1, for each checker named in
# IOASID_CHECKERS (kasan+kmemleak, for instance): it is on in this kernel.
checkers() {
	for checker in $(echo "${IOASID_CHECKERS:-}" | tr + ' '); do
		n=$((n + 1))
		case $checker in
		kasan) pat='KernelAddressSanitizer initialized' ;;
		kcsan) pat='kcsan: enabled early' ;;
		lockdep) pat='Lock dependency validator' ;;
		kmemleak) pat='Kernel memory leak detector initialized' ;;
		*) pat="no such checker: $checker" ;;
		esac
		if dmesg | grep -q "$pat"; then
			echo "ok $n $checker is on"
		elif [ "$checker" = kasan ] && grep -q 'User Mode Linux' /proc/cpuinfo &&
			grep -q ' kasan_report$' /proc/kallsyms; then
			# UML's KASAN prints no line: its kernel has the report function
			echo "ok $n $checker is on (UML: kasan_report in /proc/kallsyms)"
		else
			echo "not ok $n $checker is on (no '$pat' in the log)"
		fi
	done
}

# the kernel command line splits on spaces, so the list is comma-separated
for suite in $(echo "$IOASID_SUITES" | tr , " "); do
	echo "harness: suite $suite"
	case $suite in
	kunit)
		# KUnit ran at boot; debugfs keeps each suite's KTAP.
		for d in /sys/kernel/debug/kunit/*/; do
			cat "$d/results" >"$out/kunit-$(basename "$d").tap"
		done
		;;
	kselftest)
		(cd "$TMPDIR" && "$bin/ioasid_test") >"$out/kselftest.tap" 2>&1
		;;
	capacity)
		(cd "$TMPDIR" && "$bin/ioasid_test" -t capacity_from_command_line \
			-t exhaust_whole_space) >"$out/kselftest-capacity.tap" 2>&1
		;;
	test_core)
		# the pinned tree's cgroup core selftest, with ioasids enabled
		echo +ioasids >/sys/fs/cgroup/cgroup.subtree_control
		(cd "$TMPDIR" && "$bin/test_core") >"$out/test_core.tap" 2>&1
		;;
	stress)
		# 64 processes against a 3-level hierarchy; 60 s unless IOASID_STRESS
		(cd "$TMPDIR" && "$bin/ioasid-stress" -p 64 -t "${IOASID_STRESS:-60}") \
			>"$out/stress.tap" 2>&1
		;;
	fuzz)
		# random ioctls and ioasids.* writes against a model; 1,000,000
		# calls unless IOASID_FUZZ
		(cd "$TMPDIR" && "$bin/ioasid-fuzz" -n "${IOASID_FUZZ:-1000000}") \
			>"$out/fuzz.tap" 2>&1
		;;
	security)
		"$IOASID_TOP/tests/e2e/security.sh" >"$out/e2e-security.tap" 2>&1
		;;
	failslab)
		"$IOASID_TOP/tests/e2e/failslab.sh" >"$out/e2e-failslab.tap" 2>&1
		;;
	kmemleak)
		# two scans: kmemleak reports an object only once it has seen it
		# unreferenced twice
		k=/sys/kernel/debug/kmemleak
		{
			echo "TAP version 13"
			if [ -w $k ] && echo scan >$k && sleep 6 && echo scan >$k; then
				cat $k >"$out/kmemleak.txt"
				leaks=$(grep -c '^unreferenced object' "$out/kmemleak.txt")
				[ "$leaks" -eq 0 ] && echo "ok 1 kmemleak found no leak" ||
					{ echo "not ok 1 kmemleak found $leaks leaks"; head -n 40 "$out/kmemleak.txt" | sed 's/^/# /'; }
			else
				echo "not ok 1 kmemleak could scan"
			fi
			echo "1..1"
		} >"$out/kmemleak.tap"
		;;
	ioasidctl)
		"$IOASID_TOP/tests/e2e/ioasidctl.sh" >"$out/e2e-ioasidctl.tap" 2>&1
		;;
	docs)
		# the documentation's examples that run in the test kernel
		"$IOASID_TOP/tests/docs/run.sh" uml "$IOASID_TOP" >"$out/docs-uml.tap" 2>&1
		;;
	containers)
		"$IOASID_TOP/tests/e2e/containers.sh" >"$out/e2e-containers.tap" 2>&1
		;;
	libvirt)
		"$IOASID_TOP/tests/e2e/libvirt.sh" >"$out/e2e-libvirt.tap" 2>&1
		;;
	bench)
		# make bench's figures; tiny unless IOASID_BENCH=full
		"$IOASID_TOP/tests/bench/bench.sh" "$out" "${IOASID_BENCH:-tiny}"
		;;
	platform)
		# the SMP kernels must really be SMP, preemptible and on VT-d
		{
			echo "TAP version 13"
			cpus=$(grep -c '^processor' /proc/cpuinfo)
			[ "$cpus" -ge 2 ] && echo "ok 1 $cpus CPUs online" ||
				echo "not ok 1 $cpus CPUs online, want 2 or more"
			v=$(uname -v)
			case " $v " in
			*" SMP PREEMPT "*) echo "ok 2 full preemption: $v" ;;
			*) echo "not ok 2 full preemption: uname -v says $v" ;;
			esac
			iommu=$(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')
			case $iommu in
			dmar*) echo "ok 3 the Intel IOMMU driver probed: $iommu" ;;
			*) echo "not ok 3 the Intel IOMMU driver probed (/sys/class/iommu: $iommu)" ;;
			esac
			dmesg | grep -m1 -i 'DMAR: .*scalable mode' | sed 's/^/# /'
			n=3
			checkers
			echo "1..$n"
		} >"$out/platform.tap" 2>&1
		;;
	checkers)
		# the checkers the kernel was built with are on (IOASID_CHECKERS)
		{
			echo "TAP version 13"
			n=0
			checkers
			echo "1..$n"
		} >"$out/checkers.tap" 2>&1
		;;
	bench_smp)
		# make bench's SMP figures; tiny unless IOASID_BENCH=full
		"$IOASID_TOP/tests/bench/bench-smp.sh" "$out" "${IOASID_BENCH:-tiny}"
		;;
	no_controller)
		"$IOASID_TOP/tests/e2e/no-controller.sh" >"$out/e2e-no-controller.tap" 2>&1
		;;
	*)
		echo "harness: unknown suite $suite"
		;;
	esac
done
dmesg >"$out/dmesg.txt"
