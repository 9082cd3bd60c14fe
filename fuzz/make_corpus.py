#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets.

Run it once with CPython 3.8 and once with CPython 3.9 or later: each run
stores the ShareableList images its interpreter writes (py38-*.bin or
py39-*.bin under corpus/decode), and both write the same structured seeds
for the roundtrip and ops targets (the value grammar of gen.h).

    python3.8 fuzz/make_corpus.py [OUTDIR]     (default: corpus/ next to this file)
"""
import os
import struct
import sys
from multiprocessing import shared_memory

GEN = "py38" if sys.version_info < (3, 9) else "py39"
INF = float("inf")

LISTS = {
    "empty": [],
    "one-int": [1],
    "int-limits": [0, -1, 2**63 - 1, -2**63, 2**53 + 1],
    "floats": [1.0, -0.0, float("nan"), INF, -INF, 5e-324, 0.1, 1e16],
    "bools": [True, False],
    "none": [None],
    "none-mixed": [None, 0, None],
    "str-lengths": ["", "a", "x" * 7, "x" * 8, "x" * 9, "abcdefghijklmnop"],
    "bytes": [b"", b"\x00", b"ab\x00cd", b"\xff" * 16, b"tail\x00\x00"],
    "non-ascii": ["\u00e9", "\u20acuro", "\U0001F600", "\u00e9t\u00e9"],
    "mixed": [1, 2.5, "three", b"four", None, True, -7],
    "docs": ["howdy", b"HoWdY", -273.154, 100, None, True, 42],
    "long": ["y" * 100, b"z" * 257],
    "many": list(range(40)),
    # CPython sizes a str slot from its character count and truncates the
    # UTF-8 bytes: these images are what CPython writes, defects included.
    "defect-truncated": ["\u20ac\u20ac\u20ac"],
    "defect-shortened": ["\u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8"],
}


def after_sets(sl):
    """Images __setitem__ leaves behind: type changes in wide slots."""
    sl[0] = 7          # q in a 16-byte str slot: the old bytes stay
    sl[1] = "hey"      # an int slot becomes 8s
    sl[2] = None
    sl[3] = b"\x01\x02"


def image(values, mutate=None):
    sl = shared_memory.ShareableList(values)
    try:
        if mutate:
            mutate(sl)
        return bytes(sl.shm.buf)
    finally:
        sl.shm.close()
        sl.shm.unlink()


def gen_len(n):
    assert n < 0x8000
    return bytes([n]) if n < 0x80 else bytes([0x80 | n >> 8, n & 0xFF])


def gen_value(v):
    """A value in gen.h's grammar."""
    if v is None:
        return b"\x00"
    if isinstance(v, bool):
        return bytes([5, int(v)])
    if isinstance(v, int):
        return b"\x01" + struct.pack("<q", v)
    if isinstance(v, float):
        return b"\x03" + struct.pack("<d", v)
    if isinstance(v, bytes):
        return b"\x08" + gen_len(len(v)) + v
    out = b"\x06" + gen_len(len(v))
    for ch in v:
        cp = ord(ch)
        if cp < 0x80:
            out += bytes([cp])
        elif cp < 0x800:
            out += b"\x81" + struct.pack("<H", cp - 0x80)
        elif cp < 0x10000:
            out += b"\x82" + struct.pack("<H", cp - 0x800)
        else:
            out += b"\x80" + struct.pack("<I", cp - 0x10000)[:3]
    return out


def ops_seed(values, layout):
    """ops input: layout, count, items, then a few operations."""
    items = values[:15]
    out = bytes([layout, len(items)]) + b"".join(gen_value(v) for v in items)
    out += bytes([0, 0]) + gen_value("hi")          # set [0] = 'hi'
    out += bytes([3, 0xFF])                         # get [-1]
    out += bytes([5, 0]) + gen_value(1)             # count/index 1
    out += bytes([1, 1]) + gen_value(2.5)           # set [1] = 2.5
    out += bytes([6, 0, 7, 0])                      # format, repr; reattach
    return out


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for name, values in LISTS.items():
        write(os.path.join(out, "decode", "%s-%s.bin" % (GEN, name)), image(values))
        write(os.path.join(out, "roundtrip", name + ".bin"), b"".join(gen_value(v) for v in values))
        for layout in (0, 1):
            write(os.path.join(out, "ops", "%s-%s.bin" % (name, ("py39", "py38")[layout])),
                  ops_seed(values, layout))
    write(os.path.join(out, "decode", GEN + "-after-sets.bin"),
          image(["abcdefghij", 5, 1.5, "x"], after_sets))
    print("%s: wrote %d images to %s" % (GEN, len(LISTS) + 1, os.path.join(out, "decode")))


if __name__ == "__main__":
    main()
