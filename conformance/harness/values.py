"""Values as Python objects and as protocol words, and CPython's rules on them."""
import math
import struct

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


class Raw:
    """A word to send verbatim (e.g. a str whose hex is not valid UTF-8)."""

    def __init__(self, word):
        self.word = word

    def __repr__(self):
        return self.word


def fbits(bits):
    """The float with these IEEE bits (keeps NaN payloads)."""
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def bits_of(f):
    return struct.unpack("<Q", struct.pack("<d", f))[0]


def word(v):
    if isinstance(v, Raw):
        return v.word
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "bool:%d" % v
    if isinstance(v, int):
        return "int:%d" % v
    if isinstance(v, float):
        return "float:%016x" % bits_of(v)
    if isinstance(v, str):
        return "str:" + v.encode("utf-8", "surrogatepass").hex()
    if isinstance(v, bytes):
        return "bytes:" + v.hex()
    raise TypeError(type(v))


def parse(w):
    kind, _, val = w.partition(":")
    if kind == "none":
        return None
    if kind == "int":
        return int(val)
    if kind == "float":
        return struct.unpack(">d", bytes.fromhex(val))[0]
    if kind == "bool":
        return val == "1"
    if kind == "str":
        return bytes.fromhex(val).decode("utf-8", "surrogateescape")
    if kind == "bytes":
        return bytes.fromhex(val)
    raise ValueError("bad value word %r" % w)


def stripped(v):
    """What CPython reads back for a stored value (trailing NULs lost)."""
    if isinstance(v, str):
        return v.rstrip("\0")
    if isinstance(v, bytes):
        return v.rstrip(b"\0")
    return v


def same(a, b):
    """Identity of values as the suite sees it: same type, same bits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return bits_of(a) == bits_of(b)
    return a == b


def clip(text, n):
    """text cut to n characters, the cut marked with "..." so that no reader
    (nor report.annotate) takes a cut value word for a whole one."""
    return text if len(text) <= n else text[:n] + "..."


def short(v, n=60):
    s = word(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def fmt_of(v):
    """CPython's struct format for a value (character-count slot for str)."""
    if v is None:
        return "xxxxxx?x"
    if isinstance(v, bool):
        return "xxxxxxx?"
    if isinstance(v, int):
        return "q"
    if isinstance(v, float):
        return "d"
    return "%ds" % (8 * (len(v) // 8 + 1))


def alloc_of(v):
    f = fmt_of(v)
    return 8 if not f.endswith("s") else int(f[:-1])


def truncated_by_cpython(v):
    """True when CPython's slot for this str cannot hold its UTF-8 (cpython
    issues 88336/145261): such items are defects, not layout cases."""
    return isinstance(v, str) and len(v.encode("utf-8", "surrogatepass")) > alloc_of(v)


def py_eq(a, b):
    """Python's == on two stored values (count/index semantics)."""
    if isinstance(a, float) and isinstance(b, float) and (math.isnan(a) or math.isnan(b)):
        return False
    return a == b
PYSHM_ITEM_MAX = 9999991  # longest str/bytes: alloc 8*(len//8+1) must stay below 10**7
