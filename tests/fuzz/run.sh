#!/bin/sh
# Runs each libFuzzer binary given for SECONDS: first over its seed corpus
# (tests/fuzz/corpus/NAME, read-only) and what earlier runs found
# (build/fuzz/corpus-NAME), then mutating. Any crash, leak, timeout or UB
# report stops that fuzzer with a non-zero status and leaves the input in
# build/fuzz/artifacts/; this script then exits non-zero.
# usage: tests/fuzz/run.sh SECONDS FUZZER...   (extra libFuzzer flags: FUZZ_FLAGS)
set -u
secs=$1
shift
here=$(dirname "$0")
status=0
for bin in "$@"; do
	name=$(basename "$bin")
	out=$(dirname "$bin")
	work="$out/corpus-${name#fuzz_}"
	mkdir -p "$work" "$out/artifacts"
	echo "== $name: ${secs}s"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-dict="$here/initc.dict" -artifact_prefix="$out/artifacts/$name-" \
		-print_final_stats=1 ${FUZZ_FLAGS:-} \
		"$work" "$here/corpus/${name#fuzz_}" >"$out/$name.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)' "$out/$name.log"
	if [ $rc -ne 0 ]; then
		echo "!! $name failed (exit $rc); its report:"
		grep -v -E '^#[0-9]+ +(NEW|REDUCE|pulse)' "$out/$name.log" | tail -n 60
		status=1
	fi
done
exit $status
