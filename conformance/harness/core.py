"""Cases, their registry, and the context a case runs in.

A case is a *scenario*: requests to the implementation and to a CPython
peer. Every reply (and every fact the harness observes itself, such as
whether a block still exists) goes into the case's transcript. The verdict
is never written in the case: under the `cpython` profile the same scenario
runs with CPython in the implementation's place, and the implementation
passes when its transcript equals CPython's (harness/verdict.py). A case
about a known CPython defect may also carry a `strict` check: the SPEC's
decision, asserted on the implementation alone, used under `--profile
strict` instead of the comparison.
"""
import hashlib
import itertools
import os
import re
import sys

from . import values as V

CASES = []  # Case objects, in registration order
GROUPS = ["layout", "cross", "lifecycle", "errors", "defects", "tracker", "buffers",
          "vectors"]


class Case:
    """fn(ctx) is the scenario; strict(ctx), if any, the SPEC's decision."""
    __slots__ = ("group", "name", "fn", "strict")

    def __init__(self, group, name, fn, strict=None):
        self.group, self.name, self.fn, self.strict = group, name, fn, strict

    @property
    def id(self):
        return "%s/%s" % (self.group, self.name)


class Fail(Exception):
    """The implementation did something the case does not accept (strict
    checks), or the harness could not carry the scenario out."""


class Skip(Exception):
    pass


class Stop(Exception):
    """A request the scenario needed to succeed failed: the scenario ends
    there. Not a verdict: the transcript so far is compared."""


def add(group, name, fn, strict=None):
    CASES.append(Case(group, name, fn, strict))


_counter = itertools.count(1)
# Every block name this harness run makes starts with this (run.py looks
# for leftovers by it). Short enough for macOS's 31-character limit.
NAME_PREFIX = "cnf%x_" % (os.getpid() & 0xfffff)


def new_name():
    return "%s%x" % (NAME_PREFIX, next(_counter))  # next() is atomic: threads share it


def unlink_name(name):
    """Removes a block by name from the harness itself (cleanup only)."""
    if sys.platform == "win32":
        return  # blocks die with their last handle there
    try:
        import _posixshmem
        _posixshmem.shm_unlink("/" + name)
    except (OSError, ImportError):  # gone, or a name no block can have
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


RANDOM_NAME_RE = re.compile(r"\b(psm|wnsm)_[0-9a-f]{8}\b")
NAME_RE = re.compile(r"^(psm|wnsm)_[0-9a-f]{8}$")
_OWN_NAME_RE = re.compile(re.escape(NAME_PREFIX) + "[0-9a-f]+")
_HEAD = 4096
_STR_WORD_RE = re.compile(r"str:((?:[0-9a-f]{2}){6,})")


class Side:
    """One adapter as seen by a case. Every call is recorded."""

    def __init__(self, ctx, adapter, role):
        self.ctx, self.ad, self.role = ctx, adapter, role

    def raw(self, line):
        """Sends `line`; the reply, whatever it is, goes into the transcript."""
        self._check_layout(line)
        r = self.ad.call(line)
        if not r.ok and r.exc == "Unsupported":
            raise Skip("%s (%s): %s" % (self.role, self.ad.ident, r.text))
        if not r.ok and r.exc == "ProtocolError":
            raise Fail("%s (%s) rejected `%s`: %s" % (self.role, self.ad.ident, line[:80], r.text))
        self.ctx.record(self.role, line, r)
        return r

    def _check_layout(self, line):
        """A layout the adapter does not advertise in `hello` is never asked
        of it: the case is skipped, saying why."""
        w = line.split(" ", 4)
        layout = w[3] if w[0] == "list_create" and len(w) > 3 else \
            w[3] if w[0] == "list_attach" and len(w) > 3 else None
        if layout in ("py38", "py39") and self.ad.layouts and layout not in self.ad.layouts:
            raise Skip("%s (%s) advertises the %s layout%s, this case needs %s" % (
                self.role, self.ad.ident, ",".join(self.ad.layouts),
                "s" if len(self.ad.layouts) > 1 else "", layout))

    def ok(self, line):
        """Sends `line`; the scenario cannot go on unless it succeeds."""
        r = self.raw(line)
        if not r.ok:
            raise Stop()
        return r

    def must(self, line, exc):
        """Strict checks only: `line` must fail with exception class exc."""
        r = self.raw(line)
        want = exc if isinstance(exc, tuple) else (exc,)
        if r.ok:
            raise Fail("%s (%s): `%s` succeeded (%s), expected %s" % (
                self.role, self.ad.ident, line[:120], r.text[:80], "/".join(want)))
        if r.exc not in want:
            raise Fail("%s (%s): `%s` raised %s (%s), expected %s" % (
                self.role, self.ad.ident, line[:120], r.exc, r.text, "/".join(want)))
        return r

    def must_ok(self, line):
        """Strict checks only: `line` must succeed."""
        r = self.raw(line)
        if not r.ok:
            raise Fail("%s (%s): `%s` failed with %s %s" % (
                self.role, self.ad.ident, line[:120], r.exc, r.text))
        return r

    # conveniences
    def create(self, h, items, layout, name=None):
        name = name or self.ctx.name()
        self.ok("list_create %s %s %s %s" % (h, name, layout, " ".join(V.word(v) for v in items)))
        return name

    def attach(self, h, name, layout=None):
        layout = layout or self.ctx.gen
        return int(self.ok("list_attach %s %s %s" % (h, name, layout)).text)

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


class Step:
    """One entry of a transcript: who, what was asked, what came back."""
    __slots__ = ("who", "request", "reply", "raw_reply")

    def __init__(self, who, request, reply, raw_reply=None):
        self.who, self.request, self.reply, self.raw_reply = who, request, reply, raw_reply

    def key(self):
        return (self.who, self.request, self.reply)

    def __repr__(self):
        return "%s> %s\n%s< %s" % (self.who, self.request[:160], self.who, self.reply[:200])


class Ctx:
    """What a case gets: the implementation, the peer, names to use, and
    the transcript it writes."""

    def __init__(self, impl, peer, peer_gen, peer_argv, impl_argv):
        self.impl = Side(self, impl, "impl")
        self.peer = Side(self, peer, "peer")
        self.gen = peer_gen
        self.peer_argv = peer_argv
        self.impl_argv = impl_argv
        self.names = []
        self.trace = []
        self._aliases = {}

    def name(self):
        n = new_name()
        self.names.append(n)
        return n

    def _normalise(self, text):
        """Names differ from run to run; their order of appearance does not.
        A name the case registered is replaced whole (it may be longer than
        the harness's own, e.g. padded to the longest name), then any other
        name of this run, then CPython-style random names."""
        def alias(m):
            return self._aliases.setdefault(m.group(0), "$%d" % len(self._aliases))
        known = sorted((n for n in self.names if n in text), key=len, reverse=True)
        if known:
            text = re.sub("|".join(map(re.escape, known)), alias, text)
        text = RANDOM_NAME_RE.sub(alias, _OWN_NAME_RE.sub(alias, text))

        def in_hex(m):  # a name inside a str word, e.g. an OSError's filename
            try:
                s = bytes.fromhex(m.group(1)).decode()
            except ValueError:
                return m.group(0)
            n = self._normalise(s)
            return "str:" + n.encode().hex() if n != s else m.group(0)
        return _STR_WORD_RE.sub(in_hex, text) if "str:" in text else text

    def _brief(self, text):
        """Normalised text, where a word longer than _HEAD (megabytes of hex:
        values and images, in which no name is) is kept as its head and a
        digest."""
        if len(text) <= _HEAD:
            return self._normalise(text)
        words = text.split(" ")
        for i, w in enumerate(words):
            if len(w) > _HEAD:
                words[i] = "%s...[%d chars, sha256 %s]" % (
                    w[:64], len(w), hashlib.sha256(w.encode()).hexdigest()[:16])
        return self._normalise(" ".join(words))

    def record(self, who, line, r):
        reply = ("ok " + r.text).rstrip() if r.ok else "err " + r.exc
        brief = self._brief(reply)
        # The whole reply is kept only where the brief one lost bytes (a long
        # image), for naming the first differing field.
        self.trace.append(Step(who, self._brief(line), brief, r if len(brief) < len(reply) else None))

    def observe(self, what, value):
        """A fact the harness saw itself (a block exists, a mode), recorded."""
        self.trace.append(Step("harness", self._normalise(what), self._normalise(str(value))))
        return value

    def cleanup(self):
        for n in self.names:
            unlink_name(n)
        self.names = []


def expect_eq(got, want, what):
    """Strict checks only."""
    if got != want:
        raise Fail("%s: expected %r, got %r" % (what, want, got))


def expect_value(got, want, what):
    """Strict checks only: same type and bits."""
    if V.same(got, want):
        return
    raise Fail("%s: expected %s, got %s" % (what, V.short(want), V.short(got)))
