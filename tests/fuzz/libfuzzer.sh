#!/bin/bash
# Build the libFuzzer targets (clang, with ASan and UBSan) and run each for
# SECONDS from the seed corpus in tests/fuzz/corpus/. New inputs collect in
# build/fuzz/corpus-*, a crash in build/fuzz/crash-*. TAP in OUTDIR/libfuzzer.tap.
# Usage: tests/fuzz/libfuzzer.sh OUTDIR [SECONDS]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}/fuzz
out=$1 seconds=${2:-10}
mkdir -p "$out" "$build"
n=0 tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-Wall -Wextra -Werror)
declare -A src=(
	[value]="$top/tests/fuzz/fuzz_value.c $top/tools/ioasidctl/value.c -I$top/tools/ioasidctl"
	[unitfile]="$top/tests/fuzz/fuzz_unitfile.c $top/tools/systemd/unitfile.c -I$top/tools/systemd"
)
for target in value unitfile; do
	bin=$build/fuzz_$target log=$build/fuzz_$target.log
	# shellcheck disable=SC2086
	if ! clang "${cflags[@]}" -o "$bin" ${src[$target]} >"$log" 2>&1; then
		n=$((n + 1)); { echo "not ok $n fuzz_$target builds"; sed 's/^/# /' "$log"; } >>"$tap"
		continue
	fi
	mkdir -p "$build/corpus-$target"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=5 -rss_limit_mb=1024 \
		-artifact_prefix="$build/" "$build/corpus-$target" "$top/tests/fuzz/corpus/$target" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	n=$((n + 1))
	if [ $rc -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
		echo "ok $n fuzz_$target: $runs inputs in ${seconds} s, no crash" >>"$tap"
	else
		{ echo "not ok $n fuzz_$target: exit $rc after ${runs:-0} inputs"
		  grep -E 'ERROR|SUMMARY|crash-|Test unit written|#0 |#1 |#2 ' "$log" | head -n 20 | sed 's/^/# /'; } >>"$tap"
	fi
done
{ echo "TAP version 13"; echo "1..$n"; cat "$tap"; } >"$out/libfuzzer.tap"
