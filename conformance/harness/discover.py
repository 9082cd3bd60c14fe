"""Finds the CPython interpreters on this machine, each once per version."""
import glob
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

PROBE = ("import sys, multiprocessing.shared_memory; "
         "print('%d.%d.%d' % sys.version_info[:3], sys.implementation.name)")


def pyenv_root():
    try:
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return root if os.path.isdir(root) else None


def candidates():
    seen = []
    for n in ["python3"] + ["python3.%d" % m for m in range(8, 30)]:
        p = shutil.which(n)
        if p:
            seen.append(p)
    root = pyenv_root()
    if root:
        seen += sorted(glob.glob(os.path.join(root, "versions", "*", "bin", "python3")))
    return seen


def probe(cmd):
    """(version tuple, cmd) or None when it will not run (a refusing shim,
    no shared_memory module, not CPython)."""
    try:
        out = subprocess.run(cmd + ["-c", PROBE], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    ver, impl = out.stdout.split()
    if impl != "cpython":
        return None
    return tuple(int(x) for x in ver.split(".")), cmd


def interpreters(override=None):
    """[(version, argv)] sorted by version, deduplicated by exact version."""
    cmds = [c.split() for c in override.split()] if override else [[c] for c in candidates()]
    with ThreadPoolExecutor(8) as ex:
        found = [r for r in ex.map(probe, cmds) if r]
    by_version = {}
    for ver, cmd in found:
        by_version.setdefault(ver, cmd)
    return sorted(by_version.items())
