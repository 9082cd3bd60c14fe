"""Group "tracker": what a CPython peer's resource tracker does to blocks
it only attached, recorded as facts. These peers run with --track (no
patching; see adapters/cpython/adapter.py) in a process of their own."""
import time

from .core import Fail, Skip, add, exists
from .proc import Adapter


def gone_within(name, seconds=8.0):
    """The tracker runs in its own process and cleans up after ours exits."""
    end = time.time() + seconds
    while time.time() < end:
        if not exists(name):
            return True
        time.sleep(0.05)
    return False


def tracked_peer(ctx, track=True):
    if ctx.peer_argv is None:
        raise Skip("peer is not a CPython adapter")
    return Adapter(ctx.peer_argv + (["--track"] if track else []), "tracked peer").start()


def attach_then_exit(kind, track, expect_gone, min_version=(3, 8)):
    def run(ctx):
        if ctx.version < min_version:
            raise Skip("needs CPython %d.%d+" % min_version)
        if kind == "shm":
            name, _ = ctx.impl.shm_create("c", 64)
        else:
            name = ctx.impl.create("c", [1, "x"], ctx.gen)
        p = tracked_peer(ctx, track)
        try:
            r = p.call(("shm_attach a %s" if kind == "shm" else "list_attach a %s") % name)
            if not r.ok:
                raise Fail("tracked peer could not attach: %r" % r)
        finally:
            p.stop()
        gone = gone_within(name, 8.0 if expect_gone else 1.0)
        if gone != expect_gone:
            raise Fail("after a CPython %s peer that only attached exited, the block %s "
                       "(recorded fact: it %s)" % (".".join(map(str, ctx.version)),
                                                   "was gone" if gone else "still existed",
                                                   "is unlinked" if expect_gone else "survives"))
    return run


def recreated_name_case(ctx):
    """The tracker remembers names, not blocks: a name unlinked by someone
    else and created again is unlinked when the tracking peer exits."""
    p = tracked_peer(ctx)
    name = ctx.name()
    try:
        r = p.call("shm_create a %s 32" % name)
        if not r.ok:
            raise Fail("tracked peer could not create: %r" % r)
        ctx.impl.ok("shm_attach x %s" % name)
        ctx.impl.ok("shm_unlink x")
        ctx.impl.shm_create("y", 32, name)
    finally:
        p.stop()
    if not gone_within(name):
        raise Fail("recorded fact: the re-created block is unlinked by the tracker; it survived")


def register():
    add("tracker", "attached-block-unlinked-at-peer-exit", attach_then_exit("shm", True, True))
    add("tracker", "attached-list-unlinked-at-peer-exit", attach_then_exit("list", True, True))
    add("tracker", "track-false-block-survives-peer-exit",
        attach_then_exit("shm", False, False, (3, 13)))
    add("tracker", "recreated-name-unlinked-at-peer-exit", recreated_name_case)
