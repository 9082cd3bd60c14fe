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
    checks), or the harness could not carry the scenario out. `cause` is
    the one line reports group failures by (default: the first line)."""

    def __init__(self, detail, cause=None):
        Exception.__init__(self, detail)
        self.cause = cause


class Skip(Exception):
    """The case cannot run here. `reason` is the short, groupable why;
    `area` is set when it is something the implementation does not
    declare (PROTOCOL.md, `hello`): the case is then "not run"."""

    def __init__(self, detail, reason=None, area=None):
        Exception.__init__(self, detail)
        self.reason = reason or detail
        self.area = area


class Stop(Exception):
    """A request the scenario needed to succeed failed: the scenario ends
    there. Not a verdict: the transcript so far is compared."""


# What an implementation declares in `hello` (PROTOCOL.md), the commands
# each covers, and the names reports give them. Layouts are declared apart.
AREAS = {"shm": "SharedMemory", "list": "ShareableList", "buffers": "buffers",
         "tracker": "tracker", "py38": "the py38 layout", "py39": "the py39 layout"}
# Most specific first: a case using ShareableList and buffers is a buffers case.
AREA_ORDER = ("buffers", "tracker", "list", "shm")
# The OSError classes whose errno and filename CPython sets (asked with err_detail).
OSERRORS = {"OSError", "FileNotFoundError", "FileExistsError", "PermissionError",
            "IsADirectoryError", "NotADirectoryError", "InterruptedError", "BlockingIOError"}


def feature_of(cmd):
    if cmd in ("shm_view", "list_view") or cmd.startswith("view_"):
        return "buffers"
    if cmd.startswith("list_"):
        return "list"
    if cmd.startswith("shm_") or cmd == "err_detail":
        return "shm"
    if cmd == "tracking":
        return "tracker"
    return None


def not_implemented(area, what):
    return Skip("not implemented: %s (%s)" % (AREAS[area], what),
                reason="not implemented: %s" % AREAS[area], area=area)


def require(ad, feature, cmd):
    """Raises Skip when the implementation does not declare `feature`."""
    if feature and feature not in ad.features:
        raise not_implemented(feature, "the implementation does not declare %s; this case "
                                       "needs `%s`" % (feature, cmd))


def unsupported(ad, cmd, text):
    """An `err Unsupported` to something declared: a failure, in scenarios
    and vectors alike."""
    f = feature_of(cmd)
    area = AREAS.get(f, cmd)
    return Fail("the implementation declares %s (hello: %s) but answered `err Unsupported %s` to `%s`"
                % (area, ",".join(sorted(ad.features)) or "-", text, cmd),
                cause="declares %s but answers `err Unsupported` to its commands" % area)


def call_declared(ad, line, used=None):
    """A request to the implementation outside a scenario's sides (vectors,
    a second process): never one of a feature it does not declare (Skip),
    and `err Unsupported` to one it declares is a Fail, as Side.raw rules for
    the scenarios. used: a set the feature is added to."""
    cmd = line.split(" ", 1)[0]
    feature = feature_of(cmd)
    require(ad, feature, cmd)
    if used is not None and feature:
        used.add(feature)
    r = ad.call(line)
    if not r.ok and r.exc == "Unsupported":
        raise unsupported(ad, cmd, r.text)
    return r


def add(group, name, fn, strict=None):
    CASES.append(Case(group, name, fn, strict))


_counter = itertools.count(1)
# Every block name this harness run makes starts with this (run.py looks
# for leftovers by it). Short enough for macOS's 31-character limit.
NAME_PREFIX = "cnf%x_" % (os.getpid() & 0xfffff)


_issued = set()  # every name new_name() gave, to whichever case


def new_name():
    n = "%s%x" % (NAME_PREFIX, next(_counter))  # next() is atomic: threads share it
    _issued.add(n)
    return n


RANDOM_NAME_RE = re.compile(r"\b(psm|wnsm)_[0-9a-f]{8}\b")
NAME_RE = re.compile(r"^(psm|wnsm)_[0-9a-f]{8}$")
_OWN_NAME_RE = re.compile(re.escape(NAME_PREFIX) + "[0-9a-f]+")
_HEAD = 4096
_STR_WORD_RE = re.compile(r"str:((?:[0-9a-f]{2}){6,})")


# Replies whose first word is a block name (the harness attributes it to the case).
_NAMING = ("shm_create", "shm_attach", "shm_info", "list_create", "list_name")


class Side:
    """One adapter as seen by a case. Every call is recorded, with the
    blocks present after it."""

    def __init__(self, ctx, adapter, role):
        self.ctx, self.ad, self.role = ctx, adapter, role

    def raw(self, line):
        """Sends `line`; the reply, whatever it is, goes into the transcript.
        For the implementation: a command of something it does not declare
        is never sent (the case is not run), and `err Unsupported` to one it
        declares is a failure."""
        cmd = line.split(" ", 1)[0]
        feature = feature_of(cmd)
        if self.role == "impl":
            require(self.ad, feature, cmd)
            if feature:
                self.ctx.used.add(feature)
        self._check_layout(line)
        # Where other processes' blocks share the listing, the names that
        # appear while the implementation works are noted (harness/space.py).
        before = self.ctx.space.everything() if self.role == "impl" and \
            self.ctx.space.kind == "shared" else None
        r = self.ad.call(line)
        if not r.ok and r.exc == "Unsupported":
            if self.role == "impl":
                raise unsupported(self.ad, cmd, r.text)
            raise Skip("%s (%s): %s" % (self.role, self.ad.ident, r.text),
                       reason="the peer cannot do `%s`" % cmd)
        if not r.ok and r.exc == "ProtocolError":
            raise Fail("%s (%s) rejected `%s`: %s" % (self.role, self.ad.ident, V.clip(line, 80), r.text),
                       cause="ProtocolError on `%s`" % cmd)
        detail = None
        if self.role == "impl" and not r.ok and r.exc in OSERRORS:
            d = self.ad.call("err_detail")
            if not d.ok:
                raise Fail("%s (%s): err_detail after %s: %s %s" % (
                    self.role, self.ad.ident, r.exc, d.exc, d.text),
                    cause="err_detail answers %s" % d.exc)
            detail = d.text or "(no errno)"
        if r.ok and cmd in _NAMING and r.words:
            self.ctx.reported.add(r.words[0])
        self.ctx.record(self.role, line, r, detail)
        if before is not None:
            self.ctx.trace[-1].unknown = self.ctx.unattributed(self.ctx.space.everything() - before)
        return r

    def _check_layout(self, line):
        """A layout the adapter does not advertise in `hello` is never asked
        of it: the case is not run (the implementation) or skipped (a peer)."""
        w = line.split(" ", 4)
        layout = w[3] if w[0] == "list_create" and len(w) > 3 else \
            w[3] if w[0] == "list_attach" and len(w) > 3 else None
        if layout in ("py38", "py39") and layout not in self.ad.layouts:
            why = "%s (%s) advertises the layouts %s, this case needs %s" % (
                self.role, self.ad.ident, ",".join(self.ad.layouts) or "-", layout)
            if self.role == "impl":
                raise not_implemented(layout, why)
            raise Skip(why, reason="the peer does not write %s" % layout)

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
                self.role, self.ad.ident, V.clip(line, 120), V.clip(r.text, 80), "/".join(want)))
        if r.exc not in want:
            raise Fail("%s (%s): `%s` raised %s (%s), expected %s" % (
                self.role, self.ad.ident, V.clip(line, 120), r.exc, r.text, "/".join(want)))
        return r

    def must_ok(self, line):
        """Strict checks only: `line` must succeed."""
        r = self.raw(line)
        if not r.ok:
            raise Fail("%s (%s): `%s` failed with %s %s" % (
                self.role, self.ad.ident, V.clip(line, 120), r.exc, r.text))
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
    """One entry of a transcript: who, what was asked, what came back, and
    the blocks present after it (normalised; `raw_blocks` as named).
    `unknown`: in a shared /dev/shm, the names no one reported that appeared
    while the implementation carried the step out; not compared as such
    (runner.judge confirms them first)."""
    __slots__ = ("who", "request", "reply", "raw_reply", "blocks", "raw_blocks", "unknown")

    def __init__(self, who, request, reply, raw_reply=None, blocks=None, raw_blocks=None):
        self.who, self.request, self.reply, self.raw_reply = who, request, reply, raw_reply
        self.blocks, self.raw_blocks = blocks, raw_blocks
        self.unknown = ()

    def key(self):
        return (self.who, self.request, self.reply, self.blocks)

    def __repr__(self):
        tail = "" if self.blocks is None else "   [blocks: %s]" % (self.blocks or "none")
        return "%s> %s\n%s< %s%s" % (self.who, V.clip(self.request, 160), self.who, V.clip(self.reply, 200),
                                      tail)


class Ctx:
    """What a case gets: the implementation, the peer, names to use, the
    space its blocks live in, and the transcript it writes."""

    def __init__(self, impl, peer, peer_gen, peer_argv, impl_argv, space):
        self.impl = Side(self, impl, "impl")
        self.peer = Side(self, peer, "peer")
        self.gen = peer_gen
        self.peer_argv = peer_argv  # already inside `space`
        self.impl_argv = impl_argv
        self.space = space
        self.names = []
        self.reported = set()  # block names replies reported
        self.used = set()  # features the implementation was asked for
        self.trace = []
        self._aliases = {}

    def name(self):
        n = new_name()
        self.names.append(n)
        return n

    def exists(self, name):
        """True if a block of that name exists, asked of the OS directly."""
        return self.space.exists(name)

    def unattributed(self, names):
        """Of names that appeared, those neither this case's (chosen or
        reported) nor another case's of this run, sorted."""
        mine = set(self.names) | self.reported
        return tuple(sorted(n for n in names if n not in mine and n not in _issued))

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

    def blocks(self):
        """(normalised, raw) names of the blocks present that belong to this
        case: all of them in a private space, else those it knows."""
        present = sorted(self.space.listing(self.names + list(self.reported)))
        # A name seen before has its alias already (the common case, and
        # cheaper than normalising it again after every step).
        norm = sorted(self._aliases.get(n) or self._normalise(n) for n in present)
        return " ".join(norm), present

    def record(self, who, line, r, detail=None):
        reply = ("ok " + r.text).rstrip() if r.ok else "err " + r.exc
        if detail:  # an OSError's errno and filename
            reply += " " + detail
        # Aliases go by first appearance: the request, the reply, then the
        # blocks (a name only the listing shows comes last, on both runs).
        request = self._brief(line)
        brief = self._brief(reply)
        blocks, raw_blocks = self.blocks()
        # The whole reply is kept only where the brief one lost bytes (a long
        # image), for naming the first differing field.
        self.trace.append(Step(who, request, brief, r if len(brief) < len(reply) else None,
                               blocks, raw_blocks))

    def observe(self, what, value):
        """A fact the harness saw itself (a block exists, a mode), recorded."""
        self.trace.append(Step("harness", self._normalise(what), self._normalise(str(value))))
        return value

    def observe_end(self):
        """The blocks the case leaves: compared like any step's, then removed."""
        blocks, raw_blocks = self.blocks()
        self.trace.append(Step("harness", "blocks left at the end of the case", "", None,
                               blocks, raw_blocks))

    def cleanup(self):
        self.space.clear(self.names + sorted(self.reported))
        self.names = []
        self.reported = set()


def expect_eq(got, want, what):
    """Strict checks only."""
    if got != want:
        raise Fail("%s: expected %r, got %r" % (what, want, got))


def expect_value(got, want, what):
    """Strict checks only: same type and bits."""
    if V.same(got, want):
        return
    raise Fail("%s: expected %s, got %s" % (what, V.short(want), V.short(got)))
