"""Keeps mutants' shared memory blocks from outliving the run.

A mutant with a broken unlink leaves blocks behind by design. Where the
system allows it (root, or unprivileged user namespaces), each check runs
in its own mount namespace over a private tmpfs on /dev/shm, which
vanishes with the check. Elsewhere the blocks that appeared during the run are removed at
the end, and named.
"""
import os
import subprocess

SHM = "/dev/shm"
# Runs "$@" with a fresh, private /dev/shm; fails if it cannot have one.
MOUNT = ["sh", "-c", 'mount -t tmpfs -o mode=1777 pyshm-mutation "$0" && exec "$@"', SHM]
JAILS = [
    ["unshare", "--mount", "--propagation", "private"] + MOUNT,  # root
    ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"] + MOUNT,
]


def _jail():
    if not os.path.isdir(SHM):
        return None
    for jail in JAILS:
        try:
            p = subprocess.run(jail + ["true"], capture_output=True, timeout=20)
            if p.returncode == 0:
                return jail
        except (OSError, subprocess.SubprocessError):
            pass
    return None


def _names():
    try:
        return set(os.listdir(SHM))
    except OSError:
        return set()


def start():
    """(argv prefix for each check, or None, and a snapshot of /dev/shm, or
    None when the jail makes one unnecessary)."""
    jail = _jail()
    return (jail, None) if jail else (None, _names())


def finish(before):
    """Without the jail: removes blocks that appeared since start() (other
    programs' blocks made meanwhile too: a run is best kept alone); returns
    their names."""
    if before is None:
        return []
    left = sorted(_names() - before)
    for n in left:
        try:
            os.unlink(os.path.join(SHM, n))
        except OSError:
            pass
    return left
