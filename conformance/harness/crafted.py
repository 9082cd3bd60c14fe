"""Hand-made ShareableList images that CPython never writes: corrupt
headers, foreign formats, unknown codes. Each entry has the ops to run on
it, with what CPython answered when the entry was made (by generation, for
the reader: the verdict under the `cpython` profile is CPython run live in
the implementation's place), and the SPEC's decision, which the `strict`
profile asserts ("Where the reference refuses what CPython reads").

An expectation is a list of (op, result): op is "attach", "len", "get I"
or "set I WORD"; result is "ok", "ok WORD" or an exception class; "refused"
means ValueError at attach or at that op.
"""
import struct
import sys

_E = "<" if sys.byteorder == "little" else ">"


def image(gen, items, header=None, n=None, formats=None, codes=None, extra=b""):
    """items: [(format, raw slot bytes)]; header overrides the offsets/sizes."""
    n = len(items) if n is None else n
    allocs = [len(raw) for _, raw in items]
    if header is None:
        if gen == "py39":
            header = [0]
            for a in allocs:
                header.append(header[-1] + a)
        else:
            header = allocs
    fmts = formats if formats is not None else [f for f, _ in items]
    out = struct.pack(_E + "q", n) + b"".join(struct.pack(_E + "q", w) for w in header)
    out += b"".join(raw for _, raw in items)
    out += b"".join((f if isinstance(f, bytes) else f.encode()).ljust(8, b"\0")[:8] for f in fmts)
    out += bytes(c & 0xff for c in (codes if codes is not None else [0] * len(items)))
    return out + extra


def q(v):
    return struct.pack(_E + "q", v)


# name -> (builder(gen), expectation for CPython by gen, expectation for impl)
CASES = {}


def crafted(name, build, cpython, impl):
    CASES[name] = (build, cpython, impl)


def both(x):
    return {"py38": x, "py39": x}


# (1) N out of range
crafted("n-negative", lambda g: q(-1) + q(0) * 3,
        both([("attach", "ValueError")]),
        [("attach", "refused")])
crafted("n-huge", lambda g: q(1 << 40) + q(0) * 3,
        {"py38": [("attach", "struct.error")], "py39": [("attach", "MemoryError")]},
        [("attach", "refused")])
crafted("n-beyond-mapping", lambda g: q(1000) + q(0) * 7,
        both([("attach", "struct.error")]), [("attach", "refused")])
# (2) offsets / sizes
crafted("py39-offsets0-nonzero",
        lambda g: image(g, [("q", q(1)), ("q", q(2))], header=[8, 8, 16] if g == "py39" else None),
        {"py39": [("attach", "ok"), ("get 0", "ok int:2")],
         "py38": [("attach", "ok"), ("get 0", "ok int:1")]},
        {"py39": [("attach", "refused")], "py38": [("attach", "ok"), ("get 0", "ok int:1")]})
crafted("py39-offsets-decreasing",
        lambda g: image(g, [("q", q(1)), ("q", q(2))], header=[0, 16, 8] if g == "py39" else None),
        {"py39": [("attach", "ok"), ("get 0", "struct.error"), ("get 1", "ok int:113")],
         "py38": [("attach", "ok"), ("get 1", "ok int:2")]},
        {"py39": [("attach", "refused")], "py38": [("attach", "ok"), ("get 1", "ok int:2")]})
crafted("offsets-end-beyond-mapping",
        lambda g: image(g, [("q", q(1))], header=[0, 4096] if g == "py39" else [4096]),
        both([("attach", "ok"), ("get 0", "struct.error")]), [("attach", "refused")])
crafted("py38-size-negative",
        lambda g: image(g, [("q", q(1)), ("q", q(2))], header=[-8, 16] if g == "py38" else None),
        {"py38": [("attach", "ok"), ("get 0", "struct.error"), ("get 1", "ok int:16")],
         "py39": [("attach", "ok"), ("get 1", "ok int:2")]},
        {"py38": [("attach", "refused")], "py39": [("attach", "ok"), ("get 1", "ok int:2")]})
# (3) foreign formats
for fmt, raw, res in (("i", q(7), "ok int:7"), ("Q", q(5), "ok int:5"), ("?", q(1), "ok bool:1"),
                      ("08s", b"abcdefgh", "ok bytes:6162636465666768"),
                      ("<q", q(3), None), ("8p", b"\x03abcdefg", "ok bytes:616263")):
    if res is None:  # '<' changes byte order: the value depends on the host
        continue
    crafted("format-%s" % fmt.replace("<", "lt"), lambda g, f=fmt, r=raw: image(g, [(f, r)]),
            both([("attach", "ok"), ("get 0", res)]), [("attach", "ok"), ("get 0", "refused")])
crafted("format-bare-s", lambda g: image(g, [("s", b"abcdefgh")], codes=[2]),
        both([("attach", "ok"), ("get 0", "ok bytes:61")]), [("attach", "ok"), ("get 0", "refused")])
crafted("format-nul-inside", lambda g: image(g, [("q\0q", q(1))]),
        both([("attach", "ok"), ("get 0", "struct.error")]), [("attach", "ok"), ("get 0", "refused")])
crafted("format-not-utf8", lambda g: image(g, [("q", q(1))], formats=[b"\xff"]),
        both([("attach", "ok"), ("get 0", "UnicodeDecodeError")]), [("attach", "ok"), ("get 0", "refused")])
# (4) a format wider than its slot
crafted("format-16s-in-8-byte-slot",
        lambda g: image(g, [("16s", b"abcdefgh"), ("q", q(0x4142))], codes=[2, 0]),
        both([("attach", "ok"), ("get 0", "ok bytes:61626364656667684241")]),
        [("attach", "ok"), ("get 0", "refused")])
# A format narrower than its slot: only the format's width is read, and a
# set that fits the slot but not the format is cut by CPython, refused here.
crafted("format-8s-in-16-byte-slot",
        lambda g: image(g, [("8s", b"abc\0\0\0\0\0XYZWVUTS")], codes=[2]),
        both([("attach", "ok"), ("get 0", "ok bytes:616263"),
              ("set 0 bytes:616263646566676869", "ok"), ("get 0", "ok bytes:6162636465666768")]),
        [("attach", "ok"), ("get 0", "ok bytes:616263"),
         ("set 0 bytes:616263646566676869", "refused"), ("get 0", "ok bytes:616263")])
# (5) codes
crafted("code-7", lambda g: image(g, [("q", q(1))], codes=[7]),
        both([("attach", "ok"), ("get 0", "KeyError")]), [("attach", "ok"), ("get 0", "refused")])
crafted("code-negative", lambda g: image(g, [("q", q(1))], codes=[-1]),
        both([("attach", "ok"), ("get 0", "KeyError")]), [("attach", "ok"), ("get 0", "refused")])
crafted("code-0-with-8s", lambda g: image(g, [("8s", b"ab\0\0\0\0\0\0")], codes=[0]),
        both([("attach", "ok"), ("get 0", "ok bytes:6162000000000000")]),
        [("attach", "ok"), ("get 0", "refused")])
crafted("code-1-with-q", lambda g: image(g, [("q", q(1))], codes=[1]),
        both([("attach", "ok"), ("get 0", "AttributeError")]), [("attach", "ok"), ("get 0", "refused")])
crafted("code-2-with-bool", lambda g: image(g, [("xxxxxxx?", q(0))], codes=[2]),
        both([("attach", "ok"), ("get 0", "AttributeError")]), [("attach", "ok"), ("get 0", "refused")])
crafted("code-3-with-q", lambda g: image(g, [("q", q(5))], codes=[3]),
        both([("attach", "ok"), ("get 0", "ok none")]), [("attach", "ok"), ("get 0", "ok none")])
crafted("code-3-with-8s", lambda g: image(g, [("8s", b"abc\0\0\0\0\0")], codes=[3]),
        both([("attach", "ok"), ("get 0", "ok none")]), [("attach", "ok"), ("get 0", "ok none")])
crafted("code-0-with-none-format-byte6",
        lambda g: image(g, [("xxxxxx?x", b"\0\0\0\0\0\0\x01\0"), ("xxxxxx?x", b"\xff" * 6 + b"\0\xff")],
                        codes=[0, 0]),
        both([("attach", "ok"), ("get 0", "ok bool:1"), ("get 1", "ok bool:0")]),
        [("attach", "ok"), ("get 0", "ok bool:1"), ("get 1", "ok bool:0")])
crafted("bool-any-nonzero-byte", lambda g: image(g, [("xxxxxxx?", b"\xff" * 7 + b"\x02")]),
        both([("attach", "ok"), ("get 0", "ok bool:1")]), [("attach", "ok"), ("get 0", "ok bool:1")])
# (6) invalid UTF-8 in a str slot
for label, raw in (("lone-continuation", b"a\x80"), ("truncated-euro", b"\xe2\x82"),
                   ("surrogate", b"\xed\xa0\x80"), ("overlong", b"\xc0\xaf"), ("ff", b"\xff")):
    crafted("invalid-utf8-" + label,
            lambda g, r=raw: image(g, [("8s", r.ljust(8, b"\0"))], codes=[1]),
            both([("attach", "ok"), ("get 0", "UnicodeDecodeError")]),
            [("attach", "ok"), ("get 0", "UnicodeDecodeError")])
# (7) sets CPython lets overflow or truncate
crafted("set-int-into-4-byte-slot",
        lambda g: image(g, [("4s", b"abcd"), ("q", q(9))], codes=[2, 0]),
        both([("attach", "ok"), ("get 0", "ok bytes:61626364"), ("set 0 int:5", "ok"),
              ("get 1", "ok int:0")]),
        [("attach", "ok"), ("get 0", "ok bytes:61626364"), ("set 0 int:5", "ValueError"),
         ("get 0", "ok bytes:61626364"), ("get 1", "ok int:9")])
crafted("set-str-longer-than-kept-4s",
        lambda g: image(g, [("4s", b"abcd\0\0\0\0")], codes=[1]),
        both([("attach", "ok"), ("set 0 str:616263646566", "ok"), ("get 0", "ok str:61626364")]),
        [("attach", "ok"), ("set 0 str:616263646566", "ValueError"), ("get 0", "ok str:61626364"),
         ("set 0 str:6162", "ok"), ("get 0", "ok str:6162")])
