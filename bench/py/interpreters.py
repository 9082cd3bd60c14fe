"""Finds the CPython interpreters on this machine that have
multiprocessing.shared_memory (3.8 and later): every pyenv version, when
pyenv is installed, and every python3 on PATH. Duplicates (a pyenv shim and
the binary it runs) are merged by the interpreter's own executable.

usage: interpreters.py [--out FILE]   -> JSON list of
  {"exe": command to run, "version": "3.12.1", "numpy": "1.24.2" or null}
sorted by version.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess

PROBE = ("import os, sys\n"
         "try:\n import numpy; np = numpy.__version__\n"
         "except Exception:\n np = None\n"
         "import multiprocessing.shared_memory\n"
         "print(repr((os.path.realpath(sys.executable), '%d.%d.%d' % sys.version_info[:3], np)))")


def candidates():
    found = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            root = subprocess.run([pyenv, "root"], stdout=subprocess.PIPE,
                                  universal_newlines=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = ""
        if root:
            found += sorted(glob.glob(os.path.join(root, "versions", "3.*", "bin", "python3")))
    for d in os.environ.get("PATH", "").split(os.pathsep):
        exe = os.path.join(d, "python3")
        if os.access(exe, os.X_OK):
            found.append(exe)
    return found


def probe(exe):
    try:
        r = subprocess.run([exe, "-c", PROBE], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0:
        return None  # too old for shared_memory, or a shim that refuses
    import ast
    return ast.literal_eval(r.stdout.strip().splitlines()[-1])


def find():
    seen, result = set(), []
    for exe in candidates():
        info = probe(exe)
        if not info or info[0] in seen:
            continue
        seen.add(info[0])
        result.append({"exe": exe, "version": info[1], "numpy": info[2]})
    result.sort(key=lambda r: tuple(int(x) for x in r["version"].split(".")))
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    args = ap.parse_args()
    text = json.dumps(find(), indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
