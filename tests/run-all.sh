#!/bin/sh
# Runs every Check test binary given as an argument and prints one summary
# line, "N passed, N failed", after each binary's own Check report.
# Exits non-zero when any check failed or a binary crashed.
set -u
passed=0
failed=0
status=0
for t in "$@"; do
	echo "== $t"
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# Check's summary: "100%: Checks: 12, Failures: 0, Errors: 0"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: [0-9]+' | tail -n 1)
	if [ -z "$line" ]; then
		echo "!! $t printed no Check summary (exit $rc)"
		failed=$((failed + 1))
		status=1
		continue
	fi
	checks=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	fails=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	errors=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	bad=$((fails + errors))
	passed=$((passed + checks - bad))
	failed=$((failed + bad))
	if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
		status=1
	fi
done
echo "$passed passed, $failed failed"
exit $status
