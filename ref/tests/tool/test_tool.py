#!/usr/bin/env python3
"""The pyshm tool as its users meet it: help, JSON, dump, inspect, ls,
literal errors, the man page and shell completion.

    PYSHM=path/to/pyshm PYSHM_MAN=path/to/pyshm.1 python3 test_tool.py

Lists and blocks are made by CPython itself (this interpreter's
multiprocessing.shared_memory), and what the tool prints is parsed back and
compared with what CPython reads from the same block. `dump` is compared
with `hexdump -C`, the man page (rendered by groff or mandoc) with `pyshm
help`, the completion scripts are run by bash and zsh. Standard library
only; every block made is unlinked.
"""
import ast
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from multiprocessing import resource_tracker, shared_memory

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TOOL = os.environ.get("PYSHM", "")
MAN = os.environ.get("PYSHM_MAN", "")
COMPLETION = os.path.join(TOP, "ref", "cli", "completion")


def header_version():
    with open(os.path.join(TOP, "ref", "include", "pyshm.h")) as f:
        return re.search(r'^#define PYSHM_VERSION "(.*)"$', f.read(), re.M).group(1)


def run(*args, env=None):
    """(exit status, stdout, stderr) of the tool."""
    p = subprocess.run([TOOL] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, env=env)
    return (p.returncode, p.stdout.decode("utf-8", "surrogateescape"),
            p.stderr.decode("utf-8", "surrogateescape"))


def out(*args):
    code, stdout, stderr = run(*args)
    if code != 0:
        raise AssertionError("pyshm %s: exit %d: %s" % (" ".join(map(str, args)), code, stderr))
    return stdout


def commands():
    """Every command, from the tool's own completion: ["create", ..., "list show", ...]."""
    top = out("__complete", "--", "").split()
    group = out("__complete", "--", "list", "").split()
    return [c for c in top if c != "list"] + ["list " + c for c in group]


# Errors are Python's: the exception's name, then why.
ERROR = re.compile(r"^pyshm: (?:[a-z]+(?: [a-z]+)?: )?(?:\w+\.)?\w*(?:Error|error): \S")


def can_list_blocks():
    code, _, err = run("ls")
    return code == 0


class Base(unittest.TestCase):
    def setUp(self):
        self.blocks = []
        self.attached = []

    def tearDown(self):
        for shm in self.blocks:
            shm.close()
            try:
                shm.unlink()
            except FileNotFoundError:
                pass
        for shm in self.attached:  # the tool's: CPython no longer tracks them
            shm.close()
            run("unlink", shm.name)

    def cpython_list(self, items):
        sl = shared_memory.ShareableList(items)
        self.blocks.append(sl.shm)
        return sl

    def cpython_block(self, data):
        shm = shared_memory.SharedMemory(create=True, size=len(data))
        shm.buf[:len(data)] = data
        self.blocks.append(shm)
        return shm

    def tool_list(self, *values):
        """A list the tool creates; CPython attaches it (and forgets it at exit)."""
        name = out("list", "create", "--", *values).strip()
        return self.attach(name)

    def attach(self, name):
        """A list the tool made, attached by CPython, which is told to forget it
        (its resource tracker would unlink it at exit)."""
        sl = shared_memory.ShareableList(name=name)
        resource_tracker.unregister(sl.shm._name, "shared_memory")
        self.attached.append(sl.shm)
        return sl


# ---------------------------------------------------------------------------
# Help, usage errors, version
# ---------------------------------------------------------------------------


class Help(Base):
    def test_overview(self):
        outputs = set()
        for args in (["--help"], ["-h"], ["help"]):
            code, stdout, stderr = run(*args)
            self.assertEqual((code, stderr), (0, ""), args)
            outputs.add(stdout)
        self.assertEqual(len(outputs), 1, "--help, -h and help print the same")
        text = outputs.pop()
        self.assertTrue(text.startswith("usage: pyshm "), text[:80])
        for c in commands():
            self.assertRegex(text, r"\n  pyshm %s\b" % re.escape(c))
        code, stdout, stderr = run()
        self.assertEqual((code, stdout, stderr), (2, "", text), "no command: the overview on stderr")

    def test_every_command_has_help(self):
        cmds = commands()
        self.assertGreaterEqual(len(cmds), 14)
        for c in cmds:
            with self.subTest(command=c):
                helps = set()
                for args in (c.split() + ["--help"], c.split() + ["-h"], ["help"] + c.split(),
                             c.split() + ["NAME", "--help", "--bogus"]):
                    code, stdout, stderr = run(*args)
                    self.assertEqual((code, stderr), (0, ""), args)
                    helps.add(stdout)
                self.assertEqual(len(helps), 1, "every way of asking gives the same help")
                text = helps.pop()
                usage = text.split("\n")[0]
                self.assertTrue(usage.startswith("usage: pyshm %s [-h]" % c), usage)
                self.assertIn("\noptions:\n  -h, --help", text)
                # Each option of the usage line is described, and accepted:
                # the parser gets past it to the next, unknown, option.
                for flag, metavar in re.findall(r"\[(--[a-z]+)( [^\]]+)?\]", usage):
                    self.assertRegex(text, r"\n  %s\b" % flag)
                    value = ["py39" if "py39" in metavar else "x"] if metavar else []
                    code, _, err = run(*(c.split() + [flag] + value + ["--bogus"]))
                    self.assertEqual(code, 2)
                    self.assertIn("unrecognized option '--bogus'", err)

    def test_group_and_topics(self):
        code, stdout, stderr = run("list", "--help")
        self.assertEqual((code, stderr), (0, ""))
        self.assertEqual(stdout, out("help", "list"))
        self.assertIn("pyshm list show NAME", stdout)
        self.assertNotIn("pyshm dump", stdout)
        for topic, words in (("values", "'\\N{EURO SIGN}'"), ("json", '"bits"')):
            text = out("help", topic)
            self.assertIn(words, text)
        code, stdout, stderr = run("help", "nonsense")
        self.assertEqual((code, stdout), (2, ""))
        self.assertIn("no help for 'nonsense'", stderr)

    def test_version(self):
        want = "pyshm %s\n" % header_version()
        self.assertEqual(run("--version"), (0, want, ""))
        self.assertEqual(run("-V"), (0, want, ""))

    def test_unknown_options(self):
        for c in commands():
            if c == "help":
                continue
            with self.subTest(command=c):
                code, stdout, stderr = run(*(c.split() + ["--bogus"]))
                self.assertEqual((code, stdout), (2, ""))
                lines = stderr.split("\n")
                self.assertTrue(lines[0].startswith("usage: pyshm %s [-h]" % c), stderr)
                self.assertIn("unrecognized option '--bogus'", lines[1])
        code, _, stderr = run("inspect", "x", "--jsno")
        self.assertIn("Did you mean: '--json'?", stderr)
        for args in (["-x"], ["list", "-x"], ["--bogus"]):
            code, stdout, stderr = run(*args)
            self.assertEqual((code, stdout), (2, ""), args)
            self.assertTrue(stderr.startswith("usage: pyshm "), stderr)

    def test_unknown_commands_and_missing_arguments(self):
        code, _, stderr = run("list", "shwo")
        self.assertEqual(code, 2)
        self.assertIn("unknown command list 'shwo'. Did you mean: 'show'?", stderr)
        code, _, stderr = run("shwo")
        self.assertIn("Did you mean: 'list show'?", stderr)
        for args in (["list", "get", "x"], ["dump"], ["create"], ["list", "set", "x", "0"]):
            code, stdout, stderr = run(*args)
            self.assertEqual((code, stdout), (2, ""), args)
            self.assertTrue(stderr.startswith("usage: pyshm %s [-h]" % " ".join(args[:2 if args[0] == "list" else 1])), stderr)
            self.assertIn("missing arguments", stderr)

    def test_errors_are_python_like(self):
        name = "pyshm_tool_missing_%d" % os.getpid()
        sl = self.tool_list("1", "'abc'")
        for args, exc in ((("list", "show", name), "FileNotFoundError"),
                          (("list", "get", sl.shm.name, "5"), "IndexError"),
                          (("list", "set", sl.shm.name, "1", "'123456789'"), "ValueError"),
                          (("list", "index", sl.shm.name, "7"), "ValueError"),
                          (("create", "0"), "ValueError"),
                          (("dump", name), "FileNotFoundError"),
                          (("list", "create", "2**70"), "ValueError")):
            with self.subTest(args=args):
                code, _, stderr = run(*args)
                self.assertEqual(code, 1)
                self.assertRegex(stderr.split("\n")[0], ERROR)
                self.assertIn(exc + ": ", stderr)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

ITEMS = ["howdy", b"HoWdY", -273.154, 100, None, True, 42, False, -0.0, float("inf"),
         float("-inf"), float("nan"), 5e-324, 2 ** 63 - 1, -2 ** 63, "", b"",
         "\u20ac\U0001d11e", "tab\tnl\n\"q'\\", b"\x00\xff", "\x7f\x1b", 1.7976931348623157e308]


def bits(f):
    return struct.pack(">d", f).hex()


def decode(v):
    """The Python value a JSON value object stands for, checking its form."""
    t, value = v["type"], v["value"]
    if t == "float":
        f = float.fromhex(value)
        if f == f:
            assert bits(f) == v["bits"], v
        return struct.unpack(">d", bytes.fromhex(v["bits"]))[0]
    if t == "bytes":
        return bytes.fromhex(value)
    want = {"int": int, "bool": bool, "str": str, "NoneType": type(None)}[t]
    assert type(value) is want, v
    return value


def same(a, b):
    """Equal values of the same type; floats bit for bit."""
    if type(a) is not type(b):
        return False
    return bits(a) == bits(b) if isinstance(a, float) else a == b


class Json(Base):
    def parse(self, text):
        """The JSON document, checked to be one line written as json.dumps() writes it."""
        self.assertTrue(text.endswith("\n") and text.count("\n") == 1, text[-80:])
        doc = json.loads(text)
        self.assertEqual(json.dumps(doc) + "\n", text, "written as json.dumps() writes it")
        return doc

    def check_value(self, v, item):
        got = decode(v)
        self.assertTrue(same(got, item), "%r read back as %r" % (item, got))
        self.assertEqual(v["repr"], repr(item))
        if isinstance(item, float):
            self.assertEqual(v["bits"], bits(item))
            if item == item:
                self.assertEqual(v["value"], item.hex(), "float.hex()")

    def test_list_values_as_cpython_reads_them(self):
        sl = self.cpython_list(ITEMS)
        name = sl.shm.name
        cpython = list(sl)
        doc = self.parse(out("list", "show", "--json", name))
        self.assertEqual((doc["name"], doc["layout"]), (name, "py39"))
        self.assertEqual(len(doc["items"]), len(cpython))
        for v, item in zip(doc["items"], cpython):
            self.check_value(v, item)
        for i in list(range(len(cpython))) + [-1, -len(cpython)]:
            self.check_value(self.parse(out("list", "get", name, i, "--json")), cpython[i])
        self.assertEqual(self.parse(out("list", "len", name, "--json")), len(sl))
        self.assertEqual(self.parse(out("list", "format", name, "--json")), sl.format)
        for value, text in ((100, "100"), (1, "1.0"), ("howdy", "'howdy'"), (None, "None"),
                            (b"", "b''")):
            self.assertEqual(self.parse(out("list", "count", name, "--json", "--", text)),
                             sl.count(value))
            self.assertEqual(self.parse(out("list", "index", name, "--json", "--", text)),
                             sl.index(value))

    def test_plain_output_unchanged(self):
        sl = self.cpython_list(ITEMS)
        name = sl.shm.name
        self.assertEqual(out("list", "show", name), repr(list(sl)) + "\n")
        self.assertEqual(out("list", "get", name, 2), "-273.154\n")
        self.assertEqual(out("list", "len", name), "%d\n" % len(sl))
        self.assertEqual(out("list", "format", name), sl.format + "\n")

    def test_py38_layout(self):
        sl = self.tool_list("1", "'a'")
        name = out("list", "create", "--layout", "py38", "1", "'a'").strip()
        try:
            doc = self.parse(out("list", "show", "--json", name))
            self.assertEqual(doc["layout"], "py38")
            self.assertEqual([decode(v) for v in doc["items"]], list(sl))
        finally:
            run("unlink", name)

    def test_parse(self):
        texts = ["42", "-0x10", "1_000", "-273.154", "1e-7", "inf", "-inf", "nan", "'howdy'",
                 "b'\\x00\\xff'", "'\\u20ac'", "None", "True", "False", "2**70", "howdy",
                 "'\\ud800'", "10**400", "99999999999999999999"]
        code, text, _ = run("parse", "--json", "--", *texts)
        self.assertEqual(code, 1, "some are refused")
        docs = self.parse(text)
        self.assertEqual([d["text"] for d in docs], texts)
        for text, d in zip(texts, docs):
            with self.subTest(text=text):
                try:
                    want = ast.literal_eval(text) if text not in ("inf", "-inf", "nan") else float(text)
                except (ValueError, SyntaxError):
                    want = ValueError
                if isinstance(want, int) and not isinstance(want, bool) and not -2**63 <= want < 2**63:
                    self.assertEqual(d["error"]["type"], "struct.error")
                elif isinstance(want, str) and any(0xD800 <= ord(c) < 0xE000 for c in want):
                    self.assertEqual(d["error"]["type"], "UnicodeEncodeError")
                elif want is ValueError:
                    self.assertEqual(d["error"]["type"], "ValueError")
                    self.assertGreaterEqual(d["error"]["column"], 1)
                else:
                    self.assertTrue(same(decode(d["value"]), want) or
                                    (want != want and decode(d["value"]) != decode(d["value"])))
                    self.assertEqual(d["value"]["repr"], repr(want))

    @unittest.skipUnless(os.path.isdir("/dev/shm"), "needs /dev/shm")
    def test_ls(self):
        if not can_list_blocks():
            self.skipTest("this system cannot enumerate blocks")
        sl = self.cpython_list([1, "two", 3.0])
        empty = self.cpython_list([])
        block = self.cpython_block(b"\0" * 4096)
        # A name that is not UTF-8: JSON has it as os.fsdecode() does.
        odd = "pyshm_tool_odd_%d\udcff" % os.getpid()
        path = b"/dev/shm/" + os.fsencode(odd)
        with open(path, "wb") as f:
            f.write(b"\0" * 16)
        self.addCleanup(os.unlink, path)
        plain = {line.split("\t")[0]: line.split("\t")[1:] for line in out("ls").splitlines()}
        docs = {d["name"]: d for d in self.parse(out("ls", "--json"))}
        long_docs = {d["name"]: d for d in self.parse(out("ls", "--long", "--json"))}
        long_plain = {line.split("\t")[0]: line.split("\t")[1:]
                      for line in out("ls", "--long").splitlines()}
        for shm, kind, items in ((sl.shm, "list", 3), (empty.shm, "list", 0), (block, None, None)):
            with self.subTest(name=shm.name):
                self.assertEqual(docs[shm.name], {"name": shm.name, "size": shm.size})
                self.assertEqual(plain[shm.name], [str(shm.size)])
                d = long_docs[shm.name]
                if kind:
                    self.assertEqual(d["list"], {"layout": "py39", "items": items})
                    self.assertEqual(long_plain[shm.name],
                                     [str(shm.size), "ShareableList py39, %d item%s"
                                      % (items, "" if items == 1 else "s")])
                else:
                    self.assertIsNone(d["list"])
                    self.assertEqual(long_plain[shm.name], [str(shm.size), "-"])
        self.assertIn(odd, docs)
        self.assertEqual(os.fsencode(odd), os.fsencode(docs[odd]["name"]))
        self.assertIn(repr(odd), plain, "plain ls shows such a name as repr()")


# ---------------------------------------------------------------------------
# dump and inspect
# ---------------------------------------------------------------------------


def hexdump_c(data):
    """What `hexdump -C` prints for data."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["hexdump", "-C", f.name], stdout=subprocess.PIPE, check=True,
                              universal_newlines=True).stdout


class Dump(Base):
    def raw(self, name):
        p = subprocess.run([TOOL, "dump", "--raw", name], stdout=subprocess.PIPE, check=True)
        return p.stdout

    def test_like_hexdump(self):
        if shutil.which("hexdump") is None:
            self.fail("hexdump is not installed (Debian: bsdextrautils)")
        cases = [b"\x00", bytes(range(15)), bytes(range(16)), bytes(range(17)),
                 b"\0" * 4096, b"A" * 21, b"\0" * 32 + b"x" + b"\0" * 47,
                 bytes(range(256)) * 3 + b"tail", os.urandom(1000),
                 b"\0" * 16 + b"\1" + b"\0" * 15 + b"\0" * 16]
        for data in cases:
            with self.subTest(size=len(data), head=data[:4]):
                shm = self.cpython_block(data)
                raw = self.raw(shm.name)
                self.assertEqual(raw, bytes(shm.buf), "--raw writes the block's bytes")
                self.assertEqual(out("dump", shm.name), hexdump_c(raw))
        sl = self.cpython_list(ITEMS)
        self.assertEqual(out("dump", sl.shm.name), hexdump_c(bytes(sl.shm.buf)))


LINE = re.compile(r"^([0-9a-f]{8})  ((?:[0-9a-f]{2} )*)\s*(?:\.\.\. )?\s*(\S.*)$")


class Inspect(Base):
    def test_fields_at_their_offsets(self):
        sl = self.cpython_list(ITEMS)
        image = bytes(sl.shm.buf)
        code, text, err = run("inspect", sl.shm.name)
        self.assertEqual(code, 0, err)
        lines = text.splitlines()
        self.assertEqual(lines[0], "block " + sl.shm.name)
        self.assertEqual(lines[-1], "valid")
        fields = [LINE.match(line) for line in lines[3:-1]]
        self.assertTrue(all(fields), [l for l, m in zip(lines[3:-1], fields) if not m])
        offsets = []
        for m in fields:
            offset, shown = int(m.group(1), 16), bytes.fromhex(m.group(2).replace(" ", ""))
            self.assertEqual(image[offset:offset + len(shown)], shown, m.group(0))
            offsets.append(offset)
        self.assertEqual(offsets, sorted(offsets), "fields in the order they lie")
        self.assertEqual(fields[0].group(3), "N = %d" % len(sl))
        self.assertEqual(fields[-1].group(3), "end of the image")
        self.assertEqual(offsets[-1], len(image))
        for i, item in enumerate(sl):
            self.assertIn("item %d = %r" % (i, item), text)

    def test_json_fields(self):
        sl = self.cpython_list(ITEMS)
        image = bytes(sl.shm.buf)
        doc = json.loads(out("inspect", "--json", sl.shm.name))
        self.assertEqual((doc["layout"], doc["detected"], doc["n"], doc["valid"], doc["error"]),
                         ("py39", True, len(sl), True, None))
        at = 0
        for f in doc["fields"]:  # contiguous, covering the image
            self.assertEqual(f["offset"], at, f)
            at += f["size"]
            word = image[f["offset"]:f["offset"] + f["size"]]
            name = f["field"]
            if name == "N" or name.startswith("offsets["):
                self.assertEqual(f["value"], struct.unpack("q", word)[0])
            elif name.startswith("item "):
                self.assertTrue(same(decode(f["value"]), sl[int(name[5:])]), f)
            elif name.startswith("format "):
                self.assertEqual(f["value"], word.rstrip(b"\0").decode())
            elif name.startswith("code "):
                self.assertEqual(f["value"], word[0])
        self.assertEqual(at, len(image))

    def test_corrupt_header(self):
        sl = self.cpython_list([1, 2, 3])
        sl.shm.buf[8 * 3:8 * 4] = struct.pack("q", 99)  # offsets[2] runs past the image
        code, text, _ = run("inspect", sl.shm.name)
        self.assertEqual(code, 1)
        self.assertTrue(text.splitlines()[-1].startswith("INVALID offsets[2]: 99 runs past"), text)
        self.assertIn("offsets[2] = 99", text)
        self.assertIn("N = 3", text)
        code, text, _ = run("inspect", "--json", sl.shm.name)
        doc = json.loads(text)
        self.assertEqual(code, 1)
        self.assertEqual((doc["valid"], doc["error"]["type"], doc["layout"]),
                         (False, "ValueError", "py39"))
        self.assertEqual([f["field"] for f in doc["fields"]],
                         ["N", "offsets[0]", "offsets[1]", "offsets[2]"])

    def test_invalid_item(self):
        sl = self.cpython_list(["abc", 2])
        sl.shm.buf[32:34] = b"\xff\xfe"  # item 0, after N and offsets[0..2]: not UTF-8
        code, text, _ = run("inspect", sl.shm.name)
        self.assertEqual(code, 1)
        self.assertRegex(text, r"item 0: INVALID .*UTF-8")
        self.assertIn("item 1 = 2", text, "the other items are still shown")
        self.assertEqual(text.splitlines()[-1], "INVALID")


# ---------------------------------------------------------------------------
# Literals refused: where, and what was meant
# ---------------------------------------------------------------------------


class Literals(Base):
    CASES = [("howdy", 1, 1, 5, "'howdy'"), ("1 2", 1, 3, 1, None), ("'abc", 1, 1, 1, None),
             ("b'\u20ac'", 1, 3, 1, None), ("(1,", 1, 3, 1, None), ("007", 1, 1, 3, None),
             ("-Infinity", 1, 2, 8, "-inf"), ("1_", 1, 1, 2, None), ("'\\x4'", 1, 2, 3, None),
             ("1\n2", 2, 1, 1, None), ("true", 1, 1, 4, "True"), ("'it's'", 1, 5, 1, '"it\'s"'),
             ("hello world", 1, 1, 5, "'hello world'"), ("null", 1, 1, 4, "None")]

    def test_column_and_suggestion(self):
        for text, line, column, width, suggestion in self.CASES:
            with self.subTest(text=text):
                err = json.loads(run("parse", "--json", "--", text)[1])[0]["error"]
                self.assertEqual((err["line"], err["column"], err.get("suggestion")),
                                 (line, column, suggestion))
                code, _, stderr = run("list", "create", "--", text)
                self.assertEqual(code, 1)
                lines = stderr.split("\n")
                self.assertRegex(lines[0], ERROR)
                if line > 1:
                    self.assertEqual(lines.pop(1), "  line %d:" % line)
                shown, caret = lines[1], lines[2]
                self.assertEqual(shown, "    " + text.split("\n")[line - 1])
                self.assertEqual(caret, " " * (3 + column) + "^" * width, stderr)
                if suggestion:
                    self.assertTrue(lines[3].startswith("Did you mean: %s?" % suggestion), stderr)
                    # What it suggests is a value, as meant.
                    value = json.loads(out("parse", "--json", "--", suggestion))[0]["value"]
                    self.assertNotIn("error", value)
                else:
                    self.assertEqual(lines[3], "")
                self.assertIn("column %d)" % column, run("parse", "--", text)[1])

    def test_suggestion_from_a_shell(self):
        code, _, stderr = run("list", "create", "howdy")
        self.assertIn("""Did you mean: 'howdy'? (in a shell: "'howdy'")""", stderr)
        # Taken as said, through a shell, it makes the list CPython reads.
        p = subprocess.run("%s list create \"'howdy'\"" % TOOL, shell=True,
                           stdout=subprocess.PIPE, universal_newlines=True, check=True)
        self.assertEqual(list(self.attach(p.stdout.strip())), ["howdy"])


# ---------------------------------------------------------------------------
# The man page says what the help says
# ---------------------------------------------------------------------------


def render_man(roff):
    """The man page as plain text, one long line per paragraph."""
    with tempfile.NamedTemporaryFile("w", suffix=".1") as f:
        f.write(roff)
        f.flush()
        if shutil.which("groff"):
            cmd = ["groff", "-man", "-Tascii", "-P-c", "-P-b", "-P-o", "-P-u", "-rLL=2000n", f.name]
        elif shutil.which("mandoc"):
            cmd = ["mandoc", "-Tascii", "-Owidth=2000", f.name]
        else:
            raise unittest.SkipTest("neither groff nor mandoc")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, check=True)
        if p.stderr.strip():
            raise AssertionError("the man page has errors: " + p.stderr)
        return re.sub(r".\x08", "", p.stdout)


def words(text):
    return " ".join(text.split())


def help_chunks(text):
    """A help text's paragraphs and option entries, whitespace folded."""
    chunks = []
    for para in re.split(r"\n\s*\n", text):
        if para.startswith("usage: "):
            chunks.append(para[len("usage: "):].split("\n")[0])
        elif para.startswith("options:\n"):
            for entry in re.split(r"\n(?=  -)", para[len("options:\n"):]):
                chunks.append(entry)
        elif para.strip() and not para.startswith(("Shared memory blocks", "Lists", "Help:")):
            chunks.append(para.replace("Exit status:\n", ""))
    return [words(c) for c in chunks if c.strip()]


def man_problems(roff):
    """What of `pyshm help` the man page lacks, and commands it has that the tool has not."""
    text = words(render_man(roff))
    problems = []
    helps = [("overview", out("--help"))]
    helps += [(c, out("help", *c.split())) for c in commands()]
    helps += [(t, out("help", t)) for t in ("values", "json")]
    for what, h in helps:
        for chunk in help_chunks(h):
            if chunk.startswith("pyshm ") or what != "overview":
                if chunk not in text:
                    problems.append("%s: %r" % (what, chunk[:70]))
    sections = re.findall(r'^\.SS "(.*)"$', roff, re.M)
    usages = [out("help", *c.split()).split("\n")[0][len("usage: "):] for c in commands()]
    man_usages = [words(s.replace("\\-", "-")) for s in sections]
    if sorted(man_usages) != sorted(usages):
        problems.append("commands: the man page has %s, the tool %s" % (man_usages, usages))
    return problems


class ManPage(Base):
    def setUp(self):
        super().setUp()
        if not MAN or not os.path.exists(MAN):
            self.fail("PYSHM_MAN names no man page (got %r)" % MAN)
        with open(MAN) as f:
            self.roff = f.read()

    def test_says_what_help_says(self):
        self.assertEqual(man_problems(self.roff), [])
        self.assertIn(".TH PYSHM 1", self.roff)
        self.assertIn("pyshm %s" % header_version(), self.roff)

    def test_the_comparison_can_fail(self):
        """A page that lost a command, or an option's words, is caught."""
        cut = re.sub(r'^\.SS "pyshm list get.*?(?=^\.SS )', "", self.roff, flags=re.M | re.S)
        self.assertNotEqual(cut, self.roff)
        self.assertTrue(any("list get" in p for p in man_problems(cut)))
        changed = self.roff.replace("write the bytes themselves", "write the bytes")
        self.assertNotEqual(changed, self.roff)
        self.assertTrue(any(p.startswith("dump:") for p in man_problems(changed)))


# ---------------------------------------------------------------------------
# Shell completion
# ---------------------------------------------------------------------------


class Completion(Base):
    CASES = [
        ([""], ["create", "unlink", "ls", "dump", "inspect", "parse", "list", "help"]),
        (["li"], ["list"]),
        (["list", "s"], ["show", "set"]),
        (["list", "show", "--"], ["--layout", "--json", "--help"]),
        (["inspect", "--layout", ""], ["py38", "py39"]),
        (["help", "js"], ["json"]),
        (["help", "list", "c"], ["create", "count"]),
        (["dump", "--raw", "--"], ["--help"]),
        (["list", "set", "x", "0", ""], []),
    ]

    def setUp(self):
        super().setUp()
        self.bin = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.bin)
        os.symlink(os.path.abspath(TOOL), os.path.join(self.bin, "pyshm"))
        self.env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"])

    def cases(self):
        shm = self.cpython_block(b"\0" * 8)
        prefix = shm.name[:-2]
        named = [shm.name] if can_list_blocks() else []
        return self.CASES + [(["list", "show", prefix], named), (["dump", "--raw", prefix], named)]

    def check(self, got, want, words_):
        if words_[-1] and words_[:2] in (["list", "show"], ["dump", "--raw"]):
            self.assertEqual([g for g in got if g in want], want, words_)  # others' blocks too
        else:
            self.assertEqual(sorted(got), sorted(want), words_)

    def test_tool_candidates(self):
        for ws, want in self.cases():
            got = out("__complete", "--", *ws).splitlines()
            self.check(got, want, ws)
            described = out("__complete", "--describe", "--", *ws).splitlines()
            self.assertEqual([d.split("\t")[0] for d in described], got)

    def test_bash(self):
        script = os.path.join(COMPLETION, "pyshm.bash")
        for ws, want in self.cases():
            with self.subTest(words=ws):
                words_ = " ".join("'%s'" % w for w in ["pyshm"] + ws)
                p = subprocess.run(
                    ["bash", "--norc", "-c", 'source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _pyshm; '
                     'printf "%%s\\n" "${COMPREPLY[@]}"' % (words_, len(ws)), "bash", script],
                    stdout=subprocess.PIPE, universal_newlines=True, env=self.env, check=True)
                self.check([w for w in p.stdout.split("\n") if w], want, ws)

    def test_zsh(self):
        if shutil.which("zsh") is None:
            self.fail("zsh is not installed")
        for ws, want in self.cases():
            with self.subTest(words=ws):
                words_ = " ".join("'%s'" % w for w in ["pyshm"] + ws)
                # compadd is zsh's own, inside completion only: here it
                # prints what _pyshm offers, with the descriptions shown.
                p = subprocess.run(
                    ["zsh", "-f", "-c",
                     'fpath=("$1" $fpath); autoload -Uz _pyshm; '
                     'compadd() { print -rl -- "${cands[@]}"; print -rl -- "${descs[@]}" >&2 }; '
                     'words=(%s); CURRENT=%d; _pyshm' % (words_, len(ws) + 1), "zsh", COMPLETION],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                    env=self.env)
                # Status 1 when nothing is offered, as a completion function says so.
                self.assertEqual(p.returncode, 0 if want else 1, p.stderr)
                got = [w for w in p.stdout.split("\n") if w]
                self.check(got, want, ws)
                if ws == ["list", "s"]:
                    self.assertIn("show -- print the items as a Python list literal", p.stderr)


if __name__ == "__main__":
    if not TOOL or not os.access(TOOL, os.X_OK):
        raise SystemExit("test_tool.py: set PYSHM to the pyshm tool (got %r)" % TOOL)
    unittest.main(verbosity=1)
