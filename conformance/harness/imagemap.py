"""Names the field of a ShareableList image a byte offset belongs to, so a
failing layout case says "offsets[3]" or "format 2", not just an offset."""
import struct
import sys

# Images are in native byte order (CPython packs with struct's native mode).
_Q = "<q" if sys.byteorder == "little" else ">q"


def _words(img, off, n):
    return [struct.unpack_from(_Q, img, off + 8 * i)[0] for i in range(n)]


def fields(img, layout):
    """[(start, end, name)] for a well-formed image, else a coarse map."""
    if len(img) < 8:
        return [(0, len(img), "N (truncated)")]
    n = struct.unpack_from(_Q, img, 0)[0]
    out = [(0, 8, "N")]
    hdr = n + 1 if layout == "py39" else n
    if n < 0 or 8 + 8 * hdr > len(img):
        return out + [(8, len(img), "header (N=%d does not fit)" % n)]
    words = _words(img, 8, hdr)
    label = "offsets" if layout == "py39" else "sizes"
    for i in range(hdr):
        out.append((8 + 8 * i, 16 + 8 * i, "%s[%d]" % (label, i)))
    if layout == "py39":
        offs = words
    else:
        offs = [0]
        for s in words:
            offs.append(offs[-1] + s)
    data = 8 + 8 * hdr
    for i in range(n):
        out.append((data + offs[i], data + offs[i + 1], "slot %d data" % i))
    fmts = data + offs[n] if n >= 0 else data
    for i in range(n):
        out.append((fmts + 8 * i, fmts + 8 * i + 8, "format %d" % i))
    codes = fmts + 8 * n
    for i in range(n):
        out.append((codes + i, codes + i + 1, "code %d" % i))
    out.append((codes + n, max(len(img), codes + n), "past the image end"))
    return out


def field_at(img, layout, off):
    if layout is None:  # a raw block: no fields to name
        return "the block"
    for a, b, name in fields(img, layout):
        if a <= off < b:
            return "%s (+%d)" % (name, off - a) if b - a > 1 else name
    return "past the image end"


def first_diff(expected, got, layout):
    """None if equal, else a sentence naming the first differing byte."""
    if expected == got:
        return None
    n = min(len(expected), len(got))
    i = next((k for k in range(n) if expected[k] != got[k]), n)
    where = field_at(expected, layout, i)
    if i == n:
        return "images differ in length: expected %d bytes, got %d (first extra byte at %d, %s)" % (
            len(expected), len(got), i, where)
    lo = max(0, i - 8 - i % 8)
    return ("first differing byte at offset %d, in %s: expected %02x, got %02x\n"
            "  expected[%d:%d] %s\n  got     [%d:%d] %s" % (
                i, where, expected[i], got[i], lo, lo + 24, expected[lo:lo + 24].hex(),
                lo, lo + 24, got[lo:lo + 24].hex()))
