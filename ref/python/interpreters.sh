#!/bin/sh
# Lists the CPython interpreters the module is built for, one per line:
# "<label> <path>": the newest of each X.Y that ci/pythons.py finds (pyenv,
# python3.X on PATH) labelled X.Y, and the system python3 (/usr/bin/python3)
# labelled "system", since its X.Y usually matches another one and each
# build goes to a directory of its own.
here=$(dirname "$0")
system=$(realpath /usr/bin/python3 2>/dev/null)
python3 "$here/../../ci/pythons.py" --one-per-minor | while read -r version path; do
    [ -n "$system" ] && [ "$(realpath "$path")" = "$system" ] && continue
    echo "${version%.*} $path"
done
[ -x /usr/bin/python3 ] && echo "system /usr/bin/python3"
exit 0
