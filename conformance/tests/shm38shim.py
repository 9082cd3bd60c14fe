"""A drop-in `shared_memory` module for Python 3.6 and 3.7, for testing the
model adapter's --module there: CPython 3.8's own shared_memory.py (the file
named by $SHM38_SOURCE), run over a _posixshmem written with os.open on
/dev/shm (Linux), with no resource tracker (3.6 and 3.7 have none for shared
memory). Test scaffolding, not a backport anyone should use."""
import errno
import os
import sys
import types

SHM = "/dev/shm"


def _path(name):
    # glibc's shm_open: leading slashes stripped, no other slash, NAME_MAX.
    bare = name.lstrip("/")
    if not bare or "/" in bare or "\0" in bare:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), name)
    if len(bare) > 255:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), name)
    return os.path.join(SHM, bare)


def shm_open(path, flags, mode=0o777):
    try:
        return os.open(_path(path), flags | os.O_CLOEXEC | os.O_NOFOLLOW, mode)
    except OSError as e:  # CPython's carries the name it was given, not the file's path
        raise OSError(e.errno, e.strerror, path) from None


def shm_unlink(path):
    try:
        os.unlink(_path(path))
    except OSError as e:
        raise OSError(e.errno, e.strerror, path) from None


_posixshmem = types.ModuleType("_posixshmem")
_posixshmem.shm_open, _posixshmem.shm_unlink = shm_open, shm_unlink
sys.modules.setdefault("_posixshmem", _posixshmem)

_source = open(os.environ["SHM38_SOURCE"], encoding="utf-8").read()
# The module's two relative imports are of the tracker, which these
# versions lack: they become no-ops.
_source = _source.replace("from .resource_tracker import register",
                          "register = lambda name, rtype: None")
_source = _source.replace("from .resource_tracker import unregister",
                          "unregister = lambda name, rtype: None")
exec(compile(_source, os.environ["SHM38_SOURCE"], "exec"), globals())
