#!/bin/bash -eu
# Builds every libFuzzer target of fuzz/ for ClusterFuzzLite, and unchanged
# for OSS-Fuzz, from the engine's variables alone:
#   CC, CFLAGS            compile (CFLAGS carries the sanitizer and
#                         -fsanitize=fuzzer-no-link)
#   CXX, CXXFLAGS,        link: libFuzzer's runtime is C++, so the engine
#   LIB_FUZZING_ENGINE    asks for $CXX even for C code
#   SRC                   the sources: the project is $SRC/pyshm
#   WORK                  intermediate files (a temporary directory if unset)
#   OUT                   the results, per target T:
#                           T                  the fuzzer
#                           T_seed_corpus.zip  fuzz/corpus/T (+ fuzz/regressions/T)
#                           T.dict             fuzz/pyshm.dict
#                           T.options          the input bound of the project's runs
# The targets and their sources come from the Makefile (`make cflite-vars`),
# so a target added to FUZZ_TARGETS in fuzz/fuzz.mk is built here too.
set -euo pipefail

for v in CC CFLAGS CXX CXXFLAGS LIB_FUZZING_ENGINE SRC OUT; do
    if [ -z "${!v:-}" ]; then
        echo "build.sh: $v is not set (the fuzzing engine's build sets it)" >&2
        exit 2
    fi
done
WORK=${WORK:-$(mktemp -d)}

cd "$SRC/pyshm"
# CFLAGS= keeps the engine's flags out of the project's own: only the
# language level, feature macros and include paths are wanted from make.
vars=$(make -s --no-print-directory cflite-vars CFLAGS=)
field() { sed -n "s/^$1: //p" <<<"$vars"; }
read -r -a targets <<<"$(field targets)"
read -r -a proj_cflags <<<"$(field cflags)"
read -r -a sources <<<"$(field sources)"
if [ "${#targets[@]}" -eq 0 ] || [ "${#sources[@]}" -eq 0 ]; then
    echo "build.sh: make cflite-vars named no targets or no sources:" >&2
    echo "$vars" >&2
    exit 1
fi

obj=$WORK/pyshm-obj
mkdir -p "$obj" "$OUT"
compile() { # source -> prints its object
    local o="$obj/${1%.c}.o"
    mkdir -p "$(dirname "$o")"
    # shellcheck disable=SC2086 # CFLAGS is a list of flags
    $CC $CFLAGS "${proj_cflags[@]}" -c "$1" -o "$o" >&2
    echo "$o"
}
common=()
for s in "${sources[@]}"; do common+=("$(compile "$s")"); done

for t in "${targets[@]}"; do
    main=$(compile "fuzz/fuzz_$t.c")
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS "$main" "${common[@]}" $LIB_FUZZING_ENGINE -lm -o "$OUT/$t"

    # Seeds and kept regressions, flat; python3 rather than zip, which
    # not every machine has.
    python3 - "$OUT/${t}_seed_corpus.zip" "fuzz/corpus/$t" "fuzz/regressions/$t" <<'PY'
import os, sys, zipfile
out, corpus, regressions = sys.argv[1:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d, prefix in ((corpus, ""), (regressions, "regression-")):
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if os.path.isfile(os.path.join(d, name)):
                    z.write(os.path.join(d, name), prefix + name)
PY
    cp fuzz/pyshm.dict "$OUT/$t.dict"
    # fuzz/run_libfuzzer.sh bounds images to a few pages the same way.
    printf '[libfuzzer]\nmax_len = 16384\n' >"$OUT/$t.options"
    echo "build.sh: built $OUT/$t"
done
