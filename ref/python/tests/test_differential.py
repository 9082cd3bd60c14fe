"""The module against the standard library of the same interpreter,
operation by operation.

Every scenario below runs twice, once with multiprocessing.shared_memory's
classes and once with pyshm's, and records what each operation gives: its
value (block names replaced by placeholders), or the class of the exception
it raises (and the errno of an OSError), and the bytes of every list's block
after each change. Then the two records are compared.

A difference is allowed only if DIFFERENCES lists it, with the reason (each
is in README.md, "From Python"); a listed difference that does not occur is
a failure too, so the list cannot go stale. Prints one line:
    differential <X.Y>: <n> operations, <same> same, <known> known differences ...

Run with the module importable (PYTHONPATH=build/python/<X.Y>);
PYSHM_DIFF_VERBOSE=1 prints every difference.
"""
import copy
import gc
import math
import os
import pickle
import re
import sys
import unittest
import weakref
from fractions import Fraction
from multiprocessing import resource_tracker
from multiprocessing import shared_memory as stdlib

import _posixshmem

import pyshm
from test_pyshm import MyBytes, MyInt, MyStr

VERSION = sys.version_info[:2]
LINUX = sys.platform.startswith("linux")


class MyFloat(float):
    pass


class Index:
    """Has __index__ only (CPython 3.9+ compares a key with 0 first)."""

    def __init__(self, i):
        self.i = i

    def __index__(self):
        return self.i


class IntLike(Index):
    """An integer-like key that is not an int (as numpy's integers):
    __index__, the comparisons and the arithmetic."""

    def __ge__(self, other):
        return self.i >= other

    def __lt__(self, other):
        return self.i < other

    def __add__(self, other):
        return self.i + other

    def __mul__(self, other):
        return self.i * other

    __radd__, __rmul__ = __add__, __mul__


VALUES = [
    0, 1, -1, 7, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 64, 10 ** 30,
    0.0, -0.0, 1.5, -273.154, 1e308, 5e-324, math.inf, -math.inf, math.nan,
    True, False, None,
    "", "a", "hello", "x" * 7, "x" * 8, "x" * 9, "x" * 15, "x" * 16, "x" * 17,
    "a\0", "\0", "\0a", "a\0b", "tab\t", "\u00e9", "\u20ac", "\u00e9" * 4, "\U0001F600",
    "\u20ac" * 8, "\udc80",
    b"", b"a", b"\0", b"a\0", b"\0a", b"\xff" * 8, b"x" * 9, b"x" * 16,
    [1], (1,), {}, 1j, bytearray(b"x"), MyStr("sub"), MyBytes(b"sub"), MyInt(5),
    MyFloat(1.5), Fraction(1, 2),
]

# Known differences: (pattern on the operation's label, the versions it
# applies to (None: all), the reason). README.md, "From Python", lists each.
EVERY = None
BEFORE_313 = [(3, 8), (3, 9), (3, 10), (3, 11), (3, 12)]
DIFFERENCES = [
    (r"^list \['\u20ac{8}'\]", EVERY,
     "a non-ASCII str gets a slot sized from its UTF-8 length; CPython truncates it"),
    (r"^set slot \d+ = (?:2\*\*63|-2\*\*63-1|2\*\*64|10\*\*30)(?: image)?$", EVERY,
     "an int outside int64 leaves the slot as it was; CPython zeroes it first"),
    (r"^(?:create size=1\.5|size=1\.5 \.size)$", [(3, 8), (3, 9)],
     "size must be an int on create; CPython 3.8 and 3.9 truncate a float"),
    (r"^size=(?:1\.5|2\*\*63) block left$", EVERY,
     "a size refused on create leaves no block; CPython creates it, then fails"),
    (r"^(?:create name|name)='/lead'", EVERY,
     "a name containing '/' is OSError; CPython opens another name"),
    (r"^(?:create name|name)='a\\0b'", BEFORE_313,
     "a name containing NUL is ValueError, as on 3.13; 3.8-3.12 cut the name there"),
    (r"^create name=300 chars$", EVERY,
     "a name longer than the system takes is ENAMETOOLONG; glibc makes CPython's EINVAL"),
    (r"^(?:__init__ again \(attach\)|__init__ on a closed one|reopened buf)$", EVERY,
     "__init__ called again attaches or creates as asked; CPython keeps the first call's "
     "create flags (FileExistsError)"),
    (r"^list generator", EVERY,
     "any iterable makes a list; CPython iterates it twice (struct.error for a generator)"),
    (r"^(?:get -(?:9|10)|packing format -9|set key -9(?: image)?)$", EVERY,
     "an index below -len(sl) is IndexError; CPython reads or writes another slot's bytes"),
    (r"^get -2\*\*63$", [(3, 8)],
     "an index below -len(sl) is IndexError; CPython 3.8 fails in struct"),
    (r"^(?:get Index\(1\)|set key Index\(3\)(?: image)?)$", EVERY,
     "any object with __index__ is an index; CPython's must also compare with 0 and do "
     "arithmetic"),
    (r"^(?:attach N huge|attach N negative|attach format bogus|format bogus item 0)$", EVERY,
     "a corrupt image is ValueError naming the field; CPython fails in whatever it meets "
     "first, or reads it"),
]


def value_label(v):
    """A label for a value, the same in both runs."""
    for text, x in (("2**63", 2 ** 63), ("-2**63-1", -2 ** 63 - 1), ("2**64", 2 ** 64),
                    ("10**30", 10 ** 30)):
        if type(v) is int and v == x:
            return text
    if isinstance(v, (MyStr, MyBytes, MyInt, MyFloat)):
        return "%s(%r)" % (type(v).__name__, type(v).__mro__[1](v))
    return repr(v)


class StdlibSub(stdlib.SharedMemory):
    """A subclass, picklable by name."""


class PyshmSub(pyshm.SharedMemory):
    """A subclass, picklable by name."""


class Record:
    """What one implementation did, operation by operation."""

    def __init__(self, impl):
        self.impl = impl
        if impl == "stdlib":
            self.SM, self.SL, self.Sub = stdlib.SharedMemory, stdlib.ShareableList, StdlibSub
        else:
            self.SM, self.SL, self.Sub = pyshm.SharedMemory, pyshm.ShareableList, PyshmSub
        self.ops = []          # (label, outcome)
        self.placeholders = {}  # block name -> "<block k>"
        self.names = []        # every block name this run made, to unlink

    def name(self, tag):
        """A fresh block name for this run, shown as <tag>."""
        n = "pyshm_df%d_%s_%s" % (os.getpid(), self.impl[0], tag)
        self.placeholders[n] = "<%s>" % tag
        self.names.append(n)
        return n

    def norm(self, text):
        text = text.replace(self.Sub.__name__, "Sub")
        for n, p in self.placeholders.items():
            text = text.replace(n, p)

        def random_name(m):
            if m.group(0) not in self.names:
                self.names.append(m.group(0))
            return "<random name>"
        text = re.sub(r" at 0x[0-9a-f]+>", " at 0x...>", text)
        return re.sub(r"psm_[0-9a-f]{8}", random_name, text)

    def shown(self, v):
        if isinstance(v, memoryview):
            return "memoryview(%r)" % (v.tobytes(),)
        if isinstance(v, float) and math.isnan(v):
            return "nan"
        return self.norm(repr(v))

    def op(self, label, fn):
        """Runs fn(); records its value or its exception. Returns the value
        (None if it raised)."""
        try:
            v = fn()
        except Exception as e:
            # The errno of an OSError; the message where CPython's is plain
            # words every version shares (not a struct or a type's wording).
            if isinstance(e, OSError):
                detail = e.errno
            elif type(e) in (IndexError, ValueError) and not isinstance(e, UnicodeError):
                detail = self.norm(str(e))
            else:
                detail = None
            self.ops.append((label, ("raises", type(e).__name__, detail)))
            return None
        try:
            shown = self.shown(v)
        except Exception as e:  # a list whose repr fails (CPython's truncated str)
            shown = "unprintable: %s" % type(e).__name__
        self.ops.append((label, ("returns", shown)))
        return v

    def image(self, label, sl):
        """The bytes of sl's block, as the outcome of label."""
        self.op(label + " image", lambda: bytes(sl.shm.buf))

    def track(self, obj):
        """Remembers the block of a SharedMemory or ShareableList."""
        shm = getattr(obj, "shm", obj)
        if shm is not None and isinstance(getattr(shm, "name", None), str):
            self.norm(shm.name)

    def cleanup(self):
        gc.collect()
        for n in dict.fromkeys(self.names):
            try:
                block = self.SM(n)
            except ValueError:
                # An empty block (CPython's create that failed in ftruncate)
                # cannot be mapped: by name, then. It was never registered.
                quietly(_posixshmem.shm_unlink, "/" + n)
                continue
            except OSError:
                continue  # never made, or unlinked already
            block.close()
            block.unlink()


# ---- scenarios -------------------------------------------------------------
# Each takes a Record and drives its classes; labels are the same in both
# runs, and every operation is recorded whatever the ones before gave (an
# object that could not be made gives an AttributeError of None).

def quietly(fn, *args):
    """Clean-up: whatever fn raises is not part of the comparison."""
    try:
        fn(*args)
    except Exception:
        pass


def drop(obj):
    """Closes and unlinks a SharedMemory or a ShareableList's block."""
    shm = getattr(obj, "shm", obj)
    quietly(lambda: shm.close())
    quietly(lambda: shm.unlink())


def shared_memory_sizes(r):
    for size in (1, 7, 8, 4095, 4096, 4097, 65536, 10 ** 6):
        tag = "size%d" % size
        s = r.op("create size=%d" % size, lambda: r.SM(r.name(tag), create=True, size=size))
        if LINUX:
            # Sparse, as CPython's: no page taken until one is touched.
            r.op("%s pages taken" % tag, lambda: os.stat("/dev/shm/" + s.name).st_blocks)
        r.op("%s .size" % tag, lambda: s.size)
        r.op("%s len(buf)" % tag, lambda: len(s.buf))
        r.op("%s buf zero" % tag, lambda: bytes(s.buf) == bytes(s.size))
        r.op("%s repr" % tag, lambda: repr(s))
        r.op("%s .name" % tag, lambda: s.name)
        r.op("%s ._name" % tag, lambda: s._name)
        r.op("%s close" % tag, lambda: s.close())
        r.op("%s unlink" % tag, lambda: s.unlink())


def shared_memory_bad_sizes(r):
    bad = [("0", 0), ("-1", -1), ("-2**70", -2 ** 70), ("'10'", "10"), ("True", True),
           ("False", False), ("None", None), ("2**62", 2 ** 62), ("[]", []), ("1.5", 1.5),
           ("2**63", 2 ** 63), ("Index(64)", Index(64)), ("IntLike(64)", IntLike(64))]
    for text, size in bad:
        tag = "bad%s" % re.sub(r"\W", "_", text)
        name = r.name(tag)
        s = r.op("create size=%s" % text, lambda: r.SM(name, create=True, size=size))
        r.op("size=%s .size" % text, lambda: s.size)
        if LINUX:
            r.op("size=%s block left" % text, lambda: s is None and os.path.exists(
                "/dev/shm/" + name))
        drop(s)
    r.op("create without size", lambda: r.SM(r.name("nosize"), create=True))
    r.op("attach without name", lambda: r.SM())
    r.op("attach None", lambda: r.SM(None, create=False))


def shared_memory_names(r):
    names = [("''", ""), ("'a/b'", "a/b"), ("'/lead'", "/lead"), ("'a\\0b'", "a\0b"),
             ("123", 123), ("b'bytes'", b"bytes"), ("255 chars", "y" * 255),
             ("256 chars", "y" * 256), ("300 chars", "y" * 300)]
    for text, name in names:
        if isinstance(name, str) and name:
            r.names.append(name)
        s = r.op("create name=%s" % text, lambda: r.SM(name, create=True, size=16))
        r.op("name=%s .name" % text, lambda: s.name)
        drop(s)
    missing = r.name("missing")
    r.op("attach missing", lambda: r.SM(missing))
    r.op("attach missing with size", lambda: r.SM(missing, size=99))
    first = r.op("create named", lambda: r.SM(r.name("named"), True, 64))
    r.op("create existing", lambda: r.SM(first.name, create=True, size=64))
    r.op("create existing smaller", lambda: r.SM(first.name, create=True, size=8))
    also = r.op("attach with size ignored", lambda: r.SM(first.name, size=10 ** 6))
    r.op("attached size", lambda: also.size)
    r.op("create=1", lambda: r.SM(r.name("truthy"), create=1, size=8).name)
    r.op("create='yes'", lambda: r.SM(r.name("truthy2"), create="yes", size=8).name)
    r.op("unknown keyword", lambda: r.SM(first.name, nmae=1))
    r.op("too many arguments", lambda: r.SM(first.name, False, 1, 2, 3))
    if VERSION >= (3, 13):
        t = r.op("track=False", lambda: r.SM(r.name("untracked"), create=True, size=8,
                                            track=False))
        r.op("track=False _track", lambda: t._track)
        r.op("track positional", lambda: r.SM(first.name, False, 0, False))
        drop(t)
    else:
        r.op("track= before 3.13", lambda: r.SM(first.name, track=False))
    quietly(lambda: also.close())
    drop(first)


def shared_memory_objects(r):
    s = r.SM(create=True, size=64)
    r.track(s)
    r.op("buf write", lambda: s.buf.__setitem__(slice(0, 3), b"abc"))
    r.op("buf read", lambda: bytes(s.buf[:4]))
    r.op("buf cast", lambda: s.buf.cast("q")[0])
    r.op("buf readonly", lambda: s.buf.readonly)
    r.op("block attribute set", lambda: setattr(s, "note", 5))
    r.op("block attribute get", lambda: s.note)
    r.op("vars has it", lambda: vars(s)["note"])
    r.op("block weakref", lambda: weakref.ref(s)() is s)
    r.op("block equal to itself", lambda: s == s)
    r.op("block hashable", lambda: hash(s) == hash(s))
    r.op("block str", lambda: str(s))
    other = r.op("block pickle round trip", lambda: pickle.loads(pickle.dumps(s)))
    r.op("pickled buf", lambda: bytes(other.buf[:3]))
    r.op("pickled size", lambda: other.size)
    quietly(lambda: other.close())
    dup = r.op("block copy.copy", lambda: copy.copy(s))
    r.op("copy buf", lambda: bytes(dup.buf[:3]))
    quietly(lambda: dup.close())
    view = s.buf[8:16]
    r.op("close with a view", lambda: s.close())
    r.op("buf after refused close", lambda: s.buf)
    r.op("view still usable", lambda: view.tobytes())
    view.release()
    r.op("close", lambda: s.close())
    r.op("close again", lambda: s.close())
    r.op("buf after close", lambda: s.buf)
    r.op("size after close", lambda: s.size)
    r.op("name after close", lambda: s.name)
    r.op("repr after close", lambda: repr(s))
    r.op("unlink", lambda: s.unlink())
    r.op("unlink again", lambda: s.unlink())
    r.op("attach unlinked", lambda: r.SM(s.name))
    moved = r.SM(create=True, size=16)
    r.track(moved)
    r.op("_name assignable", lambda: setattr(moved, "_name", "/" + r.name("renamed")))
    r.op("name follows _name", lambda: moved.name)
    r.op("unlink by _name", lambda: moved.unlink())
    quietly(lambda: moved.close())
    sub = r.op("subclass", lambda: r.Sub(create=True, size=32))
    r.track(sub)
    r.op("subclass repr", lambda: repr(sub))
    r.op("subclass attribute", lambda: setattr(sub, "extra", [1]) or sub.extra)
    again = r.op("subclass pickle", lambda: pickle.loads(pickle.dumps(sub)))
    r.op("subclass pickle type", lambda: type(again) is r.Sub)
    quietly(lambda: again.close())
    drop(sub)
    late = r.SM(create=True, size=16)
    r.track(late)
    r.op("__init__ again (attach)", lambda: late.__init__(late.name))
    r.op("__init__ again size", lambda: late.size)
    r.op("__init__ again buf", lambda: len(late.buf))
    quietly(lambda: late.close())
    r.op("__init__ on a closed one", lambda: late.__init__(late.name))
    r.op("reopened buf", lambda: len(late.buf))
    attached = r.SM(late.name)
    r.op("__init__ again, attached", lambda: attached.__init__(late.name))
    r.op("__init__ again, attached buf", lambda: len(attached.buf))
    quietly(lambda: attached.close())
    r.op("__init__ on a closed attached one", lambda: attached.__init__(late.name))
    r.op("__init__ on a closed attached one, buf", lambda: len(attached.buf))
    quietly(lambda: attached.close())
    drop(late)


def make_list(r, items, label, **kw):
    sl = r.op(label, lambda: r.SL(items, **kw))
    r.track(sl)
    return sl


def list_creation(r):
    for v in VALUES:
        label = "list [%s]" % value_label(v)
        sl = make_list(r, [v], label)
        r.op(label + " items", lambda: list(sl))
        r.op(label + " format", lambda: sl.format)
        r.image(label, sl)
        drop(sl)
    sequences = [("[]", []), ("()", ()), ("range(5)", range(5)), ("'abc'", "abc"),
                 ("b'ab'", b"ab"), ("None", None), ("{1: 2}", {1: 2}),
                 ("generator", (i for i in range(3))), ("[[2]]", [[2]]),
                 ("mixed", [1, 2.5, True, None, "s", b"b", -0.0]), ("5", 5),
                 ("[1, object]", [1, object()])]
    for text, seq in sequences:
        label = "list %s" % text
        sl = make_list(r, seq, label)
        r.op(label + " items", lambda: list(sl))
        r.op(label + " len", lambda: len(sl))
        r.image(label, sl)
        drop(sl)
    named = make_list(r, [1, 2], "list named", name=r.name("list"))
    r.op("list named existing", lambda: r.SL([3], name=named.shm.name))
    r.op("list name positional", lambda: r.SL([1], named.shm.name))
    empty = make_list(r, None, "list no arguments")
    r.op("list no arguments len", lambda: len(empty))
    drop(empty)
    r.op("list attach missing", lambda: r.SL(name=r.name("nolist")))
    drop(named)


BASE = [1, 2.5, True, None, "s" * 8, b"b" * 8, "t" * 32, b"u" * 32]


def list_reads(r):
    sl = make_list(r, BASE, "base list")
    keys = [(repr(k), k) for k in range(-10, 10)]
    keys += [("True", True), ("False", False), ("1.0", 1.0), ("'0'", "0"), ("None", None),
             ("slice(0, 2)", slice(0, 2)), ("slice(None)", slice(None)),
             ("2**63", 2 ** 63), ("-2**63", -2 ** 63), ("2**70", 2 ** 70),
             ("MyInt(1)", MyInt(1)), ("IntLike(1)", IntLike(1)),
             ("IntLike(-1)", IntLike(-1)), ("Index(1)", Index(1))]
    for text, k in keys:
        r.op("get %s" % text, lambda: sl[k])
    for i in range(-9, 9):
        r.op("packing format %d" % i, lambda: sl._get_packing_format(i))
    r.op("len", lambda: len(sl))
    r.op("format", lambda: sl.format)
    r.op("repr", lambda: repr(sl))
    r.op("list str", lambda: str(sl))
    r.op("list()", lambda: list(sl))
    r.op("reversed", lambda: list(reversed(sl)))
    r.op("in", lambda: ("s" * 8 in sl, 3 in sl))
    r.op("bool", lambda: bool(sl))
    r.op("iter next", lambda: next(iter(sl)))
    r.op("enumerate", lambda: list(enumerate(sl))[-1])
    r.op("concatenate", lambda: sl + sl)
    r.op("repeat", lambda: sl * 2)
    r.op("list equal to itself", lambda: sl == sl)
    r.op("list hashable", lambda: hash(sl) == hash(sl))
    r.op("del item", lambda: sl.__delitem__(0))
    r.op("del statement", lambda: exec("del sl[0]", {"sl": sl}))
    r.op("slice assignment", lambda: sl.__setitem__(slice(0, 1), [5]))
    r.op("list attribute set", lambda: setattr(sl, "note", "n"))
    r.op("list attribute get", lambda: sl.note)
    r.op("list weakref", lambda: weakref.ref(sl)() is sl)
    r.op("shm type", lambda: type(sl.shm).__name__)
    other = r.op("list pickle round trip", lambda: pickle.loads(pickle.dumps(sl)))
    r.op("pickled items", lambda: list(other))
    r.op("pickled writes through", lambda: (other.__setitem__(0, 42), sl[0])[1])
    quietly(lambda: other.shm.close())
    dup = r.op("list copy.copy", lambda: copy.copy(sl))
    r.op("copy items", lambda: list(dup))
    quietly(lambda: dup.shm.close())
    if VERSION >= (3, 9):
        r.op("generic alias", lambda: repr(r.SL[int]).rsplit(".", 1)[-1])
    attached = r.op("attach", lambda: r.SL(name=sl.shm.name))
    r.op("attached items", lambda: list(attached))
    r.op("attached format", lambda: attached.format)
    quietly(lambda: attached.shm.close())
    r.image("base list", sl)
    drop(sl)


def list_writes(r):
    for slot in range(len(BASE)):
        sl = make_list(r, BASE, "list for slot %d" % slot)
        for v in VALUES:
            label = "set slot %d = %s" % (slot, value_label(v))
            r.op(label, lambda: sl.__setitem__(slot, v))
            r.image(label, sl)
        r.op("slot %d read back" % slot, lambda: sl[slot])
        drop(sl)
    for text, k in (("-1", -1), ("-8", -8), ("-9", -9), ("8", 8), ("True", True),
                    ("1.0", 1.0), ("None", None), ("2**70", 2 ** 70), ("MyInt(2)", MyInt(2)),
                    ("IntLike(2)", IntLike(2)), ("Index(3)", Index(3))):
        sl = make_list(r, BASE, "list for key %s" % text)
        r.op("set key %s" % text, lambda: sl.__setitem__(k, 7))
        r.image("set key %s" % text, sl)
        drop(sl)
    sl = make_list(r, BASE, "list for bad values")
    r.op("set bad key and bad value", lambda: sl.__setitem__(99, object()))
    r.op("set bad value", lambda: sl.__setitem__(0, object()))
    r.image("bad values", sl)
    drop(sl)


SCAN = [0, 1, 1.0, True, False, -0.0, None, "", "a", b"a", "hello", b"", math.nan,
        2 ** 63 - 1, "\u00e9\u00e9", b"\0x", "x" * 9]


def list_scans(r):
    sl = make_list(r, SCAN, "scan list")
    for v in VALUES + [Fraction(1), MyStr("a"), MyBytes(b"a")]:
        r.op("count %s" % value_label(v), lambda: sl.count(v))
        r.op("index %s" % value_label(v), lambda: sl.index(v))

    class Always:
        def __eq__(self, other):
            return True

    class Never:
        def __eq__(self, other):
            return False
    r.op("count Always", lambda: sl.count(Always()))
    r.op("index Always", lambda: sl.index(Always()))
    r.op("count Never", lambda: sl.count(Never()))
    r.op("index Never", lambda: sl.index(Never()))
    drop(sl)


def closed_lists(r):
    sl = make_list(r, [1, "abc", b"xyz"], "list to close")
    sl.shm.close()
    for text, fn in (("get", lambda: sl[0]), ("get out of range", lambda: sl[10]),
                     ("set", lambda: sl.__setitem__(0, 2)),
                     ("set out of range", lambda: sl.__setitem__(10, 2)),
                     ("len", lambda: len(sl)), ("count", lambda: sl.count(1)),
                     ("index", lambda: sl.index(1)), ("format", lambda: sl.format),
                     ("repr", lambda: repr(sl)), ("list", lambda: list(sl)),
                     ("packing format", lambda: sl._get_packing_format(0)),
                     ("buf", lambda: sl.shm.buf),
                     ("pickle", lambda: list(pickle.loads(pickle.dumps(sl))))):
        r.op("closed %s" % text, fn)
    drop(sl)
    empty = make_list(r, [], "empty list to close")
    empty.shm.close()
    r.op("closed empty count", lambda: empty.count(1))
    r.op("closed empty index", lambda: empty.index(1))
    r.op("closed empty list", lambda: list(empty))
    drop(empty)


def corrupt_format():
    """A one-item list whose format is 'i', a struct format CPython never
    writes here."""
    good = stdlib.ShareableList([5])
    try:
        image = bytearray(good.shm.buf)
    finally:
        drop(good)
    at = image.index(b"q\0\0\0\0\0\0\0")
    image[at] = ord("i")
    return bytes(image)


def attached_images(r):
    """Lists made by the stdlib, attached by each."""
    made = stdlib.ShareableList([5, "five", b"5", 5.5, None, False])
    try:
        sl = r.op("attach stdlib list", lambda: r.SL(name=made.shm.name))
        r.op("stdlib list items", lambda: list(sl))
        r.op("stdlib list set", lambda: sl.__setitem__(1, "six"))
        r.op("stdlib list sees it", lambda: made[1])
        quietly(lambda: sl.shm.close())
    finally:
        drop(made)
    # Corrupt images: CPython fails in whatever it meets first.
    for text, image in (("N huge", (2 ** 40).to_bytes(8, sys.byteorder) + bytes(64)),
                        ("N negative", (-1).to_bytes(8, sys.byteorder, signed=True) +
                         bytes(64)),
                        ("format bogus", corrupt_format())):
        block = r.SM(create=True, size=len(image))
        r.track(block)
        block.buf[:len(image)] = image
        sl = r.op("attach %s" % text, lambda: r.SL(name=block.name))
        r.op("%s item 0" % text, lambda: sl[0])
        quietly(lambda: sl.shm.close())
        drop(block)
    zeros = r.SM(create=True, size=4096)
    r.track(zeros)
    sl = r.op("attach zeros", lambda: r.SL(name=zeros.name))
    r.op("zeros len", lambda: len(sl))
    quietly(lambda: sl.shm.close())
    drop(zeros)


SCENARIOS = [shared_memory_sizes, shared_memory_bad_sizes, shared_memory_names,
             shared_memory_objects, list_creation, list_reads, list_writes, list_scans,
             closed_lists, attached_images]


def run(impl):
    """Runs every scenario with impl's classes. Every block the run makes
    is unlinked at the end: those it knows by name, and those the resource
    tracker was told of (CPython's failed creates leave theirs)."""
    r = Record(impl)
    register, unregister = resource_tracker.register, resource_tracker.unregister
    registered = set()

    def recording(name, rtype):
        r.names.append(name.lstrip("/"))
        registered.add(name)
        return register(name, rtype)

    def known_only(name, rtype):
        # CPython's failed create unregisters a name it never registered,
        # and its tracker prints a KeyError for it: noise, kept out.
        if name in registered:
            return unregister(name, rtype)
    resource_tracker.register, resource_tracker.unregister = recording, known_only
    try:
        for scenario in SCENARIOS:
            scenario(r)
    finally:
        r.cleanup()
        resource_tracker.register, resource_tracker.unregister = register, unregister
    return r


def same(a, b):
    """Two outcomes agree: the same value, or the same exception with the
    same errno, and a message that starts with CPython's (the module may
    say more: which slot, how many bytes)."""
    if a[:2] != b[:2]:
        return False
    if a[0] == "returns" or a[2] == b[2]:
        return True
    return isinstance(a[2], str) and isinstance(b[2], str) and b[2].startswith(a[2])


def shorten(outcome, other):
    """An outcome as printed: a long value from where it differs from other."""
    text, against = str(outcome), str(other)
    if len(text) < 200:
        return text
    at = next((i for i, (x, y) in enumerate(zip(text, against)) if x != y), 0)
    return "...%s..." % text[max(0, at - 60):at + 60]


def known(label):
    for pattern, versions, why in DIFFERENCES:
        if re.search(pattern, label) and (versions is None or VERSION in versions):
            return pattern
    return None


class Differential(unittest.TestCase):

    def test_same_as_stdlib(self):
        std, mine = run("stdlib"), run("pyshm")
        self.assertEqual([l for l, _ in std.ops], [l for l, _ in mine.ops],
                         "the two runs took different paths")
        labels = [l for l, _ in std.ops]
        self.assertEqual(len(set(labels)), len(labels), "labels repeat: %s" % sorted(
            l for l in set(labels) if labels.count(l) > 1))
        unexpected, seen = [], {}
        for (label, a), (_, b) in zip(std.ops, mine.ops):
            if same(a, b):
                continue
            pattern = known(label)
            if pattern is None:
                unexpected.append("%s: stdlib %s, pyshm %s" % (label, a, b))
            else:
                seen.setdefault(pattern, []).append(label)
            if os.environ.get("PYSHM_DIFF_VERBOSE"):
                print("%s %s\n    stdlib %s\n    pyshm  %s" % (
                    "known" if pattern else "NEW", label, shorten(a, b), shorten(b, a)))
        stale = [p for p, versions, _ in DIFFERENCES
                 if (versions is None or VERSION in versions) and p not in seen]
        total = len(std.ops)
        ndiff = sum(len(v) for v in seen.values())
        print("differential %d.%d: %d operations, %d same, %d known differences (%d kinds), "
              "%d unexpected" % (VERSION + (total, total - ndiff - len(unexpected), ndiff,
                                            len(seen), len(unexpected))))
        self.assertEqual(unexpected, [], "differences DIFFERENCES does not list")
        self.assertEqual(stale, [], "listed differences that no longer occur")


if __name__ == "__main__":
    unittest.main()
