"""Group "lifecycle": close and unlink in every order across two processes,
attach after unlink, double unlink, close twice, name collisions, sizes and
names as reported, and mappings that outlive their name."""
import itertools
import os

from .core import NAME_RE, Skip, add


def order_case(ops, creator_is_impl):
    """ops: a permutation of close/unlink by the creator (c) and attacher (a).
    After each, whoever is still open writes and everyone open reads, and
    both sides try to attach the name."""
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name, _ = c.shm_create("c", 64)
        a.ok("shm_attach a %s" % name)
        c.raw("shm_write c 0 0102030405")
        a.raw("shm_read a 0 5")
        closed = set()
        sides = {"c": c, "a": a}
        for op in ops:
            who, what = op.split(".")
            sides[who].raw("shm_%s %s" % (what, who))
            if what == "close":
                closed.add(who)
            else:
                for s in (ctx.peer, ctx.impl):
                    if s.raw("shm_attach late %s" % name).ok:
                        s.raw("shm_close late")
            ctx.observe("exists %s" % name, ctx.exists(name))
            # Whoever is still open keeps a valid mapping, name or not.
            still = [w for w in ("c", "a") if w not in closed]
            for k, w in enumerate(still):
                sides[w].raw("shm_write %s 8 %02x" % (w, 0x10 + k))
                for w2 in still:
                    sides[w2].raw("shm_read %s 8 1" % w2)
    return run


def close_twice(is_impl):
    def run(ctx):
        s = ctx.impl if is_impl else ctx.peer
        name, _ = s.shm_create("x", 16)
        s.raw("shm_close x")
        s.raw("shm_close x")
        s.raw("shm_unlink x")
        s.raw("shm_unlink x")
        ctx.observe("exists %s" % name, ctx.exists(name))
    return run


def collision(is_impl):
    def run(ctx):
        c, o = (ctx.impl, ctx.peer) if is_impl else (ctx.peer, ctx.impl)
        name, _ = c.shm_create("x", 32)
        c.raw("shm_create y %s 32" % name)
        o.raw("shm_create y %s 32" % name)
        o.raw("list_create y %s %s int:1" % (name, ctx.gen))
        o.raw("shm_attach z %s" % name)
    return run


def size_case(size, creator_is_impl):
    """Sizes as reported on create and attach, the mapped length, zero fill,
    and the last byte written across."""
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name, _ = c.shm_create("c", size)
        a.ok("shm_attach a %s" % name)
        c.raw("shm_info c")
        dump = a.dump("a", "shm")
        ctx.observe("mapped length", len(dump))
        ctx.observe("all zero", not any(dump))
        a.raw("shm_write a %d ff" % (size - 1))
        c.raw("shm_read c %d 1" % (size - 1))
    return run


def random_name_case(is_impl):
    def run(ctx):
        s = ctx.impl if is_impl else ctx.peer
        o = ctx.peer if is_impl else ctx.impl
        w = s.ok("shm_create r - 10").words
        ctx.names.append(w[0])
        ctx.observe("random name has the form psm_/wnsm_ + 8 hex digits", bool(NAME_RE.match(w[0])))
        o.raw("shm_attach a %s" % w[0])
        lw = s.ok("list_create l - %s int:3" % ctx.gen).text
        ctx.names.append(lw)
        ctx.observe("random list name has the form psm_/wnsm_ + 8 hex digits", bool(NAME_RE.match(lw)))
        o.raw("list_attach m %s %s" % (lw, ctx.gen))
        o.raw("list_name m")
    return run


def list_after_unlink_case(creator_is_impl):
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name = c.create("c", [1, "two", b"3"], ctx.gen)
        a.attach("a", name)
        c.raw("list_unlink c")
        a.raw("list_unlink a")
        c.raw("list_set c 1 str:" + "xyz".encode().hex())
        a.raw("list_get a 1")
        a.raw("list_close a")
        a.raw("list_close a")
        c.raw("list_attach again %s %s" % (name, ctx.gen))
        a.raw("list_attach again %s %s" % (name, ctx.gen))
    return run


def _umask():
    """The process umask, read without changing it (threads run cases)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    raise Skip("cannot read the umask", reason="platform: no umask in /proc")


def mode_case(is_impl):
    """The mode a created block gets (CPython: 0600, less the umask)."""
    def run(ctx):
        if ctx.space.dir is None or not os.path.exists("/proc/self/status"):
            raise Skip("blocks are not files here", reason="platform: blocks are not files here")
        s = ctx.impl if is_impl else ctx.peer
        name, _ = s.shm_create("m", 8)
        lw = s.ok("list_create l %s %s int:1" % (ctx.name(), ctx.gen)).text
        ctx.names.append(lw)
        umask = _umask()
        for n in (name, lw):
            mode = os.stat(ctx.space.path(n)).st_mode & 0o777
            ctx.observe("mode of %s, umask %03o" % (n, umask), oct(mode))
    return run


def longest_name_case(creator_is_impl):
    """The platform's longest name works on both sides; one more does not."""
    def run(ctx):
        if ctx.space.dir is None:
            raise Skip("the name limit is only known where blocks are files",
                       reason="platform: blocks are not files here")
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        longest = os.pathconf(ctx.space.dir, "PC_NAME_MAX")
        base = ctx.name()
        name = base + "_" * (longest - len(base))
        ctx.names += [name + "x", name]
        c.shm_create("c", 8, name)
        a.raw("shm_attach a %s" % name)
        c.raw("shm_create d %sx 8" % name)
        a.raw("shm_attach e %sx" % name)
    return run


def register():
    steps = ["c.close", "c.unlink", "a.close", "a.unlink"]
    for perm in itertools.permutations(steps):
        for ci in (True, False):
            add("lifecycle", "order-%s-created-by-%s" % ("-".join(p.replace(".", "") for p in perm),
                                                        "impl" if ci else "peer"),
                order_case(perm, ci))
    for size in (1, 7, 8, 9, 4095, 4096, 4097, 65536 + 3, 1 << 20):
        for ci in (True, False):
            add("lifecycle", "size-%d-created-by-%s" % (size, "impl" if ci else "peer"),
                size_case(size, ci))
    for ci in (True, False):
        who = "impl" if ci else "peer"
        add("lifecycle", "random-name-by-" + who, random_name_case(ci))
        add("lifecycle", "list-after-unlink-created-by-" + who, list_after_unlink_case(ci))
        add("lifecycle", "name-collision-created-by-" + who, collision(ci))
        add("lifecycle", "longest-name-created-by-" + who, longest_name_case(ci))
        if ci:  # only the implementation's own objects: a peer-only case judges nothing
            add("lifecycle", "close-twice-" + who, close_twice(ci))
            add("lifecycle", "mode-0600-created-by-" + who, mode_case(ci))
