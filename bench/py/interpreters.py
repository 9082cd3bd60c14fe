"""The CPython interpreters the benchmarks run on: every one the project
finds (ci/pythons.py: $PYSHM_PYTHONS, pyenv, python3.X on PATH, the
system's), each with the version of numpy it can import, if any: the
handoff benchmarks read through a numpy view where they can.

usage: interpreters.py [--out FILE]   -> JSON list of
  {"exe": command to run, "version": "3.12.1", "numpy": "1.24.2" or null}
oldest first.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import pythons  # noqa: E402

NUMPY = ("try:\n import numpy; print(numpy.__version__)\n"
         "except Exception:\n print('')")


def numpy_version(exe):
    try:
        r = subprocess.run([exe, "-c", NUMPY], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() or None


def find():
    return [{"exe": cmd, "version": ".".join(map(str, version)), "numpy": numpy_version(cmd)}
            for version, cmd in pythons.interpreters()]


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
