# shellcheck shell=bash
# TAP for the host checks of scripts/ (lint.sh, check-x86.sh,
# check-series.sh): results are kept in a temporary file and written, plan
# first, to the TAP file by tap_write, or by finish, which then exits 0 (a
# failed check is a "not ok", not an exit status). Start with tap_open FILE.
tap_open() { tap_out=$1 tap=$(mktemp) n=0; }

result() { # ok|not-ok description [detail-file]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2"; sed 's/^/# /' "$3" | head -n 30; fi
} >>"$tap"

tap_write() { { echo "TAP version 13"; echo "1..$n"; cat "$tap"; } >"$tap_out"; rm -f "$tap"; }
finish() { tap_write; exit 0; }
