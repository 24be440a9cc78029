#!/bin/sh
# make demo, inside the test kernel: two "VMs" under machine.slice with
# different ioasids.max; one hits its cap while the other keeps going.
# Lines for the audience start with "demo:".
cg=/sys/fs/cgroup
alloc=$IOASID_TOP/build/tests/ioasid-alloc

say() { echo "demo:$*"; }

events() { sed -n 's/^max //p' "$1"; }

show() {
	say ""
	say "$(printf '  %-20s %6s %8s %6s %7s' cgroup max current peak refused)"
	for g in machine.slice machine.slice/vm1 machine.slice/vm2; do
		say "$(printf '  %-20s %6s %8s %6s %7s' "$g" \
			"$(cat $cg/$g/ioasids.max)" "$(cat $cg/$g/ioasids.current)" \
			"$(cat $cg/$g/ioasids.peak)" "$(events $cg/$g/ioasids.events)")"
	done
	say "  host: $(cat $cg/ioasids.current) of $(cat $cg/ioasids.capacity) IOASIDs in use"
	say ""
}

# start_vmm VM COUNT: a VMM process in VM's cgroup allocates COUNT IOASIDs
# from /dev/ioasid and keeps them; prints what it got.
start_vmm() {
	log=$TMPDIR/$1.$$.$2
	(echo 0 >"$cg/machine.slice/$1/cgroup.procs" &&
		exec "$alloc" --label "  $1" -n "$2" --hold) >"$log" 2>&1 &
	pid=$!
	while ! grep -q holding "$log" 2>/dev/null; do sleep 0.1; done
	sed 's/^/demo:/' "$log"
	eval "vmm_$1=\"\${vmm_$1:-} $pid\""
}

say "== ioasids: a cgroup cap on the host's PASIDs, per VM =="
say ""
say "Every VM that uses an SVA device (Intel DSA/IAA, ...) takes PASIDs from"
say "one 20-bit space the whole host shares. The ioasids controller caps"
say "what each cgroup may hold. The allocation API does not change: a VMM"
say "over its cap gets ENOSPC, as if the space were full."
say ""
say "\$ echo +ioasids > /sys/fs/cgroup/cgroup.subtree_control"
echo +ioasids >$cg/cgroup.subtree_control
mkdir -p $cg/machine.slice/vm1 $cg/machine.slice/vm2
echo +ioasids >$cg/machine.slice/cgroup.subtree_control
say "\$ mkdir -p /sys/fs/cgroup/machine.slice/vm1 /sys/fs/cgroup/machine.slice/vm2"
say "\$ echo 3 > /sys/fs/cgroup/machine.slice/vm1/ioasids.max"
echo 3 >$cg/machine.slice/vm1/ioasids.max
say "\$ echo 6 > /sys/fs/cgroup/machine.slice/vm2/ioasids.max"
echo 6 >$cg/machine.slice/vm2/ioasids.max
show

say "-- vm1's VMM asks for 4 IOASIDs; its cap is 3:"
start_vmm vm1 4
show

say "-- vm2's VMM asks for 4; vm1 at its cap does not get in its way:"
start_vmm vm2 4
show

say "-- the kernel log says who was refused and by which limit:"
dmesg | sed -n 's/^.*\(ioasids: .*refused.*\)$/demo:  \1/p' | tail -n 1
say ""

say "-- the operator raises vm1's cap to 5 and vm1 asks for 2 more:"
say "\$ echo 5 > /sys/fs/cgroup/machine.slice/vm1/ioasids.max"
echo 5 >$cg/machine.slice/vm1/ioasids.max
start_vmm vm1 2
show

say "-- vm1 shuts down: closing /dev/ioasid returns all its IOASIDs:"
# shellcheck disable=SC2154
kill $vmm_vm1
wait $vmm_vm1 2>/dev/null
show
say "ioasids.peak and ioasids.events keep vm1's history; vm2 still holds 4."
say ""
say "-- the same through the operator's tool:"
say "\$ ioasidctl show -r /machine.slice"
"$IOASID_TOP/build/ioasidctl/ioasidctl" show -r /machine.slice | sed 's/^/demo:  /'
say "\$ ioasidctl info"
"$IOASID_TOP/build/ioasidctl/ioasidctl" info | sed 's/^/demo:  /'
kill $vmm_vm2
wait
# the whole kernel log, for make check's look at the demo (tests/e2e/demo-host.sh)
dmesg >"$IOASID_OUT/dmesg.txt" 2>/dev/null
