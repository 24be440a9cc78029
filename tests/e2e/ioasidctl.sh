#!/bin/sh
# ioasidctl end to end, in the booted test kernel, against the real
# controller, libcgroup's cgset/cgget and /dev/ioasid. TAP on stdout.
ctl=$IOASID_TOP/build/ioasidctl/ioasidctl
alloc=$IOASID_TOP/build/tests/ioasid-alloc
cg=/sys/fs/cgroup
t=$TMPDIR/e2e-ioasidctl
mkdir -p "$t"
. "$(dirname "$0")/../lib/tap.sh"

# a fresh subtree the controller is not enabled in yet
mkdir -p $cg/e2e/a/b $cg/e2e/a/c
capacity=$(cat $cg/ioasids.capacity)

expect 0 "set enables the controller up the tree" $ctl set /e2e/a/b 3
has "enabled the ioasids controller in /e2e/cgroup.subtree_control"
result $? "set says where it enabled the controller (/e2e)"
has "enabled the ioasids controller in /e2e/a/cgroup.subtree_control"
result $? "set says where it enabled the controller (/e2e/a)"
grep -qw ioasids $cg/e2e/cgroup.subtree_control && grep -qw ioasids $cg/e2e/a/cgroup.subtree_control
result $? "ioasids is in the subtree_control of /e2e and /e2e/a"
file_is $cg/e2e/a/b/ioasids.max 3
result $? "set wrote ioasids.max = 3"

expect 0 "set a second time changes nothing else" $ctl set e2e/a/b/ 3
has enabled
result $((! $?)) "a second set enables nothing"

expect 0 "set 10%" $ctl set /e2e/a/c 10%
file_is $cg/e2e/a/c/ioasids.max $((capacity / 10))
result $? "10% of the capacity ($capacity) is $((capacity / 10))"
expect 0 "set 0.5%" $ctl set /e2e/a/c 0.5%
file_is $cg/e2e/a/c/ioasids.max $((capacity * 50 / 10000))
result $? "0.5% of the capacity is $((capacity * 50 / 10000))"
expect 0 "set infinity" $ctl set /e2e/a/c infinity
file_is $cg/e2e/a/c/ioasids.max max
result $? "infinity is written as max"

# a VMM in b holds 3 IOASIDs and is refused a fourth
(echo 0 >$cg/e2e/a/b/cgroup.procs && exec "$alloc" -n 4 --hold) >"$t/vmm" 2>&1 &
vmm=$!
while ! grep -q holding "$t/vmm" 2>/dev/null; do sleep 0.1; done

expect 0 "show CGROUP" $ctl show /e2e/a/b
grep -Eq '^/e2e/a/b +3 +3 +3 +1$' "$t/out"
result $? "show: max 3, current 3, peak 3, refused 1"
expect 0 "show --json" $ctl show --json /e2e/a/b
has '"max": "3"' && has '"current": 3' && has '"refused": 1'
result $? "show --json has the same values"
expect 0 "show -r" $ctl show -r /e2e
grep -Eq '^/e2e ' "$t/out" && grep -Eq -- '-a +max +3 ' "$t/out" && grep -Eq -- '-b +3 +3 ' "$t/out"
result $? "show -r draws the subtree as a tree"
expect 0 "show with no CGROUP" $ctl show
grep -q '^/e2e/a/b ' "$t/out" && grep -q '^/e2e/a/c ' "$t/out"
result $? "show with no CGROUP lists the whole hierarchy"

expect 0 "info" $ctl info
in_use=$(cat $cg/ioasids.current)
grep -Eq "^ *$capacity +$in_use +$((capacity - in_use)) +$cg " "$t/out"
result $? "info: capacity, in use and free match the root's files"
grep -Eq ' /e2e, /e2e/a(,|$)' "$t/out"
result $? "info lists /e2e and /e2e/a among the cgroups the controller is enabled in"
expect 0 "info --json" $ctl info --json
has "\"capacity\": $capacity" && has "\"/e2e/a\""
result $? "info --json has the capacity and where the controller is enabled"

# Prometheus: node_exporter's textfile format, as promtool reads it
mkdir "$cg/e2e/a/we\"ird\\name"
expect 0 "show --format prometheus" $ctl show --format prometheus
grep -qxF "ioasids_capacity $capacity" "$t/out" &&
	grep -qxF 'ioasids_current{cgroup="/e2e/a/b"} 3' "$t/out" &&
	grep -qxF 'ioasids_max{cgroup="/e2e/a/b"} 3' "$t/out" &&
	grep -qxF 'ioasids_peak{cgroup="/e2e/a/b"} 3' "$t/out" &&
	grep -qxF 'ioasids_events_max_total{cgroup="/e2e/a/b"} 1' "$t/out" &&
	grep -qxF 'ioasids_max{cgroup="/e2e/a"} +Inf' "$t/out"
result $? "prometheus: capacity, and b's current 3, max 3, peak 3, 1 refusal; a's max is +Inf"
grep -qxF 'ioasids_current{cgroup="/"} '"$(cat $cg/ioasids.current)" "$t/out" &&
	! grep -qF 'ioasids_max{cgroup="/"}' "$t/out"
result $? "prometheus: the root has its current and no max"
grep -qxF 'ioasids_current{cgroup="/e2e/a/we\"ird\\name"} 0' "$t/out"
result $? "prometheus: a cgroup name with a quote and a backslash is escaped"
promtool check metrics <"$t/out" >"$t/promtool" 2>&1
result $? "promtool check metrics finds nothing to say"
sed 's/^/# promtool: /' "$t/promtool"
# the example alert rules against the series just recorded, held for 20
# minutes: b holds all 3 its limit allows, and only b is at its limit
rules=$IOASID_TOP/tools/ioasidctl/ioasids-alerts.yml
for m in $(grep -o 'ioasids_[a-z_]*' "$rules" | sort -u); do
	grep -q "^$m[{ ]" "$t/out" || echo "# the rules use $m, which ioasidctl does not write"
done >"$t/unknown"
[ ! -s "$t/unknown" ]
result $? "every ioasids_ metric the alert rules use is in ioasidctl's output"
cat "$t/unknown"
{
	printf 'rule_files: [%s]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n' "$rules"
	grep '^ioasids_' "$t/out" | while read -r series value; do
		[ "$value" = +Inf ] && value=Inf
		printf "      - series: '%s'\n        values: '%s+0x20'\n" "$(printf '%s' "$series" | sed "s/'/''/g")" "$value"
	done
	printf '%s\n' '    alert_rule_test:' '      - eval_time: 20m' '        alertname: IOASIDCgroupAtLimit' \
		'        exp_alerts:' '          - exp_labels: { severity: warning, cgroup: /e2e/a/b }' \
		'            exp_annotations:' \
		"              summary: '/e2e/a/b holds all 3 IOASIDs its ioasids.max allows'" \
		"              description: '$(sed -n 's/^ *description: .\(Its next allocation.*\).$/\1/p' "$rules")'"
} >"$t/recorded.test.yml"
promtool test rules "$t/recorded.test.yml" >"$t/promtool" 2>&1
result $? "promtool test rules: on the recorded series, IOASIDCgroupAtLimit fires for /e2e/a/b alone"
grep -v '^ *$' "$t/promtool" | sed 's/^/# promtool: /' | head -n 30
expect 0 "show --format prometheus --output FILE" \
	$ctl show --format prometheus --output "$t/ioasids.prom"
grep -qxF 'ioasids_current{cgroup="/e2e/a/b"} 3' "$t/ioasids.prom" &&
	[ "$(stat -c %a "$t/ioasids.prom")" = 644 ] && [ ! -s "$t/out" ]
result $? "--output writes the file, mode 0644, and nothing to stdout"
ino=$(stat -c %i "$t/ioasids.prom")
cp "$t/ioasids.prom" "$t/before.prom"
expect 0 "--output again" $ctl show --format prometheus --output "$t/ioasids.prom"
[ "$(stat -c %i "$t/ioasids.prom")" != "$ino" ]
result $? "--output replaces the file by a rename, never rewriting it in place"
expect 4 "--output with a cgroup that does not exist" \
	$ctl show --format prometheus --output "$t/ioasids.prom" /e2e/nope
has "left as it was"
result $? "  says the file is left as it was"
cmp -s "$t/ioasids.prom" "$t/before.prom" && [ -z "$(ls -A "$t" | grep '^\.#ioasids\.prom\.')" ]
result $? "  leaves it unchanged and no temporary file behind"
expect 4 "--output into a directory that does not exist" \
	$ctl show --format prometheus --output "$t/nodir/ioasids.prom"
expect 2 "--format xml" $ctl show --format xml
expect 2 "--format prometheus with -r" $ctl show --format prometheus -r /e2e
expect 2 "--output with set" $ctl set --output "$t/x" /e2e/a/b 3
[ ! -e "$t/x" ]
result $? "  and writes no file"
expect 2 "--format prometheus with info" $ctl info --format prometheus
rmdir "$cg/e2e/a/we\"ird\\name"

# libcgroup's own tools and ioasidctl agree
cgset -r ioasids.max=7 /e2e/a/b
expect 0 "show after cgset" $ctl show --json /e2e/a/b
has '"max": "7"'
result $? "a value set with cgset shows in ioasidctl show"
$ctl set /e2e/a/b 5 >/dev/null
[ "$(cgget -n -v -r ioasids.max /e2e/a/b)" = 5 ]
result $? "a value set with ioasidctl set shows in cgget"

# start_watch CGROUP SAYS DESCRIPTION: watch CGROUP in the background
# ($watcher), output in $t/watch and $t/watch.err; a result for whether
# it says SAYS once it runs (a minute at most on a slow kernel). Its
# files are emptied before it starts: the redirections of a job started
# with & are made in the child, which the wait could otherwise outrun and
# read the last watch's lines.
start_watch() {
	: >"$t/watch"
	: >"$t/watch.err"
	$ctl watch "$1" >"$t/watch" 2>"$t/watch.err" &
	watcher=$!
	i=0
	while ! grep -q watching "$t/watch.err" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q "$2" "$t/watch.err"
	rc=$?
	result $rc "$3"
	[ $rc -eq 0 ] || sed 's/^/# watch: /' "$t/watch.err"
}

# watch: one line per refusal, naming the cgroup whose limit refused
start_watch /e2e/a "watching 3 cgroups" "watch /e2e/a watches /e2e/a, /e2e/a/b and /e2e/a/c"
# b holds 3 of its 5: of 3 more, 2 are allocated and 1 refused
(echo 0 >$cg/e2e/a/b/cgroup.procs && exec "$alloc" -n 3) >/dev/null 2>&1
# wait_lines N: until watch has printed N lines (polled; it ends at once
# when they are there, and gives up after a minute on a slow kernel)
wait_lines() {
	i=0
	while [ "$(wc -l <"$t/watch")" -lt "$1" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}
wait_lines 1
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[-+][0-9]{4} /e2e/a/b refused 1 allocation at ioasids.max 5 ' "$t/watch"
result $? "watch prints the time and the refusing cgroup"
[ "$(wc -l <"$t/watch")" -eq 1 ]
result $? "watch prints one line for one refusal"
# a cgroup made after watch started (a VM's or container's) is followed:
# no wait for watch to see it is needed, for it reports every refusal the
# new cgroup has counted
mkdir $cg/e2e/a/new && echo 1 >$cg/e2e/a/new/ioasids.max
(echo 0 >$cg/e2e/a/new/cgroup.procs && exec "$alloc" -n 2) >/dev/null 2>&1
wait_lines 2
sed -n 2p "$t/watch" | grep -q ' /e2e/a/new refused 1 allocation at ioasids.max 1 '
result $? "watch sees a refusal in a cgroup made after it started"
# one whose parent enables the controller only later, as a hook does
mkdir -p $cg/e2e/a/late/x
echo +ioasids >$cg/e2e/a/late/cgroup.subtree_control && echo 1 >$cg/e2e/a/late/x/ioasids.max
(echo 0 >$cg/e2e/a/late/x/cgroup.procs && exec "$alloc" -n 2) >/dev/null 2>&1
wait_lines 3
sed -n 3p "$t/watch" | grep -q ' /e2e/a/late/x refused 1 allocation at ioasids.max 1 '
result $? "watch sees a cgroup whose parent enabled the controller after it was made"
# removed cgroups are dropped, and watch goes on
rmdir $cg/e2e/a/new $cg/e2e/a/late/x $cg/e2e/a/late
mkdir $cg/e2e/a/after && echo 0 >$cg/e2e/a/after/ioasids.max
(echo 0 >$cg/e2e/a/after/cgroup.procs && exec "$alloc" -n 1) >/dev/null 2>&1
wait_lines 4
sed -n 4p "$t/watch" | grep -q ' /e2e/a/after refused 1 allocation at ioasids.max 0 '
result $? "after cgroups below went, watch still reports the next refusal"
rmdir $cg/e2e/a/after
[ "$(wc -l <"$t/watch")" -eq 4 ] && kill -0 $watcher
result $? "four refusals, four lines, and watch still runs"
sed 's/^/# /' "$t/watch"
kill -INT $watcher
wait $watcher
result $? "watch exits 0 on SIGINT"
expect 4 "watch of a cgroup that does not exist" $ctl watch /e2e/nope

# a named cgroup is followed itself: through the controller disabled and
# enabled again above it (its files are new), and when it is made again
mkdir -p $cg/e2e/t/x
echo +ioasids >$cg/e2e/t/cgroup.subtree_control
start_watch /e2e/t/x "watching 1 cgroup," "watch /e2e/t/x watches it"
# (watch stopped meanwhile, so that it sees both writes at once: the
# file it watched is gone, and one of the same name is there)
kill -STOP $watcher
echo -ioasids >$cg/e2e/t/cgroup.subtree_control && echo +ioasids >$cg/e2e/t/cgroup.subtree_control &&
	echo 0 >$cg/e2e/t/x/ioasids.max
kill -CONT $watcher
(echo 0 >$cg/e2e/t/x/cgroup.procs && exec "$alloc" -n 1) >/dev/null 2>&1
wait_lines 1
sed -n 1p "$t/watch" | grep -q ' /e2e/t/x refused 1 allocation at ioasids.max 0 '
result $? "  a refusal after the controller was disabled and enabled again above it"
rmdir $cg/e2e/t/x && mkdir $cg/e2e/t/x && echo 0 >$cg/e2e/t/x/ioasids.max
(echo 0 >$cg/e2e/t/x/cgroup.procs && exec "$alloc" -n 1) >/dev/null 2>&1
wait_lines 2
sed -n 2p "$t/watch" | grep -q ' /e2e/t/x refused 1 allocation at ioasids.max 0 '
result $? "  a refusal after it was removed and made again (a unit's restart)"
[ "$(wc -l <"$t/watch")" -eq 2 ]
result $? "  two refusals, two lines"
sed 's/^/# /' "$t/watch"
kill -INT $watcher
wait $watcher
rmdir $cg/e2e/t/x $cg/e2e/t

# top, in a terminal: tmux runs it in a 100x20 window; capture-pane reads
# the screen. pane waits for the screen to show a pattern (30 s at most).
pane() {
	i=0
	while [ $i -lt 300 ]; do
		tmux -L e2e capture-pane -p -t top >"$t/screen" 2>/dev/null
		grep -Eq "$1" "$t/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	sed 's/^/# screen: /' "$t/screen"
	return 1
}
# top_exit: wait for the wrapper to record top's exit status
top_exit() {
	i=0
	while [ ! -s "$t/top.rc" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	cat "$t/top.rc" 2>/dev/null
}
export TMUX_TMPDIR="$t"
rm -f "$t/top.rc"
# Every frame top draws also goes to $t/stream (pipe-pane), so a frame
# shown for one interval is never missed, however slow the kernel is. top
# starts once the pipe is attached: the pane waits on a FIFO for it.
mkfifo "$t/go"
tmux -L e2e -f /dev/null new-session -d -s top -x 100 -y 20 \
	"read -r _ <$t/go; $ctl top -d 2 /e2e; echo \$? >$t/top.rc"
tmux -L e2e pipe-pane -t top -o "cat >>$t/stream"
echo go >"$t/go"
# stream_row RE: wait for a row of b matching RE in any frame drawn so far
stream_row() {
	i=0
	while [ $i -lt 300 ]; do
		sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$t/stream" 2>/dev/null |
			grep -E "$1" >"$t/rows" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
stream_row '^/e2e/a/b +3 +5 +5 +- +2 *$'
result $? "top in a terminal: b's row, current 3, max 5, peak 5, refused 2, no rate yet"
# the first frame: from the stream's start to its second screen clear
sed -e 's/\x1b\[2J/\nFRAME\n/g' "$t/stream" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' |
	awk '/^FRAME$/ { n++; next } n == 1' >"$t/screen"
grep -q 'q quits' "$t/screen" && grep -Eq '^CGROUP +CURRENT +MAX +PEAK +REFUSED/S +REFUSED' "$t/screen"
result $? "  under a header with the columns and how to quit"
[ "$(grep -n '^/e2e/a/b ' "$t/screen" | cut -d: -f1)" -lt "$(grep -n '^/e2e/a/c ' "$t/screen" | cut -d: -f1)" ]
result $? "  b, holding 3, above c, holding none"
sed 's/^/# first frame: /' "$t/screen"
stream_row '^/e2e/a/b +3 +5 +5 +0.0 +2 *$'
result $? "  the next frame: 0.0 refusals per second"
# b holds 3 of its 5: of 3 more, 2 are allocated and 1 refused
(echo 0 >$cg/e2e/a/b/cgroup.procs && exec "$alloc" -n 3) >/dev/null 2>&1
stream_row '^/e2e/a/b +3 +5 +5 +[0-9.]+ +3 *$'
head -n 1 "$t/rows" | awk '$1 == "/e2e/a/b" { ok = ($5 > 0) } END { exit !ok }'
result $? "  the frame after a refusal shows it per second, and 3 in all"
sed 's/^/# frame rows after the refusal: /' "$t/rows" | head -n 3
tmux -L e2e send-keys -t top q
[ "$(top_exit)" = 0 ]
result $? "top exits 0 on q"
rm -f "$t/top.rc"
tmux -L e2e -f /dev/null new-session -d -s top -x 100 -y 20 \
	"$ctl top -d 0.2; echo \$? >$t/top.rc"
pane '^/e2e/a/b '
tmux -L e2e send-keys -t top C-c
[ "$(top_exit)" = 0 ]
result $? "top exits 0 on Ctrl-C (SIGINT)"
tmux -L e2e kill-server 2>/dev/null
# off a terminal: one frame per interval, no escape sequences
expect 0 "top -n 2 into a file" $ctl top -n 2 -d 0.1 /e2e/a
[ "$(grep -c 'IOASIDs in use' "$t/out")" = 2 ] && [ "$(grep -c '^/e2e/a/b ' "$t/out")" = 2 ] &&
	! grep -q "$(printf '\033')" "$t/out"
result $? "  two frames with b's row in each, and no escape sequence"
expect 2 "top -d 0" $ctl top -d 0
expect 2 "top -d abc" $ctl top -d abc
expect 2 "top -n 0" $ctl top -n 0
expect 2 "top --json" $ctl top --json
expect 2 "show -d 1" $ctl show -d 1
expect 4 "top of a cgroup that does not exist" $ctl top -n 1 /e2e/nope

kill $vmm
wait $vmm 2>/dev/null
file_is $cg/e2e/a/b/ioasids.current 0
result $? "the VMM's exit returned its IOASIDs"

# errors: one line on stderr, their exit status, nothing changed
for bad in bogus -1 0x10 1048576 101% 5.123% ""; do
	expect 2 "set refuses the value '$bad'" $ctl set /e2e/a/b "$bad"
	file_is $cg/e2e/a/b/ioasids.max 5
	result $? "  and ioasids.max is unchanged"
done
expect 4 "set on a cgroup that does not exist" $ctl set /e2e/nope 3
has "No such file"
result $? "  says so"
[ ! -e $cg/e2e/nope ]
result $? "  and creates nothing"
expect 4 "show of a cgroup that does not exist" $ctl show /e2e/nope
expect 4 "show -r of a cgroup that does not exist" $ctl show -r /e2e/nope
mkdir $cg/e2e/a/c/z
expect 1 "show of a cgroup whose parent does not enable the controller" $ctl show /e2e/a/c/z
has "not enabled in its parent"
result $? "  says so"
rmdir $cg/e2e/a/c/z
expect 2 "set on the root" $ctl set / 3
expect 2 "a path that climbs out" $ctl set /e2e/../e2e/a 3
expect 2 "set without a value" $ctl set /e2e/a/b
expect 2 "no command" $ctl
expect 2 "an unknown command" $ctl frobnicate
expect 2 "an unknown option" $ctl --frobnicate show
expect 5 "an unprivileged user cannot set a limit" \
	setpriv --reuid=65534 --regid=65534 --clear-groups $ctl set /e2e/a/b 9
has "Permission denied"
result $? "  says so"
file_is $cg/e2e/a/b/ioasids.max 5
result $? "  and ioasids.max is unchanged"
# --unit: this kernel runs no systemd, so there is none to ask
expect 6 "show --unit without systemd" $ctl show --unit vm1.service
has "systemd is not running"
result $? "  says systemd is not running"
[ "$(wc -l <"$t/err")" -eq 1 ]
result $? "  in one line"
expect 6 "set --unit without systemd" $ctl set --unit vm1.service 3
[ ! -e /etc/systemd/system.control/vm1.service.d/50-IOASIDMax.conf ]
result $? "  and writes no drop-in"
expect 2 "set --unit with a bad value, before asking systemd" $ctl set --unit vm1.service bogus
expect 2 "set --unit with a name that is not a unit" $ctl set --unit ../x 3
expect 2 "set --unit with two units" $ctl set --unit a.service --unit b.service 3
expect 2 "--runtime without --unit" $ctl set --runtime /e2e/a/b 3
expect 0 "--help" $ctl --help
has "set CGROUP VALUE"
result $? "--help documents set"
expect 0 "--version" $ctl --version

rmdir $cg/e2e/a/b $cg/e2e/a/c $cg/e2e/a $cg/e2e 2>/dev/null
tap_end
