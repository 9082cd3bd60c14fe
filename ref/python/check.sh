#!/bin/sh
# The module's checks on every interpreter it was built for: CPython's own
# shared-memory tests against it, its own tests, and the README's example.
# usage: check.sh <dir of the builds, e.g. build/python> [label]
# With a label (e.g. "system"), only that interpreter is checked.
out=$1 only=$2
here=$(dirname "$0")
list=$("$here/interpreters.sh" | awk -v only="$only" 'only == "" || $1 == only')
[ -n "$list" ] || { echo "check-python: no interpreter${only:+ labelled $only} found" >&2; exit 1; }
peers=$("$here/interpreters.sh" | while read -r label py; do printf '%s=%s ' "$label" "$py"; done)
status=0
summary=""
while read -r label py; do
    [ -d "$out/$label" ] || { echo "check-python: $label not built" >&2; status=1; continue; }
    for t in run_cpython_tests.py test_pyshm.py test_memory_safety.py test_readme_example.py; do
        log="$out/$label/$t.log"
        if PYTHONPATH="$out/$label" PYSHM_PEERS="$peers" "$py" "$here/tests/$t" >"$log" 2>&1; then
            line=$(grep '^cpython-tests' "$log" | head -n 1)
            echo "check-python $label $t: ok${line:+ ($line)}"
        else
            echo "check-python $label $t: FAILED (log: $log)"
            tail -n 30 "$log"
            status=1
        fi
    done
done <<EOF2
$list
EOF2
exit $status
