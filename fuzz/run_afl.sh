#!/bin/sh
# Runs the AFL++ build of one target for a number of seconds on the seed
# corpus and prints afl-fuzz's summary (executions, paths, crashes).
#   usage: run_afl.sh BUILD TARGET SECONDS
set -eu
build=$1 target=$2 seconds=$3
out=$build/fuzz/afl-out/$target
mkdir -p "$out"
# Containers and CI runners rarely allow AFL++'s preferred core_pattern and
# CPU governor settings; they only affect speed, not what is found.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
       AFL_SKIP_CRASHES=1 AFL_QUIET=1
afl-fuzz -V "$seconds" -i "fuzz/corpus/$target" -o "$out" -x fuzz/pyshm.dict -m none \
  -- "$build/fuzz/afl/$target" @@ >"$out.log" 2>&1 || { tail -n 30 "$out.log" >&2; exit 1; }
stats=$out/default/fuzzer_stats
echo "afl $target: ${seconds}s, $(sed -n 's/^execs_done *: //p' "$stats") executions," \
  "$(sed -n 's/^corpus_count *: //p' "$stats") paths, $(sed -n 's/^saved_crashes *: //p' "$stats") crashes"
crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
[ "$crashes" -eq 0 ] || { echo "afl $target: crashes in $out/default/crashes" >&2; exit 1; }
