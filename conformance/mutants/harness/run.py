#!/usr/bin/env python3
"""Mutants of the harness: each NN-name.patch is a mistake a harness could
make (judging a case by the reference's decision instead of CPython, not
comparing replies, ...). CPython run as the implementation, on the defects
and self-test groups against one 3.9+ peer, must pass with the harness as it
is and fail with each mutant. Prints `N passed, N failed`; exit 1 if a mutant
survives or the unmutated harness fails."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, CONF)

from harness import discover  # noqa: E402


def judge(conf_dir, python):
    cmd = [sys.executable, os.path.join(conf_dir, "run.py"),
           "--impl", "%s %s" % (python, os.path.join(conf_dir, "adapters", "cpython", "adapter.py")),
           "--pythons", python, "--groups", "defects,selftest", "--out", os.path.join(conf_dir, "out")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr)[-1500:]


def main():
    found, _ = discover.interpreters()
    py39 = [cmd for v, cmd in found if v >= (3, 9)]
    if not py39:
        print("harness mutants: no CPython 3.9+ found")
        return 1
    python = " ".join(py39[-1])
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        ref = os.path.join(tmp, "plain", "conformance")
        shutil.copytree(CONF, ref, ignore=shutil.ignore_patterns("__pycache__", "vectors"))
        rc, tail = judge(ref, python)
        if rc != 0:
            print("not ok - the unmutated harness fails CPython (exit %d):\n%s" % (rc, tail))
            failed += 1
        else:
            print("ok - the unmutated harness passes CPython")
            passed += 1
        for patch in sorted(glob.glob(os.path.join(HERE, "[0-9][0-9]-*.patch"))):
            name = os.path.basename(patch)
            root = os.path.join(tmp, name)
            shutil.copytree(ref, os.path.join(root, "conformance"))
            p = subprocess.run(["patch", "-s", "-p1", "--fuzz=0", "-i", patch], cwd=root,
                               capture_output=True, text=True)
            if p.returncode != 0:
                print("not ok - %s no longer applies: %s" % (name, p.stdout + p.stderr))
                failed += 1
                continue
            rc, tail = judge(os.path.join(root, "conformance"), python)
            if rc == 1:
                print("ok - %s is caught (CPython no longer passes its own suite)" % name)
                passed += 1
            else:
                print("not ok - %s survives (exit %d):\n%s" % (name, rc, tail))
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
