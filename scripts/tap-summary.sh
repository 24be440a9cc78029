#!/bin/bash
# Sum the TAP/KTAP results of every *.tap file below the given directories.
# Counts leaf results (the most indented "ok"/"not ok" lines of a file, so
# KUnit's suite lines are not counted twice), prints one line per suite and
# ends with "N passed, N failed, N skipped". Exits 1 on any failure and on
# any suite that ran no test.
set -euo pipefail

total_pass=0 total_fail=0 total_skip=0 empty=0
for dir in "$@"; do
	for f in "$dir"/*.tap; do
		[ -e "$f" ] || continue
		read -r pass fail skip < <(awk 'BEGIN { deep = 0 }
			match($0, /^[ \t]*(not )?ok [0-9]+/) {
				i = match($0, /[^ \t]/) - 1
				if (i > deep) deep = i
				if ($0 ~ /^[ \t]*not ok/) f[i]++
				else if (toupper($0) ~ /# *SKIP/) s[i]++
				else p[i]++
			}
			END { printf "%d %d %d\n", p[deep], f[deep], s[deep] }' "$f")
		name="$(basename "$dir")/$(basename "$f" .tap)"
		status=ok
		[ "$fail" -eq 0 ] || status=FAILED
		if [ $((pass + fail + skip)) -eq 0 ]; then
			status="RAN NO TEST"
			empty=$((empty + 1))
		fi
		printf '  %-40s %4d passed %4d failed %4d skipped  %s\n' "$name" "$pass" "$fail" "$skip" "$status"
		if [ "$fail" -ne 0 ] || [ "$status" = "RAN NO TEST" ]; then
			# each failure with the diagnostics under it (a kernel report's
			# first lines, say), so that a log's tail says what went wrong
			awk '/^[ \t]*not ok/ { print; d = 16; next }
				d > 0 && /^[ \t]*#/ { print; d--; next }
				{ d = 0 }
				/^# .*(FAIL|Expected|ASSERT)|^[ \t]*# .*(EXPECTATION FAILED|Expected)/' "$f" |
				head -n 30 | sed 's/^/      /' || true
		fi
		# a kernel's data races outside the series' code, which pass
		# (scripts/kernel-log.sh), are shown all the same
		if [ "$fail" -eq 0 ]; then
			grep -E '^# a data race outside the series' "$f" | sed 's/^/      /' || true
		fi
		total_pass=$((total_pass + pass))
		total_fail=$((total_fail + fail))
		total_skip=$((total_skip + skip))
	done
done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ] && [ "$empty" -eq 0 ]
