# shellcheck shell=sh
# TAP for the shell suites. The suite sets $t, a scratch directory, before
# calling expect, and ends with tap_end.
n=0

# result STATUS DESCRIPTION: "ok" when STATUS is 0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# expect EXIT-STATUS DESCRIPTION COMMAND...: runs it, output in $t/out, $t/err
expect() {
	want=$1 desc=$2
	shift 2
	"$@" >"$t/out" 2>"$t/err"
	got=$?
	[ "$got" -eq "$want" ]
	r=$?
	result $r "$desc (exit $got)"
	[ $r -eq 0 ] || sed 's/^/# /' "$t/out" "$t/err"
}

# has TEXT: in the last expect's output
has() { grep -q -- "$1" "$t/out" "$t/err"; }

# file_is FILE CONTENT
file_is() { [ "$(cat "$1")" = "$2" ]; }

tap_end() { echo "1..$n"; }
