"""Cases, their registry, and the context a case runs in."""
import os
import re
import sys

from . import values as V

CASES = []  # (group, name, fn, options)
GROUPS = ["layout", "cross", "lifecycle", "errors", "defects", "tracker"]


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def case(group, name, **opts):
    """Registers fn(ctx) as case `name` of `group`."""
    def deco(fn):
        CASES.append((group, name, fn, opts))
        return fn
    return deco


def add(group, name, fn, **opts):
    CASES.append((group, name, fn, opts))


_counter = [0]
# Every block name this harness run makes starts with this (run.py looks
# for leftovers by it). Short enough for macOS's 31-character limit.
NAME_PREFIX = "cnf%x_" % (os.getpid() & 0xfffff)


def new_name():
    _counter[0] += 1
    return "%s%x" % (NAME_PREFIX, _counter[0])


def unlink_name(name):
    """Removes a block by name from the harness itself (cleanup only)."""
    if sys.platform == "win32":
        return  # blocks die with their last handle there
    try:
        import _posixshmem
        _posixshmem.shm_unlink("/" + name)
    except (FileNotFoundError, ImportError):
        pass


def exists(name):
    """True if a block of that name exists, asked of the OS directly."""
    if os.path.isdir("/dev/shm"):
        return os.path.exists("/dev/shm/" + name)
    try:
        import _posixshmem
        fd = _posixshmem.shm_open("/" + name, os.O_RDWR, mode=0o600)
        os.close(fd)
        return True
    except FileNotFoundError:
        return False


class Side:
    """One adapter as seen by a case: calls that check replies."""

    def __init__(self, ctx, adapter, role):
        self.ctx, self.ad, self.role = ctx, adapter, role

    def raw(self, line):
        r = self.ad.call(line)
        if not r.ok and r.exc == "Unsupported":
            raise Skip("%s (%s): %s" % (self.role, self.ad.ident, r.text))
        if not r.ok and r.exc == "ProtocolError":
            raise Fail("%s (%s) rejected `%s`: %s" % (self.role, self.ad.ident, line[:80], r.text))
        self.ctx.log.append("%s> %s\n%s< %r" % (self.role, line[:160], self.role, r))
        return r

    def ok(self, line):
        r = self.raw(line)
        if not r.ok:
            raise Fail("%s (%s): `%s` failed with %s %s" % (
                self.role, self.ad.ident, line[:120], r.exc, r.text))
        return r

    def err(self, line, exc):
        """Expects `line` to fail with Python exception class exc (or one of a tuple)."""
        r = self.raw(line)
        want = exc if isinstance(exc, tuple) else (exc,)
        if r.ok:
            raise Fail("%s (%s): `%s` succeeded (%s), expected %s" % (
                self.role, self.ad.ident, line[:120], r.text[:80], "/".join(want)))
        if r.exc not in want:
            raise Fail("%s (%s): `%s` raised %s (%s), expected %s" % (
                self.role, self.ad.ident, line[:120], r.exc, r.text, "/".join(want)))
        return r

    # conveniences
    def create(self, h, items, layout, name=None):
        name = name or self.ctx.name()
        self.ok("list_create %s %s %s %s" % (h, name, layout, " ".join(V.word(v) for v in items)))
        return name

    def attach(self, h, name):
        return int(self.ok("list_attach %s %s" % (h, name)).text)

    def get(self, h, i):
        return V.parse(self.ok("list_get %s %d" % (h, i)).text)

    def dump(self, h, kind="list"):
        t = self.ok("%s_dump %s" % (kind, h)).text
        return b"" if t in ("", "-") else bytes.fromhex(t)

    def shm_create(self, h, size, name=None):
        name = name or self.ctx.name()
        w = self.ok("shm_create %s %s %d" % (h, name, size)).words
        self.ctx.names.append(w[0])
        return w[0], int(w[1])


class Ctx:
    """What a case gets: the implementation, the peer, names to use."""

    def __init__(self, impl, peer, peer_gen, peer_version, peer_argv):
        self.impl = Side(self, impl, "impl")
        self.peer = Side(self, peer, "peer")
        self.gen = peer_gen
        self.version = peer_version
        self.peer_argv = peer_argv
        self.names = []
        self.log = []

    def name(self):
        n = new_name()
        self.names.append(n)
        return n

    def cleanup(self):
        for n in self.names:
            unlink_name(n)
        self.names = []


def expect_value(got, want, what):
    if V.same(got, want):
        return
    hint = ""
    if isinstance(got, (str, bytes)) and type(want) is type(got) and \
            V.stripped(got) == want and got != want:
        hint = " (trailing NULs not stripped: CPython strips them on read, cpython#96779)"
    raise Fail("%s: expected %s, got %s%s" % (what, V.short(want), V.short(got), hint))


def expect_eq(got, want, what):
    if got != want:
        raise Fail("%s: expected %r, got %r" % (what, want, got))


NAME_RE = re.compile(r"^(psm|wnsm)_[0-9a-f]{8}$")
