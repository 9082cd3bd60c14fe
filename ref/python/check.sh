#!/bin/sh
# The module's checks on every interpreter it was built for: CPython's own
# shared-memory tests against it (pyshm.install(), children by fork and by
# spawn), its own tests, the differential against the stdlib, the
# crash reproductions and the threaded stress test, install(), and the
# README's example.
# usage: check.sh <dir of the builds, e.g. build/python> [label]
# With a label (e.g. "system"), only that interpreter is checked.
# PYSHM_STRESS_ROUNDS sets the stress test's rounds (test_memory_safety.py).
out=$1 only=$2
here=$(dirname "$0")
list=$("$here/interpreters.sh" | awk -v only="$only" 'only == "" || $1 == only')
[ -n "$list" ] || { echo "check-python: no interpreter${only:+ labelled $only} found" >&2; exit 1; }
peers=$("$here/interpreters.sh" | while read -r label py; do printf '%s=%s ' "$label" "$py"; done)
tests="run_cpython_tests.py:fork run_cpython_tests.py:spawn test_pyshm.py test_differential.py
test_memory_safety.py test_install.py test_readme_example.py"
status=0
while read -r label py; do
    [ -d "$out/$label" ] || { echo "check-python: $label not built" >&2; status=1; continue; }
    for t in $tests; do
        script=${t%%:*} arg=${t#"$script"} arg=${arg#:}
        log="$out/$label/$script${arg:+-$arg}.log"
        # shellcheck disable=SC2086
        if PYTHONPATH="$out/$label" PYSHM_PEERS="$peers" "$py" "$here/tests/$script" $arg \
            >"$log" 2>&1; then
            line=$(grep -oE '(cpython-tests|differential|stress:) .*' "$log" | head -n 1)
            echo "check-python $label $script${arg:+ $arg}: ok${line:+ ($line)}"
        else
            echo "check-python $label $script${arg:+ $arg}: FAILED (log: $log)"
            tail -n 30 "$log"
            status=1
        fi
    done
done <<EOF2
$list
EOF2
exit $status
