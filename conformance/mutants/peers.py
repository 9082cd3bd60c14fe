"""Finds a CPython 3.8 (the py38 layout's peer), looked up at run time."""
import glob
import os
import shutil
import subprocess

PROBE = "import sys, multiprocessing.shared_memory; print(sys.version_info[:2] == (3, 8))"


def pyenv_roots():
    roots = []
    try:
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            roots.append(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    roots += [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    return [r for r in roots if r and os.path.isdir(r)]


def works(cmd):
    # A pyenv shim may exist and still refuse to run an unselected version.
    try:
        out = subprocess.run([cmd, "-c", PROBE], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def find_py38():
    """Path of a working CPython 3.8, or None."""
    cands = []
    for root in pyenv_roots():
        cands += sorted(glob.glob(os.path.join(root, "versions", "3.8*", "bin", "python3")))
    if shutil.which("python3.8"):
        cands.append(shutil.which("python3.8"))
    for c in cands:
        if works(c):
            return c
    return None
