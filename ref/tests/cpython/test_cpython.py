#!/usr/bin/env python3
"""The pyshm tool against real CPython, across processes, in both layouts.

    PYSHM=path/to/pyshm [PYTHONS="3.8 /path/to/python3.12 ..."] python3 test_cpython.py

The tool creates and CPython reads (values and repr equal), CPython creates
and the tool reads, both set items and the images are compared byte for
byte (`pyshm dump --raw`). The "py39" layout is checked with the interpreter
running this file (3.9 or later) and any 3.9+ in PYTHONS; the "py38" layout
needs a CPython 3.8, from PYTHONS or else found as ci/pythons.py finds
interpreters; without one those tests are skipped. PYTHONS holds
interpreter paths or versions ("3.8").
Standard library only; every block made is unlinked.
"""
import json
import math
import os
import random
import re
import struct
import subprocess
import sys
import unicodedata
import unittest

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "ci"))
import literal_corpus  # noqa: E402
from peer import tag, truncates  # noqa: E402  (the exact value encoding the peer speaks)
from pythons import pyenv_root, resolve  # noqa: E402  (ci/pythons.py)

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "peer.py")
TOOL = os.environ.get("PYSHM", "")

# ---------------------------------------------------------------------------
# Interpreters
# ---------------------------------------------------------------------------


def version_of(python):
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         stdout=subprocess.PIPE, universal_newlines=True, timeout=30)
    return tuple(int(x) for x in out.stdout.split(".")) if out.returncode == 0 else None


def interpreters():
    """{(major, minor): path} for this interpreter, PYTHONS and a pyenv 3.8."""
    found = {sys.version_info[:2]: sys.executable}
    specs = os.environ.get("PYTHONS", "").replace(":", " ").split()
    for spec in specs:
        path = resolve(spec)
        if not path:
            raise SystemExit("test_cpython.py: PYTHONS names %r, which was not found" % spec)
        v = version_of(path)
        if v:
            found.setdefault(v, path)
    if (3, 8) not in found:
        path = resolve("3.8")
        if path and version_of(path) == (3, 8):
            found[(3, 8)] = path
    return found


PYTHONS = interpreters()
PY38 = PYTHONS.get((3, 8))
PY39S = sorted(v for v in PYTHONS if v >= (3, 9))
NO_PY38 = ("no CPython 3.8 found (PYTHONS, PATH, or the pyenv root %s): "
           "the py38 layout is not checked against CPython" % pyenv_root())


class Peer:
    """A CPython process answering peer.py commands."""

    def __init__(self, python):
        self.python = python
        self.proc = subprocess.Popen([python, PEER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, universal_newlines=True)

    def __call__(self, op, **kw):
        kw["op"] = op
        self.proc.stdin.write(json.dumps(kw) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("CPython peer %s died" % self.python)
        out = json.loads(line)
        if "peer_error" in out:
            raise RuntimeError("CPython peer %s: %s" % (self.python, out["peer_error"]))
        return out

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


PEERS = {}


def peer(version):
    if version not in PEERS:
        PEERS[version] = Peer(PYTHONS[version])
    return PEERS[version]


def tearDownModule():
    for p in PEERS.values():
        p.close()


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


def literal(v):
    """The Python literal the tool parses back into v."""
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return repr(v)


CASES = [
    ("doc example", ["howdy", b"HoWdY", -273.154, 100, None, True, 42]),
    ("empty", []),
    ("empty str and bytes", ["", b""]),
    ("ints", [-2 ** 63, 2 ** 63 - 1, 0, -1, 2 ** 53 + 1]),
    ("floats", [-0.0, 0.0, float("inf"), float("-inf"), float("nan"), 5e-324,
                1.7976931348623157e308, 0.1, 1e16, 1e-7, 123456789.125]),
    ("bools and None", [True, False, None, None]),
    ("str lengths", ["abcdefghijklmnopq"[:n] for n in (7, 8, 9, 15, 16, 17)]),
    ("bytes lengths", [bytes(range(1, n + 1)) for n in (7, 8, 9, 15, 16, 17)]),
    ("non-ASCII that fits", ["\u00e9", "\u00e9" * 4, "\u20ac\u20ac", "\U0001d11e", "ab\u20acd",
                             "\U0010ffff", "\u4e2d" * 2]),
    ("non-ASCII CPython truncates", ["\u20ac" * 3, "\u00e9" * 5, "\U0001d11e" * 3,
                                     "abcdefg\u20ac", "\u4e2d" * 16]),
    ("quotes and escapes", ["'", '"', "'\"", "\\", "\t\n\r\x1b\x7f", "\x00a", "\u2028\xad",
                            b"'\"\\\x00\xff", "\U0001f600", "\ue000"]),
]

# ---------------------------------------------------------------------------
# The tool
# ---------------------------------------------------------------------------


class ToolError(Exception):
    pass


def tool(*args, check=True):
    p = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    out = p.stdout.decode("utf-8", "surrogateescape")
    err = p.stderr.decode("utf-8", "surrogateescape")
    if check and p.returncode != 0:
        raise ToolError("pyshm %s: exit %d: %s" % (" ".join(map(str, args))[:200],
                                                    p.returncode, err.strip()))
    return p.returncode, out, err


def tool_out(*args):
    return tool(*args)[1].rstrip("\n")


def tool_hex(name):
    """The bytes of block name (`pyshm dump --raw`), as hex."""
    p = subprocess.run([TOOL, "dump", "--raw", name], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        raise ToolError("pyshm dump --raw %s: exit %d: %s" % (name, p.returncode,
                                                              p.stderr.decode("utf-8", "replace")))
    return p.stdout.hex()


class Base(unittest.TestCase):
    def setUp(self):
        self.names = []

    def tearDown(self):
        for name in self.names:
            tool("unlink", name, check=False)

    def keep(self, name):
        self.names.append(name)
        return name

    def tool_create(self, items, layout):
        return self.keep(tool_out("list", "create", "--layout", layout,
                                  *[literal(v) for v in items]))

    def peer_create(self, version, items):
        return peer(version)("create", items=[tag(v) for v in items])

    def assertSameRead(self, got, want, what):
        """Two peer reads agree item by item (values exactly, reprs)."""
        self.assertEqual(got["len"], want["len"], what)
        for i, (g, w) in enumerate(zip(got["items"], want["items"])):
            self.assertEqual(g, w, "%s: item %d" % (what, i))
        self.assertEqual(got.get("list_repr"), want.get("list_repr"), what)
        self.assertEqual(got.get("format"), want.get("format"), what)

    checked = set()

    def assertToolReads(self, name, cpy, what):
        """The tool's show/get/format/len of name equal CPython's read cpy
        (once per distinct image and read: the tool's side does not depend
        on which interpreter made an identical image)."""
        key = json.dumps(cpy, sort_keys=True)
        if key in Base.checked:
            return
        Base.checked.add(key)
        code, out, err = tool("list", "show", name, check=False)
        if "list_repr" in cpy:
            self.assertEqual((code, out.rstrip("\n")), (0, cpy["list_repr"]), what)
        else:
            self.assertNotEqual(code, 0, what)
            self.assertIn(cpy["list_exc"], err, what)
        self.assertEqual(tool_out("list", "len", name), str(cpy["len"]), what)
        self.assertEqual(tool_out("list", "format", name), cpy["format"], what)
        for i, item in enumerate(cpy["items"]):
            code, out, err = tool("list", "get", name, i, check=False)
            if "repr" in item:
                self.assertEqual((code, out.rstrip("\n")), (0, item["repr"]),
                                 "%s: get %d" % (what, i))
            else:
                self.assertNotEqual(code, 0, what)
                self.assertIn(item["exc"], err, "%s: get %d" % (what, i))


def versions_for(layout):
    return [(3, 8)] if layout == "py38" else PY39S


def needs_tool(cls):
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise SystemExit("test_cpython.py: set PYSHM to the pyshm tool (got %r)" % TOOL)
    return cls

# ---------------------------------------------------------------------------
# Lists, both directions
# ---------------------------------------------------------------------------


@needs_tool
class ListMixin:
    layout = None

    def setUp(self):
        super().setUp()
        if self.layout == "py38" and not PY38:
            self.skipTest(NO_PY38)
        if self.layout == "py39" and not PY39S:
            self.skipTest("no CPython 3.9 or later to check the py39 layout")

    def test_tool_creates_cpython_reads(self):
        for version in versions_for(self.layout):
            for what, items in CASES:
                with self.subTest(case=what, cpython=version):
                    name = self.tool_create(items, self.layout)
                    got = peer(version)("read", name=name)
                    own = self.peer_create(version, items)
                    self.keep(own["name"])
                    self.assertEqual(tool_hex(name), got["image"])
                    if any(truncates(v) for v in items):
                        # The reference sizes such slots from UTF-8: CPython
                        # reads every item back intact.
                        self.assertEqual([i.get("val") for i in got["items"]],
                                         [tag(v) for v in items], what)
                    else:
                        self.assertEqual(got["image"], own["image"],
                                         "%s: the tool's image differs from CPython's" % what)
                        self.assertSameRead(got, peer(version)("read", name=own["name"]), what)
                    self.assertToolReads(name, got, what)

    def test_cpython_creates_tool_reads(self):
        for version in versions_for(self.layout):
            for what, items in CASES:
                with self.subTest(case=what, cpython=version):
                    own = self.peer_create(version, items)
                    name = self.keep(own["name"])
                    cpy = peer(version)("read", name=name)
                    self.assertEqual(tool_hex(name), own["image"])
                    self.assertToolReads(name, cpy, what)
                    code, out, err = tool("inspect", name, check=False)
                    self.assertEqual(code, 0 if "list_repr" in cpy else code, err)
                    self.assertTrue(out.strip(), "inspect printed nothing")

    SETS = [
        (["abcdefghijkl", 100, None, True, b"xyz"],
         [(0, 7), (1, "hi"), (2, 1.5), (3, None), (4, "str"), (0, "xy"), (1, "toolongvalue"),
          (4, b"12345678"), (4, b"123456789"), (0, "\u20ac" * 5), (2, "\u20ac" * 3), (3, -0.0),
          (1, float("nan")), (0, False), (5, 1)]),
    ]

    def test_sets_match(self):
        """The same sets through the tool and CPython give the same images."""
        for version in versions_for(self.layout):
            for items, steps in self.SETS:
                t = self.tool_create(items, self.layout)
                c = self.keep(self.peer_create(version, items)["name"])
                for index, value in steps:
                    with self.subTest(cpython=version, index=index, value=value):
                        res = peer(version)("set", name=c, index=index, value=tag(value))
                        code, _, err = tool("list", "set", t, index, literal(value), check=False)
                        if "exc" in res:
                            self.assertNotEqual(code, 0)
                            self.assertIn(res["exc"], err)
                        else:
                            self.assertEqual(code, 0, err)
                        self.assertEqual(tool_hex(t), res["image"])
                # CPython sets on the tool's list, the tool reads.
                res = peer(version)("set", name=t, index=0, value=tag("abc"))
                self.assertNotIn("exc", res)
                self.assertEqual(tool_out("list", "get", t, 0), "'abc'")

    def test_named_create(self):
        name = self.keep("pyshm_cpy_%d_%s" % (os.getpid(), self.layout))
        self.assertEqual(tool_out("list", "create", "--name", name, "--layout", self.layout,
                                  "1", "'a'"), name)
        got = peer(versions_for(self.layout)[0])("read", name=name)
        self.assertEqual(got["list_repr"], "[1, 'a']")
        code, _, err = tool("list", "create", "--name", name, "2", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("FileExistsError", err)


class ListPy39(ListMixin, Base):
    layout = "py39"


class ListPy38(ListMixin, Base):
    layout = "py38"

# ---------------------------------------------------------------------------
# Bulk repr: thousands of random values
# ---------------------------------------------------------------------------


def char_pool(rnd):
    """A random code point whose printability is the same in every Unicode
    database from 14.0 on (the reference's) and in this interpreter's."""
    old = unicodedata.ucd_3_2_0
    same_db = unicodedata.unidata_version == "14.0.0"
    newer = tuple(int(x) for x in unicodedata.unidata_version.split(".")) >= (14, 0)
    while True:
        r = rnd.random()
        if r < 0.25:
            c = rnd.randint(0, 0x7F)
        elif r < 0.5:
            c = rnd.randint(0x80, 0x7FF)
        elif r < 0.8:
            c = rnd.randint(0x800, 0xFFFF)
        else:
            c = rnd.randint(0x10000, 0x10FFFF)
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        if same_db or old.category(ch) != "Cn":
            return ch
        if newer and unicodedata.category(ch) == "Cn":
            return ch


def random_values(seed, n):
    rnd = random.Random(seed)
    vals = []
    for i in range(n):
        kind = i % 8
        if kind == 0:
            vals.append(struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0])
        elif kind == 1:  # subnormals
            vals.append(struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(52)))[0])
        elif kind == 2:  # powers of two, huge and tiny
            vals.append(math.ldexp(rnd.choice((1.0, -1.0, 1.5)), rnd.randint(-1074, 1023)))
        elif kind == 3:
            vals.append(rnd.choice((10.0, 0.1, 3.0)) ** rnd.randint(-300, 300))
        elif kind == 4:
            vals.append(round(rnd.uniform(-1e5, 1e5), rnd.randint(0, 17)))
        elif kind in (5, 6):
            vals.append("".join(char_pool(rnd) for _ in range(rnd.randint(0, 12))))
        else:
            vals.append(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 12))))
    # NaN has no literal that keeps its payload; trailing NULs of str and
    # bytes are lost by the format itself (CPython strips them on read).
    return [strip_nuls(v) for v in vals if not (isinstance(v, float) and math.isnan(v))]


def strip_nuls(v):
    if isinstance(v, str):
        return v.rstrip("\x00")
    if isinstance(v, bytes):
        return v.rstrip(b"\x00")
    return v


@needs_tool
class BulkRepr(Base):
    def test_bulk_repr(self):
        total = 0
        for seed in range(4):
            vals = random_values(1000 + seed, 1000)
            total += len(vals)
            name = self.tool_create(vals, "py39")
            got = peer(PY39S[-1] if sys.version_info < (3, 9) else sys.version_info[:2])(
                "read", name=name)
            self.assertEqual([i.get("val") for i in got["items"]], [tag(v) for v in vals],
                             "CPython reads back the values the tool stored")
            want = repr(vals)
            self.assertEqual(got["list_repr"], want)
            shown = tool_out("list", "show", name)
            if shown != want:  # name the first value whose repr differs
                for i, v in enumerate(vals):
                    self.assertEqual(tool_out("list", "get", name, i), repr(v),
                                     "item %d" % i)
            self.assertEqual(shown, want)
        self.assertGreaterEqual(total, 3000)

# ---------------------------------------------------------------------------
# SharedMemory blocks
# ---------------------------------------------------------------------------


@needs_tool
class Blocks(Base):
    def setUp(self):
        super().setUp()
        self.py = PY39S[-1] if PY39S else (3, 8)

    def test_tool_creates_cpython_attaches(self):
        name = self.keep(tool_out("create", "1000"))
        got = peer(self.py)("shm_read", name=name, write="68656c6c6f")
        self.assertEqual(got["size"], 1000)
        self.assertEqual(got["hex"], "00" * 1000)
        self.assertEqual(tool_hex(name), "68656c6c6f" + "00" * 995)
        ls = tool_out("ls")
        self.assertTrue(any(line.split()[:2] == [name, "1000"] for line in ls.splitlines()),
                        ls)

    def test_cpython_creates_tool_reads(self):
        got = peer(self.py)("shm_create", size=77, hex="00ff10")
        name = self.keep(got["name"])
        self.assertEqual(tool_hex(name), "00ff10" + "00" * 74)
        tool_out("unlink", name)
        self.assertEqual(peer(self.py)("shm_read", name=name), {"exc": "FileNotFoundError"})

    def test_named_and_errors(self):
        name = self.keep("pyshm_cpyblk_%d" % os.getpid())
        self.assertEqual(tool_out("create", "64", "--name", name), name)
        self.assertEqual(peer(self.py)("shm_read", name=name)["size"], 64)
        for args, exc in [(("create", "64", "--name", name), "FileExistsError"),
                          (("create", "0"), "ValueError"),
                          (("create", "-1"), "ValueError"),
                          (("unlink", name + "_missing"), "FileNotFoundError"),
                          (("dump", name + "_missing"), "FileNotFoundError")]:
            with self.subTest(args=args):
                code, _, err = tool(*args, check=False)
                self.assertNotEqual(code, 0)
                self.assertIn(exc, err)

# ---------------------------------------------------------------------------
# The tool's own errors
# ---------------------------------------------------------------------------


@needs_tool
class CliErrors(Base):
    def test_bad_literals(self):
        for bad in ["howdy", "'unterminated", "1.2.3", "0x", "Nonee", "'\\x4'",
                    "[1]", "", "2**70", "9223372036854775808", "b'\u20ac'"]:
            with self.subTest(literal=bad):
                code, out, err = tool("list", "create", bad, check=False)
                if code == 0:
                    self.keep(out.strip())
                self.assertNotEqual(code, 0, "accepted %r" % bad)
                self.assertTrue(err.strip(), "no message for %r" % bad)

    def test_missing_names(self):
        name = "pyshm_cpy_missing_%d" % os.getpid()
        for args in [("list", "show", name), ("list", "get", name, "0"),
                     ("list", "set", name, "0", "1"), ("list", "format", name),
                     ("dump", name), ("inspect", name), ("unlink", name)]:
            with self.subTest(args=args):
                code, _, err = tool(*args, check=False)
                self.assertNotEqual(code, 0)
                self.assertIn("FileNotFoundError", err)

    def test_list_errors(self):
        name = self.tool_create([1, "abc"], "py39")
        for args, exc in [(("list", "get", name, "2"), "IndexError"),
                          (("list", "get", name, "-3"), "IndexError"),
                          (("list", "set", name, "1", "'123456789'"), "ValueError"),
                          (("list", "set", name, "5", "1"), "IndexError")]:
            with self.subTest(args=args):
                code, _, err = tool(*args, check=False)
                self.assertNotEqual(code, 0)
                self.assertIn(exc, err)
        self.assertEqual(tool_out("list", "show", name), "[1, 'abc']")

    def test_usage(self):
        for args in [(), ("frobnicate",), ("list",), ("list", "get")]:
            with self.subTest(args=args):
                code, _, err = tool(*args, check=False)
                self.assertNotEqual(code, 0)
                self.assertTrue(err.strip())

# ---------------------------------------------------------------------------
# Values: Python's literal grammar, against ast.literal_eval
# ---------------------------------------------------------------------------


def oracle_python():
    """An interpreter whose Unicode database is the one the tool's \\N{} names
    come from (14.0.0, CPython 3.11): this one, else a 3.11 found by PYTHONS
    or under the pyenv root."""
    if unicodedata.unidata_version == "14.0.0":
        return sys.executable
    for path in [p for v, p in sorted(PYTHONS.items()) if v == (3, 11)] + [resolve("3.11")]:
        if path and version_of(path) == (3, 11):
            return path
    return None


def tool_parse(texts, chunk=300):
    """`pyshm parse` of each text: ["value", repr], ["range"], ["encode"] or
    ["reject", message]."""
    out = []
    for i in range(0, len(texts), chunk):
        part = texts[i:i + chunk]
        _, stdout, err = tool("parse", "--", *part, check=False)
        lines = stdout.split("\n")[:-1]
        if len(lines) != len(part):
            raise ToolError("pyshm parse: %d lines for %d values: %s" % (len(lines), len(part),
                                                                         err[-500:]))
        for line in lines:
            if line.startswith("error: struct.error"):
                out.append(["range"])
            elif line.startswith("error: UnicodeEncodeError"):
                out.append(["encode"])
            elif line.startswith("error: "):
                out.append(["reject", line])
            else:
                out.append(["value", line])
    return out


EXTENSION = re.compile(r"[\s(+-]*(inf|infinity|nan)[\s)]*")


@needs_tool
class Literals(Base):
    def test_corpus_agrees_with_literal_eval(self):
        """Every literal of the corpus: the tool accepts exactly what
        ast.literal_eval accepts (as a value a ShareableList stores), with the
        same value; inf and nan, the tool's extensions, aside."""
        python = oracle_python()
        if python is None:
            self.skipTest("no CPython 3.11 (Unicode 14.0.0, the tool's \\N{} names)")
        texts = literal_corpus.corpus()
        p = subprocess.run([python, os.path.join(HERE, "literal_corpus.py"), "--oracle"],
                           input=json.dumps(texts), stdout=subprocess.PIPE,
                           universal_newlines=True, timeout=300, check=True)
        want = json.loads(p.stdout)
        got = tool_parse(texts)
        wrong = [(t, w, g) for t, w, g in zip(texts, want, got)
                 if g[:2] != w and not (w == ["reject"] and g[0] == "reject")
                 and not EXTENSION.fullmatch(t)]
        valid = sum(1 for w in want if w[0] != "reject")
        print("\nliterals: %d (%d valid for literal_eval), %d disagree with CPython %s"
              % (len(texts), valid, len(wrong), os.path.basename(os.path.dirname(
                  os.path.dirname(python))) or python), file=sys.stderr)
        self.assertGreaterEqual(len(texts), 5000)
        self.assertEqual(wrong[:10], [], "%d of %d literals disagree" % (len(wrong), len(texts)))

    def test_extensions(self):
        self.assertEqual(tool_parse(["inf", "-inf", "+inf", "infinity", "nan", "-(inf)"]),
                         [["value", "inf"], ["value", "-inf"], ["value", "inf"],
                          ["value", "inf"], ["value", "nan"], ["value", "-inf"]])

    def test_long_float_is_not_cut(self):
        text = "0." + "0" * 600 + "1e605"  # a 600-digit mantissa
        self.assertEqual(tool_parse([text]), [["value", repr(float(text))]])
        self.assertEqual(repr(float(text)), "10000.0")
        name = self.keep(tool_out("list", "create", text))
        self.assertEqual(tool_out("list", "show", name), "[10000.0]")

    def test_errors_name_the_rule(self):
        for text, why in [("007", "leading zeros"), ("1_", "invalid decimal literal"),
                          ("bb'x'", "invalid string prefix"), ("'\\N{NO SUCH}'", "unknown"),
                          ("'abc", "unterminated")]:
            with self.subTest(text=text):
                code, _, err = tool("list", "create", text, check=False)
                self.assertEqual(code, 1)
                self.assertIn(why, err)
                self.assertIn(repr(text), err)

# ---------------------------------------------------------------------------
# A writer in another process: torn reads, truncation
# ---------------------------------------------------------------------------

RACE_RUNS = int(os.environ.get("RACE_RUNS", "150"))

FLIPPER = r"""
import sys
from multiprocessing import resource_tracker, shared_memory
sl = shared_memory.ShareableList(name=sys.argv[1])
resource_tracker.unregister(sl.shm._name, "shared_memory")
A, B, X, Y = "a", "b" * 30, b"x" * 20, b"yy"
print("go", flush=True)
while True:
    sl[0] = B; sl[2] = Y
    sl[0] = A; sl[2] = X
"""

TRUNCATER = r"""
import os, sys
fd = os.open("/dev/shm/" + sys.argv[1], os.O_RDWR)
size = os.fstat(fd).st_size
image = os.pread(fd, size, 0)
print("go", flush=True)
while True:
    os.ftruncate(fd, 0); os.ftruncate(fd, size); os.pwrite(fd, image, 0)
"""


@needs_tool
class Races(Base):
    def writer(self, script, name):
        w = subprocess.Popen([sys.executable, "-c", script, name], stdout=subprocess.PIPE)
        self.addCleanup(w.stdout.close)
        self.addCleanup(w.wait)
        self.addCleanup(w.kill)
        self.assertEqual(w.stdout.readline().strip(), b"go")
        return w

    @unittest.skipUnless(os.path.isdir("/dev/shm"), "needs /dev/shm")
    def test_flipping_writer(self):
        """show and get print a value that was there, or fail clearly: never a
        cut-off repr or a mix of two values with exit 0."""
        # The writer is this interpreter: the list is in its layout.
        name = self.tool_create(["b" * 30, 7, b"x" * 20],
                                "py38" if sys.version_info < (3, 9) else "py39")
        self.writer(FLIPPER, name)
        # The written values, and the empty value: CPython's struct.pack_into
        # zeroes the slot before it copies, so a reader may really see it.
        firsts, lasts = ("''", "'a'", repr("b" * 30)), ("b''", repr(b"x" * 20), "b'yy'")
        good = {"show": {"[%s, 7, %s]" % (a, x) for a in firsts for x in lasts},
                "get": set(firsts)}
        torn, errors = [], []
        for _ in range(RACE_RUNS):
            for cmd, args in (("show", ()), ("get", ("0",))):
                code, out, err = tool("list", cmd, name, *args, check=False)
                if code == 0 and out.rstrip("\n") not in good[cmd]:
                    torn.append((cmd, out[:80]))
                elif code != 0:
                    errors.append((cmd, code, err.strip()[:200]))
        print("\nflipping writer: %d runs each of show and get: %d torn, %d errors"
              % (RACE_RUNS, len(torn), len(errors)), file=sys.stderr)
        self.assertEqual(torn, [])
        for cmd, code, err in errors:
            self.assertEqual(code, 1, err)
            self.assertNotIn("buffer too small", err)
            self.assertRegex(err, r"^pyshm: list \w+: \w+Error: ")

    @unittest.skipUnless(os.path.isdir("/dev/shm"), "needs /dev/shm")
    def test_truncating_writer(self):
        """A block truncated under the tool: a clear error and exit 1, never
        a death by SIGBUS."""
        name = self.tool_create(["b" * 30, 7, b"x" * 20], "py39")
        self.writer(TRUNCATER, name)
        # A SIGBUS may cut the library's attach short, before it returns the
        # handle the tool would free: not a leak of the tool's.
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        counts = {}
        for _ in range(RACE_RUNS):
            for cmd, args in (("show", ()), ("get", ("0",)), ("dump", ())):
                argv = ["list", cmd, name] if cmd != "dump" else [cmd, name]
                p = subprocess.run([TOOL] + argv + list(args), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60, env=env)
                err = p.stderr.decode("utf-8", "replace")
                kind = ("ok" if p.returncode == 0 else
                        "truncated" if "truncated by another process" in err else
                        "error" if p.returncode == 1 else "died %d" % p.returncode)
                counts[kind] = counts.get(kind, 0) + 1
                if p.returncode == 1 and not re.match(r"pyshm: [\w ]+: \w+Error: ", err):
                    counts["unclear"] = counts.get("unclear", 0) + 1
        print("\ntruncating writer: %d runs each of show, get, dump: %s"
              % (RACE_RUNS, counts), file=sys.stderr)
        self.assertEqual([k for k in counts if k not in ("ok", "truncated", "error")], [])

# ---------------------------------------------------------------------------
# Names that would forge output
# ---------------------------------------------------------------------------


@needs_tool
class HostileNames(Base):
    NAMES = ["pyshm_nl_%d\nforged\t1", "pyshm_tab_%d\t99", "pyshm_esc_%d\x1b[31m",
             "pyshm_bad_%d\udcff\udcfe", "pyshm_quote_%d'\"\\", "pyshm_sp_%d x"]

    def setUp(self):
        super().setUp()
        if not os.path.isdir("/dev/shm"):
            self.skipTest("needs /dev/shm")
        self.hostile = []
        for n in self.NAMES:
            name = n % os.getpid()
            path = b"/dev/shm/" + os.fsencode(name)
            with open(path, "wb") as f:
                f.write(b"\0" * 16)
            self.addCleanup(os.unlink, path)
            self.hostile.append(name)

    def test_ls_escapes(self):
        code, out, _ = tool("ls")
        lines = out.split("\n")[:-1]
        for line in lines:
            self.assertEqual(len(line.split("\t")), 2, line)
            shown = line.split("\t")[0]
            self.assertFalse(any(ord(c) < 0x20 or 0xdc80 <= ord(c) <= 0xdcff for c in shown),
                             repr(line))
        for name in self.hostile:
            self.assertIn("%s\t16" % repr(name), lines)

    def test_messages_escape(self):
        for name in self.hostile:
            for args in (("dump", name + "\nmissing"), ("list", "show", name + "\amissing"),
                         ("unlink", name + "\x1b[2Jmissing")):
                with self.subTest(args=args):
                    code, out, err = tool(*args, check=False)
                    self.assertEqual(code, 1)
                    self.assertEqual(err.count("\n"), 1, repr(err))
                    self.assertNotIn("\x1b", err)
                    self.assertIn(repr(args[-1]), err)
            code, out, err = tool("inspect", name, check=False)
            self.assertEqual(out.split("\n")[0], "block " + repr(name))

# ---------------------------------------------------------------------------
# count/index of an int outside int64, set with a bad index and a bad value
# ---------------------------------------------------------------------------

SEARCH = r"""
import json, sys
from multiprocessing import resource_tracker, shared_memory
sl = shared_memory.ShareableList(name=sys.argv[1])
resource_tracker.unregister(sl.shm._name, "shared_memory")
out = []
for text in json.loads(sys.argv[2]):
    v = eval(text)
    try:
        c = sl.count(v)
    except Exception as e:
        c = type(e).__name__
    try:
        i = sl.index(v)
    except Exception as e:
        i = type(e).__name__
    out.append([c, i])
sl.shm.close()
print(json.dumps(out))
"""

SET = r"""
import json, sys
from multiprocessing import resource_tracker, shared_memory
out = []
for index, text in json.loads(sys.argv[1]):
    sl = shared_memory.ShareableList([1, "abc"])
    try:
        sl[index] = eval(text)
        out.append("ok")
    except Exception as e:
        out.append(("struct." if type(e).__module__ == "struct" else "") + type(e).__name__)
    sl.shm.close(); sl.shm.unlink()
print(json.dumps(out))
"""


@needs_tool
class BigIntsAndOrder(Base):
    ITEMS = [1e20, 2, -1e20, 18446744073709551616.0, float("inf"), "a", 9.223372036854776e18,
             1e300]
    VALUES = ["10**20", "-10**20", "10**20 + 1", "2**64", "2**63", "-2**63 - 1", "10**400",
              "int(1e300)", "int(1e300) + 1", "2", "3", "'\\ud800'"]

    def python(self):
        """A CPython 3.9 or later: the tool's lists are py39, and 3.8 has no
        negative indexes."""
        if not PY39S:
            self.skipTest("no CPython 3.9 or later")
        return PYTHONS[PY39S[-1]]

    def test_count_index_big_ints(self):
        """An int outside int64 equals a float item exactly, as in CPython."""
        name = self.tool_create(self.ITEMS, "py39")
        p = subprocess.run([self.python(), "-c", SEARCH, name, json.dumps(self.VALUES)],
                           stdout=subprocess.PIPE, universal_newlines=True, timeout=60,
                           check=True)
        want = json.loads(p.stdout)
        for text, (count, index) in zip(self.VALUES, want):
            # The literal the tool takes: the value itself, in decimal or hex.
            v = eval(text)
            for lit in ([str(v), hex(v)] if isinstance(v, int) else [text]):
                with self.subTest(value=text, literal=lit[:30]):
                    for cmd, expect in (("count", count), ("index", index)):
                        code, out, err = tool("list", cmd, name, "--", lit, check=False)
                        if isinstance(expect, int):
                            self.assertEqual((code, out.strip()), (0, str(expect)), err)
                        else:
                            self.assertEqual(code, 1)
                            self.assertIn(expect, err)

    def test_set_checks_the_index_first(self):
        cases = [(5, "2**70"), (-7, "2**70"), (5, "'\\ud800'"), (2, "-2**64"), (0, "2**70"),
                 (1, "'\\ud800'"), (5, "1"), (1, "'abcdefgh'"), (1, "'abcdefghi'")]
        p = subprocess.run([self.python(), "-c", SET, json.dumps(cases)],
                           stdout=subprocess.PIPE, universal_newlines=True, timeout=60,
                           check=True)
        for (index, text), expect in zip(cases, json.loads(p.stdout)):
            with self.subTest(index=index, value=text):
                name = self.tool_create([1, "abc"], "py39")
                v = eval(text)
                lit = str(v) if isinstance(v, int) else text
                code, _, err = tool("list", "set", name, index, "--", lit, check=False)
                if expect == "ok":
                    self.assertEqual(code, 0, err)
                else:
                    self.assertEqual(code, 1)
                    self.assertIn(expect, err)
        # -2N <= I < -N: CPython adds N once and lets Python's list indexing
        # wrap the offset a second time (a CPython defect: it then reads a
        # format before the format area); the tool's index is out of range.
        name = self.tool_create([1, "abc"], "py39")
        code, _, err = tool("list", "set", name, "-3", str(2 ** 70), check=False)
        self.assertEqual(code, 1)
        self.assertIn("IndexError", err)

    def test_list_usage(self):
        code, out, err = tool("list", "--help", check=False)
        self.assertEqual(code, 0)
        self.assertIn("pyshm list show NAME", out)
        self.assertNotIn("pyshm dump", out)
        code, out, err = tool("list", check=False)
        self.assertEqual(code, 2)
        self.assertIn("pyshm list show NAME", err)
        code, out, err = tool("list", "frobnicate", check=False)
        self.assertEqual(code, 2)
        self.assertIn("unknown command list 'frobnicate'", err)


# ---------------------------------------------------------------------------
# CPython's resource tracker: what a peer sees
# ---------------------------------------------------------------------------


@needs_tool
class ResourceTracker(Base):
    ATTACH = ("import sys\nfrom multiprocessing import shared_memory as s\n"
              "sl = s.ShareableList(name=sys.argv[1])\nprint(repr(list(sl)))\nsl.shm.close()\n")

    def test_attach_and_exit(self):
        """3.8-3.12 unlink, at exit, every block an interpreter merely
        attached; 3.13 too unless it attached with track=False."""
        for version in sorted(PYTHONS):
            with self.subTest(cpython=version):
                name = self.tool_create([1, "a"], "py38" if version == (3, 8) else "py39")
                p = subprocess.run([PYTHONS[version], "-c", self.ATTACH, name],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   universal_newlines=True, timeout=60)
                self.assertEqual(p.stdout.strip(), "[1, 'a']", p.stderr)
                code, _, err = tool("dump", name, check=False)
                self.assertNotEqual(code, 0, "CPython %d.%d left the block" % version)
                self.assertIn("FileNotFoundError", err)

    def test_track_false(self):
        v = next((v for v in sorted(PYTHONS) if v >= (3, 13)), None)
        if v is None:
            self.skipTest("no CPython 3.13 or later for SharedMemory(track=False)")
        name = self.keep(tool_out("create", "16"))
        code = ("import sys\nfrom multiprocessing import shared_memory as s\n"
                "m = s.SharedMemory(name=sys.argv[1], track=False)\nm.buf[0] = 7\nm.close()\n")
        subprocess.run([PYTHONS[v], "-c", code, name], check=True, timeout=60)
        self.assertEqual(tool_hex(name), "07" + "00" * 15)


if __name__ == "__main__":
    print("test_cpython.py: pyshm %s; CPython %s" % (
        TOOL, ", ".join("%d.%d" % v for v in sorted(PYTHONS))), file=sys.stderr)
    if not PY38:
        print("test_cpython.py: " + NO_PY38, file=sys.stderr)
    unittest.main(verbosity=1)
