#!/bin/sh
# Runs every Check test binary given as an argument, TEST_JOBS of them at a
# time (default 4: most suites spend their time waiting on real processes,
# so more suites than cores keep both cores busy), and prints one summary
# line, "N passed, N failed", after each binary's own Check report. A
# suite's report is printed whole when it ends, never interleaved with
# another's. Exits non-zero when any check failed or a binary crashed.
set -u
# One suite (the script calls itself as "run-all.sh --one DIR SUITE"): its
# report into DIR, then printed whole under a lock.
if [ "${1:-}" = --one ]; then
	log="$2/$(printf '%s' "$3" | tr '/' '_').log"
	{
		echo "== $3"
		"$3" 2>&1
		echo "!! exit $?"
	} >"$log"
	flock "$2/print.lock" grep -v '^!! exit ' "$log"
	exit 0
fi

jobs=${TEST_JOBS:-4}
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT

# The slowest suites first, so that the last ones to start are short: the
# order of SLOWEST (measured on an idle 2-core machine: test_probe and
# test_robust take about 20 s each, the rest 10 s or less), then the others.
SLOWEST="test_probe test_robust test_supervise test_resolve test_firstuse test_steps
	test_sched test_wait test_pid1_supervise test_examples test_restart test_trust
	test_bad_configs test_faults test_startenv"
slow_first() {
	for t in "$@"; do
		rank=1000
		i=0
		for s in $SLOWEST; do
			i=$((i + 1))
			[ "${t##*/}" = "$s" ] && rank=$i
		done
		echo "$rank $t"
	done | sort -s -n -k1,1 | cut -d' ' -f2-
}

slow_first "$@" | xargs -d '\n' -P "$jobs" -n 1 "$0" --one "$out"

passed=0
failed=0
status=0
for t in "$@"; do
	log="$out/$(printf '%s' "$t" | tr '/' '_').log"
	rc=$(sed -n 's/^!! exit //p' "$log" | tail -n 1)
	# Check's summary: "100%: Checks: 12, Failures: 0, Errors: 0"
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "!! $t printed no Check summary (exit ${rc:-unknown})"
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
	if [ "${rc:-1}" -ne 0 ] || [ "$bad" -ne 0 ]; then
		echo "!! $t: $bad failed (exit ${rc:-unknown})"
		status=1
	fi
done
echo "$passed passed, $failed failed"
exit $status
