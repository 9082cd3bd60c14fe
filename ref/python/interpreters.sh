#!/bin/sh
# Lists the CPython interpreters the module is built for, one per line:
# "<label> <path>". pyenv's 3.8-3.13 are labelled X.Y; the system python3
# (/usr/bin/python3) is labelled "system", since its X.Y usually matches a
# pyenv one and each build goes to a directory of its own.
root=$(pyenv root 2>/dev/null)
if [ -n "$root" ]; then
    for minor in 8 9 10 11 12 13; do
        # The newest patch release of each minor version.
        py=$(ls -d "$root"/versions/3.$minor.*/bin/python3 2>/dev/null | sort -V | tail -n 1)
        [ -n "$py" ] && [ -x "$py" ] && echo "3.$minor $py"
    done
fi
[ -x /usr/bin/python3 ] && echo "system /usr/bin/python3"
exit 0
