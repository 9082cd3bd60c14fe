"""Group "tracker": what resource trackers do to blocks at process exit.

CPython 3.8-3.12 register a block on create *and* on attach and unlink
whatever is still registered when the interpreter exits; 3.13 adds
track=False (SPEC 2.3). Two sides of it are observed:
  - the peer's tracker: a CPython peer started with --track (nothing
    patched) attaches the implementation's block and exits;
  - the implementation's own: a second implementation process switched to
    its default tracking (`tracking default`) attaches, or creates, and
    quits.
Not tracking at all is the SPEC's decision for the reference (the `strict`
profile); under `cpython` the implementation must do what CPython does."""
import os
import time

from .core import Fail, add, call_declared
from .proc import Adapter

# A tracker runs in a process of its own and unlinks once ours has exited.
# Where /proc shows it, the harness waits for that process to end (then the
# answer is final); elsewhere it waits this long for the name to go.
SETTLE_SECONDS = 3.0
TRACKER_EXIT_SECONDS = 20.0


def descendants(pid):
    """The pids of pid's descendants (Linux /proc), or None if unknown."""
    if not os.path.isdir("/proc/%d" % os.getpid()):
        return None
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def stop_and_settle(ad):
    """Stops an adapter and waits until whatever it started (a resource
    tracker) has exited too, so what it unlinks is unlinked."""
    helpers = descendants(ad.proc.pid) if ad.proc else None
    ad.stop()
    if helpers is None:
        time.sleep(SETTLE_SECONDS)
        return
    end = time.time() + TRACKER_EXIT_SECONDS
    while helpers and time.time() < end:
        helpers = [p for p in helpers if os.path.exists("/proc/%d" % p) and not _zombie(p)]
        time.sleep(0.02)


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def gone(ctx, name):
    return not ctx.exists(name)


def tracked_peer(ctx, track=True):
    return Adapter(ctx.peer_argv + (["--track"] if track else []), "tracked peer").start()


def peer_attach_then_exit(kind, track):
    def run(ctx):
        if kind == "shm":
            name, _ = ctx.impl.shm_create("c", 64)
        else:
            name = ctx.impl.create("c", [1, "x"], ctx.gen)
        p = tracked_peer(ctx, track)
        try:
            verb = "shm_attach a %s" if kind == "shm" else "list_attach a %s auto"
            r = p.call(verb % name)
            ctx.observe("tracked peer attaches", r.ok)
        finally:
            stop_and_settle(p)
        ctx.observe("gone after the peer exited", gone(ctx, name))
    return run


def recreated_name_case(ctx):
    """The tracker remembers names, not blocks: a name unlinked by someone
    else and created again is unlinked when the tracking peer exits."""
    p = tracked_peer(ctx)
    name = ctx.name()
    try:
        ctx.observe("tracked peer creates", p.call("shm_create a %s 32" % name).ok)
        ctx.impl.ok("shm_attach x %s" % name)
        ctx.impl.raw("shm_unlink x")
        ctx.impl.shm_create("y", 32, name)
    finally:
        stop_and_settle(p)
    ctx.observe("gone after the peer exited", gone(ctx, name))


def own_tracker(action):
    """A second implementation process, with its default tracking, does
    `action` on a block and quits: is the block still there?"""
    def run(ctx, strict=False):
        if action == "create":
            name = ctx.name()
        else:
            name, _ = ctx.peer.shm_create("c", 64)
        second = Adapter(ctx.impl_argv, "second implementation process").start()
        try:
            t = call_declared(second, "tracking default", ctx.used)
            if not t.ok:
                raise Fail("the implementation: tracking default: %s %s" % (t.exc, t.text))
            r = call_declared(second, {"attach": "shm_attach a %s" % name,
                                       "attach-untracked": "shm_attach a %s track=0" % name,
                                       "create": "shm_create a %s 64" % name}[action], ctx.used)
            # Whether the block is there while the process lives: "never
            # made" must not look like "unlinked at exit".
            there = ctx.exists(name)
        finally:
            stop_and_settle(second)
        ctx.observe("the second process: %s" % action, ("ok " + r.text).strip() if r.ok else r.exc)
        ctx.observe("exists while the second process runs", there)
        was_gone = gone(ctx, name)
        if strict:
            if was_gone:
                raise Fail("the block was unlinked when a process that did not unlink it exited "
                           "(SPEC 2.3: the reference has no tracker)")
            return
        ctx.observe("gone after the implementation's process exited", was_gone)
    return run


def own_tracker_strict(action):
    fn = own_tracker(action)
    return lambda ctx: fn(ctx, strict=True)


def register():
    add("tracker", "peer-attached-block-unlinked-at-peer-exit", peer_attach_then_exit("shm", True))
    add("tracker", "peer-attached-list-unlinked-at-peer-exit", peer_attach_then_exit("list", True))
    add("tracker", "peer-track-false-block-survives-peer-exit", peer_attach_then_exit("shm", False))
    add("tracker", "peer-recreated-name-unlinked-at-peer-exit", recreated_name_case)
    for action in ("attach", "create"):
        add("tracker", "own-tracker-%s-then-exit" % action, own_tracker(action),
            own_tracker_strict(action))
    add("tracker", "own-tracker-attach-untracked-then-exit", own_tracker("attach-untracked"),
        own_tracker_strict("attach-untracked"))
