#!/bin/sh
# Runs one libFuzzer target for a number of seconds and prints one summary
# line (executions, coverage, corpus). The working corpus lives in the build
# tree; the seeds under fuzz/corpus are read but never written. A crash,
# leak, timeout or broken invariant leaves its input under findings/ and
# fails the run with the end of the log.
#   usage: run_libfuzzer.sh BUILD TARGET SECONDS
set -eu
build=$1 target=$2 seconds=$3
bin=$build/fuzz/libfuzzer/$target
work=$build/fuzz/corpus/$target
findings=$build/fuzz/findings/$target
log=$build/fuzz/logs/$target.log
mkdir -p "$work" "$findings" "$(dirname "$log")"
seeds=""
[ -d "fuzz/corpus/$target" ] && seeds="fuzz/corpus/$target"
[ -d "fuzz/regressions/$target" ] && seeds="$seeds fuzz/regressions/$target"

# -timeout: the reference must answer any image in time proportional to its
# size, so a slow input is a finding. -max_len bounds images to a few pages.
# shellcheck disable=SC2086
if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
     -dict=fuzz/pyshm.dict -print_final_stats=1 -artifact_prefix="$findings/" \
     "$work" $seeds >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1)
    echo "fuzz $target: ${seconds}s, $execs executions ($rate/s), $cov, $ft, $corp, no crash"
else
    echo "fuzz $target: FAILED (log: $log, inputs: $findings)" >&2
    tail -n 40 "$log" >&2
    exit 1
fi
