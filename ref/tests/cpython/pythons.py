"""Finds CPython interpreters under the pyenv root, for test_cpython.py and
gen_golden.py. Standard library only; runs on CPython 3.8 and later."""
import glob
import os
import subprocess


def pyenv_root():
    """$PYENV_ROOT, else `pyenv root`, else ~/.pyenv."""
    if os.environ.get("PYENV_ROOT"):
        return os.environ["PYENV_ROOT"]
    try:
        out = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, universal_newlines=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return os.path.expanduser("~/.pyenv")


def resolve(spec):
    """An interpreter path from a path or an "X.Y" version under pyenv."""
    if os.sep in spec:
        return spec if os.access(spec, os.X_OK) else None
    found = sorted(glob.glob(os.path.join(pyenv_root(), "versions", spec + ".*", "bin",
                                          "python3")))
    return found[-1] if found else None
