#!/usr/bin/env python3
"""Lists the CPython interpreters (3.8 and later) on this machine, one per
line: "X.Y.Z PATH", oldest first, each real interpreter once.

Where they are looked for:
  - $PYSHM_PYTHONS, when set: the only candidates (paths or commands,
    separated by spaces or the path separator);
  - every pyenv version (`pyenv root`, else $PYENV_ROOT or ~/.pyenv),
    called directly, since pyenv's shims refuse unselected versions;
  - python3 and python3.8 ... python3.29 on PATH (where CI's setup-python
    and distributions put them);
  - /usr/bin/python3.
Two candidates that run the same executable (a symlink, a shim, a venv's
copy of the same build) count once; two builds of the same version (pyenv's
3.11.7 and Debian's 3.11.2) are both listed.

usage: pythons.py [--min X.Y] [--one-per-minor]
Runs on Python 3.6 and later, standard library only.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys

PROBE = ("import os, sys; print('%d.%d.%d' % sys.version_info[:3], "
         "sys.implementation.name, os.path.realpath(sys.executable))")


def pyenv_root():
    try:
        out = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, universal_newlines=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return root if os.path.isdir(root) else None


def candidates():
    override = os.environ.get("PYSHM_PYTHONS", "").replace(os.pathsep, " ").split()
    if override:
        return override
    found = []
    root = pyenv_root()
    if root:
        found += sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
    for name in ["python3"] + ["python3.%d" % m for m in range(8, 30)]:
        path = shutil.which(name)
        # Not pyenv's shims: they refuse versions that are not selected.
        if path and not (root and path.startswith(os.path.join(root, "shims"))):
            found.append(path)
    if os.access("/usr/bin/python3", os.X_OK):
        found.append("/usr/bin/python3")
    return found


def probe(cmd):
    """(version tuple, cmd, real executable), or None for what is not a
    working CPython."""
    try:
        out = subprocess.run([cmd, "-c", PROBE], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, universal_newlines=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.stdout.split()
    if out.returncode != 0 or len(parts) != 3 or parts[1] != "cpython":
        return None
    return tuple(int(x) for x in parts[0].split(".")), cmd, parts[2]


def interpreters(minimum=(3, 8), one_per_minor=False):
    """[(version tuple, command)], oldest first."""
    seen, found = set(), []
    for cmd in candidates():
        p = probe(cmd)
        if p is None or p[0] < minimum or p[2] in seen:
            continue
        seen.add(p[2])
        found.append(p[:2])
    found.sort()
    if one_per_minor:
        newest = {v[:2]: (v, c) for v, c in found}
        found = sorted(newest.values())
    return found


def resolve(spec):
    """A command from a path, or the newest CPython "X.Y" found; None."""
    if os.sep in spec:
        return spec if os.access(spec, os.X_OK) else None
    want = tuple(int(x) for x in spec.split("."))
    found = [cmd for version, cmd in interpreters(one_per_minor=True) if version[:2] == want]
    return found[-1] if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--min", default="3.8", help="oldest version listed (default 3.8)")
    ap.add_argument("--one-per-minor", action="store_true",
                    help="only the newest build of each X.Y")
    args = ap.parse_args()
    minimum = tuple(int(x) for x in args.min.split("."))
    for version, cmd in interpreters(minimum, args.one_per_minor):
        print("%s %s" % (".".join(map(str, version)), cmd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
