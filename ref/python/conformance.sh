#!/bin/sh
# The conformance suite with the pyshm module as the implementation
# (ref/python/adapter.py), on each interpreter it was built for, every
# interpreter found a peer. Where the harness has profiles, runs both:
# strict and cpython, each with its expectations file (ref/python/).
# usage: conformance.sh <python for the harness> <dir of the builds>
py_harness=$1 out=$2
here=$(dirname "$0")
list=$("$here/interpreters.sh")
peers=$(echo "$list" | awk '{printf "%s ", $2}')
if "$py_harness" conformance/run.py --help 2>/dev/null | grep -q -- '--profile'; then
    profiles="strict cpython"
else
    profiles="default"
fi
status=0
while read -r label py; do
    [ -d "$out/$label" ] || continue
    for profile in $profiles; do
        if [ "$profile" = default ]; then
            opts=""
        else
            opts="--profile $profile --expect conformance/expectations/pyshm-python$([ "$profile" = strict ] && echo -strict).txt"
        fi
        log="$out/conformance-$label-$profile.log"
        # shellcheck disable=SC2086
        "$py_harness" conformance/run.py --impl "env PYTHONPATH=$out/$label $py $here/adapter.py" \
            $opts --pythons "$peers" -j2 -q --out "$out/conformance/$label-$profile" \
            >"$log" 2>&1 || status=1
        echo "conformance-python $label ($profile): $(tail -n 1 "$log")"
    done
done <<EOF2
$list
EOF2
exit $status
