#!/bin/sh
# Runs each fuzz target that .clusterfuzzlite/build.sh left in DIR/out the
# way ClusterFuzzLite would: its seed corpus unpacked as the starting
# corpus, its .dict and the flags of its .options file. Fails when a
# target, or one of the files beside it, is missing, or when a run crashes.
#   usage: cflite_run.sh DIR SECONDS TARGET...
set -eu
dir=$1 seconds=$2
shift 2
out=$dir/out
status=0
for t in "$@"; do
    for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
        if [ ! -s "$out/$f" ]; then
            echo "cflite $t: build.sh left no $out/$f" >&2
            status=1
            continue 2
        fi
    done
    [ -x "$out/$t" ] || { echo "cflite $t: $out/$t is not executable" >&2; status=1; continue; }
    rm -rf "$dir/run/$t"
    corpus=$dir/run/$t/corpus
    findings=$dir/run/$t/findings
    log=$dir/run/$t.log
    mkdir -p "$corpus" "$findings"
    python3 -m zipfile -e "$out/${t}_seed_corpus.zip" "$corpus"
    seeds=$(find "$corpus" -type f | wc -l)
    # [libfuzzer] key = value lines, as -key=value flags.
    opts=$(sed -n 's/^ *\([a-z_]*\) *= *\([^ ]*\) *$/-\1=\2/p' "$out/$t.options")
    start=$(date +%s)
    # shellcheck disable=SC2086 # opts is a list of flags
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$out/$t" -max_total_time="$seconds" -timeout=25 -dict="$out/$t.dict" $opts \
         -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "cflite $t: $seeds seeds, ${seconds}s, $execs executions in" \
             "$(( $(date +%s) - start ))s, no crash"
    else
        echo "cflite $t: FAILED (log: $log, inputs: $findings)" >&2
        tail -n 30 "$log" >&2
        status=1
    fi
done
exit $status
