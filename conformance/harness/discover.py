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
    """(version tuple, cmd, None), or (None, cmd, why it cannot be a peer):
    a refusing pyenv shim, no shared_memory module, not CPython."""
    try:
        out = subprocess.run(cmd + ["-c", PROBE], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as e:
        return None, cmd, str(e)
    if out.returncode != 0:
        lines = [ln.strip() for ln in out.stderr.splitlines() if ln.strip()]
        # The last line of a traceback is the error; a shim's first line says why.
        err = lines[-1] if lines else "exit status %d" % out.returncode
        if is_refusing_shim(cmd, lines):
            err = SHIM + lines[0]
        return None, cmd, err
    ver, impl = out.stdout.split()
    if impl != "cpython":
        return None, cmd, "not CPython (%s)" % impl
    return tuple(int(x) for x in ver.split(".")), cmd, None


SHIM = "a pyenv shim whose version is not selected: "


def is_refusing_shim(cmd, lines):
    """pyenv's shims run only the versions selected (`pyenv global`,
    .python-version): the others answer `pyenv: python3.X: command not
    found`. The interpreter itself is found under `pyenv root` anyway."""
    return bool(lines) and lines[0].startswith("pyenv: ") and \
        os.sep + "shims" + os.sep in os.path.realpath(cmd[0])


def interpreters(override=None):
    """([(version, argv)] sorted by version, one per exact version,
    [(argv, why)] of the commands that cannot be peers)."""
    cmds = [c.split() for c in override.split()] if override else [[c] for c in candidates()]
    with ThreadPoolExecutor(8) as ex:
        probed = list(ex.map(probe, cmds))
    by_version, refused = {}, []
    for ver, cmd, why in probed:
        if ver is None:
            refused.append((cmd, why))
        else:
            by_version.setdefault(ver, cmd)
    return sorted(by_version.items()), refused


if __name__ == "__main__":
    # The interpreters a run would use, one `VERSION ARGV` a line (the
    # Makefile compares them to know whether an earlier run still holds).
    for v, cmd in interpreters()[0]:
        print(".".join(map(str, v)), " ".join(cmd))
