"""Group "lifecycle": close and unlink in every order across two processes,
attach after unlink, double unlink, close twice, name collisions, sizes and
names as reported, and mappings that outlive their name."""
import itertools
import mmap
import os
import sys

from .core import NAME_RE, Fail, Skip, add, exists, expect_eq


def expected_size(requested, attaching):
    """What SharedMemory.size reports on this platform (see SPEC.md)."""
    page = mmap.PAGESIZE
    rounded = -(-requested // page) * page
    if sys.platform == "darwin":
        return rounded
    if sys.platform == "win32":
        return rounded if attaching else requested
    return requested


def order_case(ops, creator_is_impl):
    """ops: a permutation of close/unlink by the creator (c) and attacher (a)."""
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name, _ = c.shm_create("c", 64)
        a.ok("shm_attach a %s" % name)
        c.ok("shm_write c 0 0102030405")
        expect_eq(a.ok("shm_read a 0 5").text, "0102030405", "attacher sees creator's bytes")
        closed, unlinked = set(), False
        sides = {"c": c, "a": a}
        for op in ops:
            who, what = op.split(".")
            s = sides[who]
            if what == "close":
                s.ok("shm_close %s" % who)
                closed.add(who)
            elif unlinked:
                s.err("shm_unlink %s" % who, "FileNotFoundError")
            else:
                s.ok("shm_unlink %s" % who)
                unlinked = True
                ctx.peer.err("shm_attach late %s" % name, "FileNotFoundError")
                ctx.impl.err("shm_attach late %s" % name, "FileNotFoundError")
            # Whoever is still open keeps a valid mapping, name or not.
            still = [w for w in ("c", "a") if w not in closed]
            for k, w in enumerate(still):
                sides[w].ok("shm_write %s 8 %02x" % (w, 0x10 + k))
                for w2 in still:
                    expect_eq(sides[w2].ok("shm_read %s 8 1" % w2).text, "%02x" % (0x10 + k),
                              "%s sees %s's write after %s" % (w2, w, op))
        if exists(name):
            raise Fail("block still exists after close and unlink by both")
    return run


def close_twice(is_impl):
    def run(ctx):
        s = ctx.impl if is_impl else ctx.peer
        name, _ = s.shm_create("x", 16)
        s.ok("shm_close x")
        s.ok("shm_close x")
        s.ok("shm_unlink x")
        s.err("shm_unlink x", "FileNotFoundError")
        if exists(name):
            raise Fail("block exists after unlink")
    return run


def collision(is_impl):
    def run(ctx):
        c, o = (ctx.impl, ctx.peer) if is_impl else (ctx.peer, ctx.impl)
        name, _ = c.shm_create("x", 32)
        c.err("shm_create y %s 32" % name, "FileExistsError")
        o.err("shm_create y %s 32" % name, "FileExistsError")
        o.err("list_create y %s %s int:1" % (name, ctx.gen), "FileExistsError")
        expect_eq(o.ok("shm_attach z %s" % name).words, [name, str(expected_size(32, True))],
                  "attach after the failed creates")
    return run


def size_case(size, creator_is_impl):
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name, got = c.shm_create("c", size)
        expect_eq(got, expected_size(size, False), "size reported on create")
        w = a.ok("shm_attach a %s" % name).words
        expect_eq(w, [name, str(expected_size(size, True))], "name and size reported on attach")
        expect_eq(c.ok("shm_info c").words, [name, str(got)], "shm_info")
        dump = a.dump("a", "shm")
        expect_eq(len(dump), expected_size(size, True), "mapped length")
        if any(dump):
            raise Fail("a new block is not all zeros")
        a.ok("shm_write a %d ff" % (size - 1))
        expect_eq(c.ok("shm_read c %d 1" % (size - 1)).text, "ff", "last byte written by the other side")
    return run


def random_name_case(is_impl):
    def run(ctx):
        s = ctx.impl if is_impl else ctx.peer
        o = ctx.peer if is_impl else ctx.impl
        w = s.ok("shm_create r - 10").words
        ctx.names.append(w[0])
        if not NAME_RE.match(w[0]):
            raise Fail("random name %r is not psm_/wnsm_ + 8 hex digits" % w[0])
        expect_eq(o.ok("shm_attach a %s" % w[0]).words[0], w[0], "name reported on attach")
        lw = s.ok("list_create l - %s int:3" % ctx.gen).text
        ctx.names.append(lw)
        if not NAME_RE.match(lw):
            raise Fail("random list name %r" % lw)
        expect_eq(int(o.ok("list_attach m %s" % lw).text), 1, "len of list under a random name")
        expect_eq(o.ok("list_name m").text, lw, "list name")
    return run


def list_after_unlink_case(creator_is_impl):
    def run(ctx):
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        name = c.create("c", [1, "two", b"3"], ctx.gen)
        a.attach("a", name)
        c.ok("list_unlink c")
        a.err("list_unlink a", "FileNotFoundError")
        c.ok("list_set c 1 %s" % "str:" + "xyz".encode().hex())
        expect_eq(a.ok("list_get a 1").text, "str:" + "xyz".encode().hex(), "read after unlink")
        a.ok("list_close a")
        a.ok("list_close a")
        c.err("list_attach again %s" % name, "FileNotFoundError")
        a.err("list_attach again %s" % name, "FileNotFoundError")
    return run


def _umask():
    """The process umask, read without changing it (threads run cases)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    raise Skip("cannot read the umask")


def mode_case(is_impl):
    """A created block is mode 0600 (less the umask), as CPython makes it."""
    def run(ctx):
        if not os.path.isdir("/dev/shm") or not os.path.exists("/proc/self/status"):
            raise Skip("blocks are not files here")
        s = ctx.impl if is_impl else ctx.peer
        name, _ = s.shm_create("m", 8)
        lw = s.ok("list_create l %s %s int:1" % (ctx.name(), ctx.gen)).text
        ctx.names.append(lw)
        for n in (name, lw):
            mode = os.stat("/dev/shm/" + n).st_mode & 0o777
            expect_eq(oct(mode), oct(0o600 & ~_umask()), "mode of /dev/shm/" + n)
    return run


def longest_name_case(creator_is_impl):
    """The platform's longest name works on both sides; one more is OSError."""
    def run(ctx):
        if not os.path.isdir("/dev/shm"):
            raise Skip("the name limit is only known where blocks are files")
        c, a = (ctx.impl, ctx.peer) if creator_is_impl else (ctx.peer, ctx.impl)
        longest = os.pathconf("/dev/shm", "PC_NAME_MAX")
        base = ctx.name()
        name = base + "_" * (longest - len(base))
        got, _ = c.shm_create("c", 8, name)
        expect_eq(got, name, "name reported for the longest name")
        expect_eq(a.ok("shm_attach a %s" % name).words[0], name, "attach by the longest name")
        c.err("shm_create d %sx 8" % name, "OSError")
        a.err("shm_attach e %sx" % name, "OSError")
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
        add("lifecycle", "close-twice-" + who, close_twice(ci))
        add("lifecycle", "name-collision-created-by-" + who, collision(ci))
        add("lifecycle", "mode-0600-created-by-" + who, mode_case(ci))
        add("lifecycle", "longest-name-created-by-" + who, longest_name_case(ci))
