# shellcheck shell=sh
# Helpers of the suites that run under systemd as PID 1 (tests/systemd/),
# on top of tap.sh. The suite sets $t, a scratch directory.

# log UNIT: what the unit's processes printed, this boot
log() { journalctl -b -u "$1" -o cat --no-pager 2>/dev/null; }

# held UNIT LINE: wait (10 s at most) until ioasid-alloc in UNIT printed LINE
held() {
	i=0
	while ! log "$1" | grep -qx "$2" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	log "$1" | grep -qx "$2" || { log "$1" | tail -n 5 | sed 's/^/# /'; return 1; }
}

# is FILE VALUE DESCRIPTION: a result, FILE holds VALUE
is() {
	[ "$(cat "$1" 2>&1)" = "$2" ]
	r=$?
	result $r "$3"
	[ $r -eq 0 ] || echo "# $1: '$(cat "$1" 2>&1)', expected '$2'"
}

# shows UNIT PROPERTY VALUE: systemctl show -P PROPERTY UNIT is VALUE
shows() {
	v=$(systemctl show -P "$2" "$1" 2>&1)
	[ "$v" = "$3" ] || { echo "# systemctl show -P $2 $1: '$v', expected '$3'"; return 1; }
}

# capped NAME [N]: the last run of ioasid-alloc -n 5 --label NAME, output
# in $t/out (and $t/err), got N (default 2) and was refused the rest
capped() {
	[ "$(grep -c "^$1: allocated IOASID" "$t/out")" -eq "${2:-2}" ] &&
		[ "$(grep -c "^$1: refused: No space left on device (ENOSPC)" "$t/out")" -eq $((5 - ${2:-2})) ] ||
		{ sed 's/^/# /' "$t/out" "$t/err" 2>/dev/null; false; }
}

# uncharged BASE: wait (10 s at most) until the host's count is BASE again
uncharged() {
	i=0
	while [ "$(cat /sys/fs/cgroup/ioasids.current)" -ne "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(cat /sys/fs/cgroup/ioasids.current)" -eq "$1" ]
}
