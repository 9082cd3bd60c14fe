#!/bin/sh
# The module as users get it: builds the sdist and the wheel offline with
# the system's pip, setuptools, wheel and build (no isolation, no index),
# lists and checks what they hold, builds the wheel again from the sdist
# alone in a directory away from the repository, installs that wheel into a
# fresh venv and runs the module's tests against the installed copy.
# usage: package.sh <python with pip, setuptools, wheel, build, venv> <outdir>
set -e
py=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" "$here/build" "$here/pyshm.egg-info"
mkdir -p "$out/dist" "$out/clean" "$out/rebuilt"

echo "python-package: sdist and wheel of ref/python ($("$py" --version))"
"$py" -m build --no-isolation --sdist --wheel --outdir "$out/dist" "$here" >"$out/build.log" 2>&1 ||
    { tail -n 40 "$out/build.log"; exit 1; }
rm -rf "$here/build" "$here/pyshm.egg-info"
sdist=$(ls "$out"/dist/*.tar.gz)
wheel=$(ls "$out"/dist/*.whl)

echo "python-package: the wheel again, from the sdist alone, in $out/clean"
tar -xzf "$sdist" -C "$out/clean"
(cd "$out"/clean/pyshm-* && "$py" -m pip wheel --no-build-isolation --no-index --no-deps \
    -w "$out/rebuilt" . >"$out/rebuild.log" 2>&1) || { tail -n 40 "$out/rebuild.log"; exit 1; }
rebuilt=$(ls "$out"/rebuilt/*.whl)

"$py" "$here/package_check.py" --sdist "$sdist" --wheel "$wheel" --wheel "$rebuilt" \
    --license "$here/LICENSE" --header "$here/../include/pyshm.h"

echo "python-package: installed into a fresh venv, tests against it"
"$py" -m venv "$out/venv"
"$out/venv/bin/python" -m pip install --no-index --no-deps "$rebuilt" >"$out/install.log" 2>&1 ||
    { tail -n 40 "$out/install.log"; exit 1; }
status=0
for t in test_pyshm.py test_differential.py test_memory_safety.py test_install.py; do
    # From $out, with no PYTHONPATH: only the venv's copy can be imported.
    if (cd "$out" && env -u PYTHONPATH "$out/venv/bin/python" -c \
            'import pyshm, sys; sys.exit(not pyshm.__file__.startswith(sys.prefix))' &&
        env -u PYTHONPATH "$out/venv/bin/python" "$here/tests/$t" >"$out/$t.log" 2>&1); then
        echo "python-package: $t against the installed module: ok"
    else
        echo "python-package: $t against the installed module: FAILED (log: $out/$t.log)"
        tail -n 30 "$out/$t.log"
        status=1
    fi
done
exit $status
