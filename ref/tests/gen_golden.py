#!/usr/bin/env python3
"""Regenerates golden.h: ShareableList images, reads, reprs and equalities
produced by real CPython interpreters, for the reference's unit tests.

    python3 gen_golden.py [--py38 PYTHON3.8] [--py39 PYTHON3.9+] [-o golden.h]

Without options the interpreters are looked up under the pyenv root
($PYENV_ROOT, `pyenv root` or ~/.pyenv): 3.8.* for the "py38" layout and
3.11.* (whose Unicode database, 14.0, is the one the reference's repr
follows) for "py39", else the running interpreter if it is 3.9 or later.

The script runs itself in each interpreter with --worker; the worker prints
JSON, and this driver turns it into C. Images are little-endian, as made on
the machines that ran the generator. Run it without -O (asserts matter).
"""
import json
import math
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "cpython"), os.path.join(HERE, "..", "..", "ci")]
from peer import exc_name, tag, truncates  # noqa: E402  (one value encoding for all tests)
from pythons import resolve  # noqa: E402

# --------------------------------------------------------------------------
# The cases. Shared by driver and worker; keep this part 3.8-compatible.
# --------------------------------------------------------------------------


def f64(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


NAN_PAYLOAD = f64(0x7FF80000DEADBEEF)
NAN_NEG = f64(0xFFF8000000000001)
INF = float("inf")
NAN = float("nan")

# (name, items): the image of each must be what pyshm_list_encode() writes.
ENCODE_CASES = [
    ("doc_example", ["howdy", b"HoWdY", -273.154, 100, None, True, 42]),
    ("empty", []),
    ("str_empty", [""]),
    ("bytes_empty", [b""]),
    ("floats", [-0.0, 0.0, INF, -INF, NAN, NAN_PAYLOAD, NAN_NEG, 5e-324,
                1.7976931348623157e308, 0.1, -273.154, 1e16]),
    ("ints", [-2 ** 63, 2 ** 63 - 1, 0, -1, 1, 2 ** 53 + 1]),
    ("bools", [True, False]),
    ("nones", [None, None, None]),
    ("mixed_eq", [1, 1.0, True, 0, -0.0, False, NAN, None, "a", b"a",
                  2 ** 53 + 1, float(2 ** 53), 2 ** 63 - 1, float(2 ** 63),
                  -2 ** 63, float(-2 ** 63)]),
    ("trailing_nul", ["a\x00", b"b\x00\x00", "\x00", b"\x00" * 8]),
    ("embedded_nul", ["a\x00b", b"\x00x"]),
    ("control_chars", ["\t\n\r\x1b\x7f", b"\xff\xfe\x80"]),
]
for _n in (1, 7, 8, 9, 15, 16, 17, 31, 32, 33):
    ENCODE_CASES.append(("str_len%d" % _n, ["abcdefghijklmnopqrstuvwxyz0123456789"[:_n]]))
    ENCODE_CASES.append(("bytes_len%d" % _n, [bytes(range(65, 65 + _n))]))

# Non-ASCII strings, one per case: where CPython sizes the slot from the
# character count and truncates, two cases are made (the reference image and
# CPython's truncated one, read-only).
NONASCII = [
    ("e_acute_1", "\u00e9"),
    ("e_acute_4", "\u00e9" * 4),
    ("e_acute_5", "\u00e9" * 5),
    ("e_acute_8", "\u00e9" * 8),
    ("euro_2", "\u20ac" * 2),
    ("euro_3", "\u20ac" * 3),
    ("euro_7", "\u20ac" * 7),
    ("mixed_fit", "ab\u20acd"),
    ("clef_1", "\U0001d11e"),
    ("clef_2", "\U0001d11e" * 2),
    ("clef_3", "\U0001d11e" * 3),
    ("cjk_16", "\u4e2d" * 16),
    ("max_cp", "\U0010ffff"),
    ("ascii_then_euro", "abcdefg\u20ac"),
]

# Images CPython makes and then has patched, to pin how odd but readable
# (or unreadable) slots decode. (name, items, patches); a patch is
# ("data", item, offset in slot, bytes) | ("fmt", item, bytes) | ("code", item, int).
PATCH_CASES = [
    ("code3_over_q", [5], [("code", 0, 3)]),
    ("code3_over_s", ["abc"], [("code", 0, 3)]),
    ("code3_over_bool", [True], [("code", 0, 3)]),
    ("code0_none_fmt", [None], [("code", 0, 0)]),
    ("code0_none_fmt_byte6", [None], [("code", 0, 0), ("data", 0, 6, b"\x05")]),
    ("none_junk", [None], [("data", 0, 0, b"\x01\x02\x03\x04\x05\x06\x07\x08")]),
    ("bool_byte7_0x80", [False], [("data", 0, 7, b"\x80")]),
    ("bool_padding_junk", [False], [("data", 0, 0, b"\xff" * 7)]),
    ("code2_over_str", ["abc"], [("code", 0, 2)]),
    ("code1_over_bytes", [b"abc"], [("code", 0, 1)]),
    ("fmt_smaller_s", ["abcdefghijklmno"], [("fmt", 0, b"8s\x00\x00\x00\x00\x00\x00")]),
    ("fmt_d_over_q", [1], [("fmt", 0, b"d" + b"\x00" * 7)]),
    ("fmt_q_over_d", [1.5], [("fmt", 0, b"q" + b"\x00" * 7)]),
    ("utf8_ff", ["abcd"], [("data", 0, 0, b"\xff")]),
    ("utf8_lone_cont", ["abcd"], [("data", 0, 1, b"\x80")]),
    ("utf8_overlong", ["abcd"], [("data", 0, 0, b"\xc0\x80")]),
    ("utf8_overlong3", ["abcd"], [("data", 0, 0, b"\xe0\x80\xaf")]),
    ("utf8_surrogate", ["abcd"], [("data", 0, 0, b"\xed\xa0\x80")]),
    ("utf8_above_max", ["abcd"], [("data", 0, 0, b"\xf4\x90\x80\x80")]),
    ("utf8_f5", ["abcd"], [("data", 0, 0, b"\xf5\x80\x80\x80")]),
    ("utf8_truncated", ["abcdefg"], [("data", 0, 5, b"\xe2\x82")]),
    ("utf8_ok_max", ["abcd"], [("data", 0, 0, b"\xf4\x8f\xbf\xbf")]),
    ("utf8_ok_d7ff", ["abc"], [("data", 0, 0, b"\xed\x9f\xbf")]),
    ("utf8_ok_fffe", ["abc"], [("data", 0, 0, b"\xef\xbf\xbe")]),
    ("nul_in_middle", ["abcdefg"], [("data", 0, 2, b"\x00")]),
    ("second_item_bad", ["ok", "abcd", 7], [("data", 1, 0, b"\xff")]),
]

# Set sequences: (name, layouts, items, [(index, value), ...][, patches]);
# patches (as in PATCH_CASES) are applied to the image before the sets.
SET_CASES = [
    ("keeps_narrow_format", ("py38", "py39"), ["abcdefghijklmno"],
     [(0, "xyz"), (0, b"12345678"), (0, 5), (0, "uv")],
     [("fmt", 0, b"8s\x00\x00\x00\x00\x00\x00")]),
    ("int_to_str_and_back", ("py38", "py39"), [100, "abcdefghij"],
     [(0, "hi"), (0, "toolongvalue"), (0, 5), (1, "x" * 16), (1, "x" * 17), (1, 2.5)]),
    ("str_int_str_keeps_tail", ("py38", "py39"), ["abcdefghijkl"],
     [(0, 7), (0, True), (0, None), (0, -1.0), (0, "xy")]),
    ("bytes_keep_format", ("py38", "py39"), [b"abc", "xyz"],
     [(0, "str"), (1, b"by"), (0, b"12345678"), (0, b"123456789"), (1, "")]),
    ("nonascii_set", ("py38", "py39"), ["abcdefgh"],
     [(0, "\u20ac" * 5), (0, "\u20ac" * 6), (0, "\u00e9" * 8), (0, "\U0001d11e" * 4),
      (0, "\U0001d11e" * 5)]),
    ("none_bool_slots", ("py38", "py39"), [None, True, False],
     [(0, "12345678"), (1, b"z"), (2, None), (0, 0), (1, 1.0)]),
    ("index_errors", ("py38", "py39"), [1, 2],
     [(2, 3), (100, "x"), (0, "\ud800"), (1, "a\udfffb")]),
    ("negative_index", ("py39",), [1, "abc", b"d"],
     [(-1, b"e"), (-3, "x"), (-2, 9)]),
    # Not (-4, ...): CPython 3.9+ does not raise IndexError for index -len-1
    # (its range check runs after adding len once), reading or writing the
    # bytes before the formats instead; the reference gives EINDEX.
    ("extremes", ("py38", "py39"), [0, 0.0],
     [(0, -2 ** 63), (1, NAN_PAYLOAD), (0, 2 ** 63 - 1), (1, -0.0), (0, INF)]),
]

PROBES = [1, 1.0, True, 0, 0.0, -0.0, False, None, NAN, "howdy", b"howdy", b"HoWdY",
          "HoWdY", 100, 100.0, 42, -273.154, 2 ** 53, 2 ** 53 + 1, float(2 ** 53),
          2 ** 63 - 1, float(2 ** 63), -2 ** 63, INF, "", b"", "a", b"a", "\x00", b"\x00"]

EQ_POOL = [1, 1.0, True, 0, 0.0, -0.0, False, None, NAN, NAN_PAYLOAD, INF, -INF,
           2 ** 53, 2 ** 53 + 1, float(2 ** 53), float(2 ** 53 + 2), 2 ** 63 - 1,
           float(2 ** 63), -2 ** 63, float(-2 ** 63), 0.5, 2, 2.0, -1, -1.0,
           "a", b"a", "", b"", "1", "\u00e9", "\u00e9".encode(), "a\x00", b"a\x00"]


def repr_pool():
    rnd = random.Random(20240601)
    vals = [0.0, -0.0, INF, -INF, NAN, NAN_PAYLOAD, 1.0, -1.0, 0.1, 0.2, 0.30000000000000004,
            1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.0001, 0.00001, 1e22, 1e23,
            123456789012345678.0, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
            1.7976931348623157e308, -273.154, 1 / 3, 2 / 3, 100.0, 1e100, 1.5e-300,
            float(2 ** 53), float(2 ** 53 + 2), 4.35, 0.5, 12345.678]
    for k in range(-1074, 1024, 37):
        vals.append(2.0 ** k)
    for k in range(-20, 25):
        vals.append(10.0 ** k)
        vals.append(-(10.0 ** k) * 1.5)
    for _ in range(150):
        f = f64(rnd.getrandbits(64))
        if not math.isnan(f):
            vals.append(f)
    for _ in range(40):
        vals.append(f64(rnd.getrandbits(52)))  # subnormals
    for _ in range(60):
        vals.append(rnd.uniform(-1e6, 1e6))
    vals += [0, 1, -1, 2 ** 63 - 1, -2 ** 63, 42, True, False, None]
    vals += ["", "howdy", "'", '"', "'\"", "\\", "a'b", 'a"b', "it's \"x\"",
             "".join(chr(c) for c in range(128)), "".join(chr(c) for c in range(128, 256)),
             "\u00ad", "\u2028", "\u2029", "\u3000", "\u0378", "\ue000", "\ufeff", "\ufffd",
             "\uffff", "\U0001f600", "\U0010ffff", "\U000e0001", "\U0001d11e", "\u20ac",
             "\u200b", "\u061c", "\U0001fb00", "\U0001faf0", "\U0002a6df", "\U0003134a",
             "\x00", "a\x00b", "\x7f", "\x85", "\xa0", "caf\u00e9", "\u4e2d\u6587",
             "\u0301", "e\u0301", "\U00013430", "\U0001d173", "\U000f0000"]
    for _ in range(40):
        n = rnd.randint(1, 12)
        s = []
        for _ in range(n):
            r = rnd.random()
            if r < 0.3:
                c = rnd.randint(0, 0x7F)
            elif r < 0.6:
                c = rnd.randint(0x80, 0xFFFF)
            else:
                c = rnd.randint(0x10000, 0x10FFFF)
            if 0xD800 <= c <= 0xDFFF:
                c = 0xFFFD
            s.append(chr(c))
        vals.append("".join(s))
    vals += [b"", b"HoWdY", b"'", b'"', b"'\"", b"\\", bytes(range(256)), b"\x00",
             b"\t\n\r", b"\x7f\x80"]
    for _ in range(20):
        vals.append(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 10))))
    return vals


# str values holding bytes that are not UTF-8: the reference shows them as
# Python's surrogateescape decoding would.
BAD_UTF8_REPR = [b"\xff", b"a\x80b", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80",
                 b"\xe2\x82", b"ok\xe2\x82\xacno\xe2", b"'\xff\""]

# --------------------------------------------------------------------------
# Worker: runs inside one interpreter, prints JSON.
# --------------------------------------------------------------------------


def worker():
    from multiprocessing import shared_memory
    SL = shared_memory.ShareableList
    layout = "py38" if sys.version_info < (3, 9) else "py39"

    def image(sl):
        return bytes(sl.shm.buf)

    def header_slots(img):
        n = struct.unpack_from("<q", img, 0)[0]
        if layout == "py38":
            sizes = struct.unpack_from("<%dq" % n, img, 8)
            offs = [0]
            for s in sizes:
                offs.append(offs[-1] + s)
            data = 8 * (n + 1)
        else:
            offs = list(struct.unpack_from("<%dq" % (n + 1), img, 8))
            data = 8 * (n + 2)
        fmts = data + offs[-1]
        return n, data, offs, fmts, fmts + 8 * n

    def reads(sl, n):
        out = []
        for i in range(n):
            try:
                v = sl[i]
                out.append({"repr": repr(v), "val": tag(v)})
            except Exception as e:
                out.append({"exc": exc_name(e)})
        res = {"reads": out}
        try:
            res["list_repr"] = repr(list(sl))
        except Exception as e:
            res["list_exc"] = exc_name(e)
        res["format"] = sl.format
        probes = []
        for p in PROBES:
            d = {}
            try:
                d["count"] = sl.count(p)
            except Exception as e:
                d["count_exc"] = exc_name(e)
            try:
                d["index"] = sl.index(p)
            except Exception as e:
                d["index_exc"] = exc_name(e)
            probes.append(d)
        res["probes"] = probes
        return res

    def done(sl):
        sl.shm.close()
        sl.shm.unlink()

    out = {"layout": layout, "version": "%d.%d.%d" % sys.version_info[:3]}
    import unicodedata
    out["unidata"] = unicodedata.unidata_version

    encode = {}
    cases = list(ENCODE_CASES) + [("nonascii_" + n, [s]) for n, s in NONASCII]
    for name, items in cases:
        if any(truncates(v) for v in items):
            # CPython's own (truncated) image, read-only.
            sl = SL(items)
            encode[name + "_cpython"] = dict(image=image(sl).hex(), **reads(sl, len(items)))
            done(sl)
            # The reference image: a bytes slot sized from the UTF-8 length,
            # then the str stored into it (the format "<alloc>s" is kept).
            sl = SL([v.encode() if truncates(v) else v for v in items])
            for i, v in enumerate(items):
                if truncates(v):
                    sl[i] = v
                    assert sl[i] == v
        else:
            sl = SL(items)
        encode[name] = dict(image=image(sl).hex(), **reads(sl, len(items)))
        done(sl)
    out["encode"] = encode

    def patch(sl, patches):
        buf = sl.shm.buf
        n, data, offs, fmts, codes = header_slots(image(sl))
        for p in patches:
            if p[0] == "data":
                at = data + offs[p[1]] + p[2]
                buf[at:at + len(p[3])] = p[3]
            elif p[0] == "fmt":
                at = fmts + 8 * p[1]
                buf[at:at + 8] = p[2]
            else:
                buf[codes + p[1]] = p[2]

    patched = {}
    for name, items, patches in PATCH_CASES:
        sl = SL(items)
        patch(sl, patches)
        again = SL(name=sl.shm.name)
        patched[name] = dict(image=image(again).hex(), **reads(again, len(items)))
        again.shm.close()
        done(sl)
    out["patched"] = patched

    sets = {}
    for case in SET_CASES:
        name, layouts, items, steps = case[:4]
        if layout not in layouts:
            continue
        sl = SL(items)
        patch(sl, case[4] if len(case) > 4 else [])
        rec = {"image": image(sl).hex(), "steps": []}
        for index, value in steps:
            step = {}
            try:
                sl[index] = value
            except Exception as e:
                step["exc"] = exc_name(e)
            step["after"] = image(sl).hex()
            rec["steps"].append(step)
        sets[name] = rec
        done(sl)
    out["sets"] = sets

    # The largest str/bytes CPython accepts (its format must fit 8 bytes).
    limit = {}
    for n in (9999991, 9999992):
        try:
            sl = SL([b"x" * n])
            done(sl)
            limit[str(n)] = None
        except Exception as e:
            limit[str(n)] = exc_name(e)
    out["limit"] = limit

    if layout == "py39":
        out["reprs"] = [[tag(v), repr(v)] for v in repr_pool()]
        out["bad_utf8"] = [[b.hex(), repr(b.decode("utf-8", "surrogateescape"))]
                           for b in BAD_UTF8_REPR]
        out["eq"] = "".join("1" if a == b else "0" for a in EQ_POOL for b in EQ_POOL)
    json.dump(out, sys.stdout)


# --------------------------------------------------------------------------
# Driver: runs the workers, writes C.
# --------------------------------------------------------------------------


def c_str(b):
    if b is None:
        return "NULL"
    out = []
    for c in b:
        ch = chr(c)
        if c < 128 and (ch.isalnum() or ch in " _-.,:;()[]{}=+*/<>!#%&|~^@$"):
            out.append(ch)
        else:
            out.append("\\%03o" % c)
    return '"' + "".join(out) + '"'


def c_val(t):
    kind = t[0]
    if kind == "none":
        return "{PYSHM_NONE, 0, 0, NULL, 0}"
    if kind == "bool":
        return "{PYSHM_BOOL, %d, 0, NULL, 0}" % t[1]
    if kind == "int":
        i = t[1]
        lit = "(-INT64_C(9223372036854775807) - 1)" if i == -2 ** 63 else "INT64_C(%d)" % i
        return "{PYSHM_INT, %s, 0, NULL, 0}" % lit
    if kind == "float":
        return "{PYSHM_FLOAT, 0, UINT64_C(0x%016x), NULL, 0}" % t[1]
    b = bytes.fromhex(t[1])
    return "{PYSHM_%s, 0, 0, %s, %d}" % ("STR" if kind == "str" else "BYTES", c_str(b), len(b))


def c_bytes(h):
    b = bytes.fromhex(h)
    rows = []
    for i in range(0, len(b), 16):
        rows.append("    " + " ".join("0x%02x," % c for c in b[i:i + 16]))
    return "{\n" + "\n".join(rows) + "\n}" if b else "{0}"


class Out:
    def __init__(self):
        self.lines = []
        self.n = 0

    def sym(self, prefix):
        self.n += 1
        return "g_%s%d" % (prefix, self.n)

    def emit(self, s):
        self.lines.append(s)

    def array(self, ctype, prefix, rows):
        name = self.sym(prefix)
        body = ",\n".join("    " + r for r in rows) if rows else "    {0}"
        self.emit("static const %s %s[] = {\n%s\n};" % (ctype, name, body))
        return name


def py_str(s):
    return c_str(s.encode("utf-8", "surrogatepass")) if s is not None else "NULL"


def emit_image(o, layout, rec):
    if rec is None:
        return "{0, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL, 0}"
    img = o.sym("img")
    o.emit("static const uint8_t %s[] = %s;" % (img, c_bytes(rec["image"])))
    reads = o.array("struct golden_read", "reads", [
        "{%s, %s, %s}" % (py_str(r.get("repr")), py_str(r.get("exc")),
                          c_val(r["val"]) if "val" in r else c_val(["none"]))
        for r in rec["reads"]])
    probes = o.array("struct golden_probe", "probes", [
        "{%s, %d, %s, %d, %s}" % (c_val(tag(p)), d.get("count", 0), py_str(d.get("count_exc")),
                                  d.get("index", -1), py_str(d.get("index_exc")))
        for p, d in zip(PROBES, rec["probes"])])
    return "{%s, %s, %d, %s, %d, %s, %s, %s, %s, %d}" % (
        "PYSHM_LAYOUT_PY38" if layout == "py38" else "PYSHM_LAYOUT_PY39", img,
        len(rec["image"]) // 2, reads, len(rec["reads"]), py_str(rec.get("list_repr")),
        py_str(rec.get("list_exc")), py_str(rec["format"]), probes, len(PROBES))


def generate(res38, res39):
    o = Out()
    o.emit("/* golden.h - generated by gen_golden.py; do not edit. */")
    o.emit("/* CPython %s made the py38 images, CPython %s (Unicode %s) the rest. */" % (
        res38["version"] if res38 else "(none)", res39["version"], res39["unidata"]))
    o.emit('#define GOLDEN_PY39_VERSION "%s"' % res39["version"])
    o.emit('#define GOLDEN_UNIDATA_VERSION "%s"' % res39["unidata"])
    lim = res39["limit"]
    assert lim["9999991"] is None and lim["9999992"] == "AssertionError", lim
    o.emit("const size_t golden_cpython_item_max = 9999991;")
    o.emit("const char golden_cpython_item_too_long_exc[] = \"%s\";" % lim["9999992"])

    rs = [r for r in (res38, res39) if r]
    case_rows = []
    all_encode = list(ENCODE_CASES) + [("nonascii_" + n, [s]) for n, s in NONASCII]
    for name, items in all_encode:
        for suffix, encodes in (("", 1), ("_cpython", 0)):
            if name + suffix not in res39["encode"]:
                continue
            it = o.array("struct golden_val", "items", [c_val(tag(v)) for v in items])
            imgs = [emit_image(o, "py38", res38["encode"][name + suffix] if res38 else None),
                    emit_image(o, "py39", res39["encode"][name + suffix])]
            case_rows.append("{%s, %s, %d, %d, {%s, %s}}" % (
                c_str((name + suffix).encode()), it, len(items), encodes, imgs[0], imgs[1]))
    for name, items, _ in PATCH_CASES:
        it = o.array("struct golden_val", "items", [c_val(tag(v)) for v in items])
        imgs = [emit_image(o, "py38", res38["patched"][name] if res38 else None),
                emit_image(o, "py39", res39["patched"][name])]
        case_rows.append("{%s, %s, %d, 0, {%s, %s}}" % (
            c_str(("patched_" + name).encode()), it, len(items), imgs[0], imgs[1]))
    o.emit("const struct golden_case golden_cases[] = {\n    %s\n};" % ",\n    ".join(case_rows))
    o.emit("const size_t golden_ncases = sizeof golden_cases / sizeof golden_cases[0];")

    set_rows = []
    for case in SET_CASES:
        name, layouts, items, steps = case[:4]
        for r in rs:
            if r["layout"] not in layouts:
                continue
            rec = r["sets"][name]
            it = o.array("struct golden_val", "items", [c_val(tag(v)) for v in items])
            img = o.sym("img")
            o.emit("static const uint8_t %s[] = %s;" % (img, c_bytes(rec["image"])))
            step_rows = []
            for (index, value), st in zip(steps, rec["steps"]):
                after = o.sym("img")
                o.emit("static const uint8_t %s[] = %s;" % (after, c_bytes(st["after"])))
                step_rows.append("{INT64_C(%d), %s, %s, %s, %d}" % (
                    index, c_val(tag(value)), py_str(st.get("exc")), after,
                    len(st["after"]) // 2))
            steps_sym = o.array("struct golden_step", "steps", step_rows)
            set_rows.append("{%s, %s, %s, %d, %d, %s, %d, %s, %d}" % (
                c_str(("%s_%s" % (name, r["layout"])).encode()),
                "PYSHM_LAYOUT_PY38" if r["layout"] == "py38" else "PYSHM_LAYOUT_PY39",
                it, len(items), 0 if len(case) > 4 else 1, img, len(rec["image"]) // 2, steps_sym, len(step_rows)))
    o.emit("const struct golden_set_case golden_set_cases[] = {\n    %s\n};" %
           ",\n    ".join(set_rows))
    o.emit("const size_t golden_nset_cases = "
           "sizeof golden_set_cases / sizeof golden_set_cases[0];")

    rows = ["{%s, %s}" % (c_val(t), py_str(r)) for t, r in res39["reprs"]]
    rows += ["{%s, %s}" % (c_val(["str", h]), py_str(r)) for h, r in res39["bad_utf8"]]
    o.emit("const struct golden_repr golden_reprs[] = {\n    %s\n};" % ",\n    ".join(rows))
    o.emit("const size_t golden_nreprs = sizeof golden_reprs / sizeof golden_reprs[0];")

    o.emit("const struct golden_val golden_eq_pool[] = {\n    %s\n};" %
           ",\n    ".join(c_val(tag(v)) for v in EQ_POOL))
    o.emit("const size_t golden_neq_pool = sizeof golden_eq_pool / sizeof golden_eq_pool[0];")
    o.emit("const char golden_eq_matrix[] = \"%s\";" % res39["eq"])
    o.emit("const int golden_have_py38 = %d;" % (1 if res38 else 0))
    return "\n".join(o.lines) + "\n"


def run_worker(python):
    p = subprocess.run([python, os.path.abspath(__file__), "--worker"], stdout=subprocess.PIPE,
                       check=True, universal_newlines=True)
    return json.loads(p.stdout)


def main(argv):
    if argv[1:2] == ["--worker"]:
        worker()
        return 0
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--py38", help="a CPython 3.8 interpreter")
    ap.add_argument("--py39", help="a CPython 3.9+ interpreter (3.11 preferred)")
    ap.add_argument("-o", "--output",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.h"))
    a = ap.parse_args(argv[1:])
    py38 = a.py38 or resolve("3.8")
    py39 = a.py39 or resolve("3.11") or (sys.executable if sys.version_info >= (3, 9) else None)
    if not py39:
        sys.exit("gen_golden.py: no CPython 3.9 or later found (use --py39)")
    if not py38:
        print("gen_golden.py: no CPython 3.8 found; py38 images left out", file=sys.stderr)
    res38 = run_worker(py38) if py38 else None
    res39 = run_worker(py39)
    assert res39["layout"] == "py39" and (res38 is None or res38["layout"] == "py38")
    text = generate(res38, res39)
    with open(a.output, "w") as f:
        f.write(text)
    print("gen_golden.py: wrote %s (py38: CPython %s, py39: CPython %s)" % (
        a.output, res38["version"] if res38 else "none", res39["version"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
