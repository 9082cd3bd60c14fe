#!/bin/sh
# Builds the pyshm extension for every interpreter interpreters.sh lists,
# each against its own headers, into <outdir>/<label>/, linked with the
# library archive built with -fPIC.
# usage: build.sh <outdir> <libpyshm-pic.a> <cc> <cflags...>
# PYSHM_ONLY=<label> builds for that interpreter alone.
set -e
out=$1 lib=$2 cc=$3
shift 3
here=$(dirname "$0")
srcs=$(ls "$here"/src/*.c)
"$here/interpreters.sh" | awk -v only="${PYSHM_ONLY:-}" 'only == "" || $1 == only' |
while read -r label py; do
    inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
    suffix=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
    if [ ! -f "$inc/Python.h" ]; then
        echo "python: skipping $py: no Python.h in $inc (install python3-dev)" >&2
        continue
    fi
    mkdir -p "$out/$label"
    so="$out/$label/pyshm$suffix"
    # Up to date: newer than every input.
    if [ -f "$so" ] && [ -z "$(find "$here/src" "$lib" ref/include/pyshm.h -newer "$so" | head -n 1)" ]; then
        continue
    fi
    echo "python: $label ($py) -> $so"
    # Python's headers define _POSIX_C_SOURCE themselves: no -D here, and
    # -isystem so their own warnings are not ours.
    # shellcheck disable=SC2086
    "$cc" -std=c11 -shared -fPIC -fvisibility=hidden "$@" -isystem "$inc" -Iref/include \
        -o "$so.tmp" $srcs "$lib"
    mv "$so.tmp" "$so"
done
