"""The classes of disagreement between the reference and CPython that the
reference accepts on purpose ("Where the reference refuses what CPython
reads" in conformance/SPEC.md), and the rules that recognise them from
the image. A disagreement no rule explains is a bug in one of the two."""
import re
import struct

ACCEPTED_FIXED = {b"q", b"d", b"xxxxxxx?", b"xxxxxx?x"}
# fullmatch, not "$": "$" also matches before a trailing newline, and "24s\n"
# (which CPython's struct reads as "24s") is not canonical.
CANONICAL_S = re.compile(rb"(0|[1-9][0-9]{0,6})s")

CLASSES = {
    "1-count": "N < 0, or too large for the mapping",
    "2-offsets": "py39 offsets[0] != 0, decreasing, or beyond the mapping; "
                 "py38 negative or overflowing sizes",
    "3-format": "a format other than q, d, xxxxxxx?, xxxxxx?x or canonical <n>s",
    "4-slot": "a format needing more than its slot",
    "5-code": "a code outside 0..3, code 0 with <n>s, code 1/2 with a non-s format",
    "6-utf8": "invalid UTF-8 in a str item",
    "8-layout": "the generation detected (N == 0: py39 iff the mapping has 16 bytes; "
                "N > 0: py39 iff the word at offset 8 is 0) is not the writer's",
}


def detect(img):
    n = struct.unpack_from("=q", img, 0)[0] if len(img) >= 8 else 0
    if n == 0:
        return "py39" if len(img) >= 16 else "py38"
    if len(img) < 16:
        return "py38"
    return "py39" if struct.unpack_from("=q", img, 8)[0] == 0 else "py38"


def header_class(img, gen):
    """The header rule the image breaks in layout gen, or None; with a valid
    header also returns (data_start, slot offsets, allocs, formats_at)."""
    size = len(img)
    if size < 8:
        return "1-count", None
    n = struct.unpack_from("=q", img, 0)[0]
    hw = n + 1 if gen == "py38" else n + 2
    if n < 0 or 8 * hw + 9 * n > size:
        return "1-count", None
    words = struct.unpack_from("=%dq" % (hw - 1), img, 8)
    if gen == "py39":
        offsets = list(words)
        if offsets[0] != 0 or any(b < a for a, b in zip(offsets, offsets[1:])):
            return "2-offsets", None
        allocs = [b - a for a, b in zip(offsets, offsets[1:])]
        starts = offsets[:-1]
    else:
        allocs = list(words)
        if any(a < 0 for a in allocs):
            return "2-offsets", None
        starts = [sum(allocs[:i]) for i in range(n)]
    total = sum(allocs)
    if total >= 2**63 or 8 * hw + total + 9 * n > size:
        return "2-offsets", None
    return None, (8 * hw, starts, allocs, 8 * hw + total)


def item_class(img, gen, layout, i):
    data_start, starts, allocs, formats_at = layout
    n = len(allocs)
    fmt = img[formats_at + 8 * i:formats_at + 8 * i + 8].rstrip(b"\x00")
    code = struct.unpack_from("b", img, formats_at + 8 * n + i)[0]
    is_s = CANONICAL_S.fullmatch(fmt) is not None
    if fmt not in ACCEPTED_FIXED and not is_s:
        return "3-format"
    need = int(fmt[:-1]) if is_s else 8
    if need > allocs[i]:
        return "4-slot"
    if code not in (0, 1, 2, 3) or (code == 0 and is_s) or (code in (1, 2) and not is_s):
        return "5-code"
    if code == 1:
        at = data_start + starts[i]
        try:
            img[at:at + need].rstrip(b"\x00").decode("utf-8")
        except UnicodeDecodeError:
            return "6-utf8"
    return None


def is_error(tok):
    return tok.startswith("!")


def parse(line):
    """(N or None, [tokens]) of a canonical line, layout field dropped."""
    parts = line.split()
    if parts and parts[0] in ("py38", "py39", "-"):
        parts = parts[1:]
    if not parts or not parts[0].startswith("N="):
        return None, parts
    return int(parts[0][2:]), parts[1:]


def refused(n, toks):
    """Both sides 'refuse' an image when they give no value for it at all."""
    return n is None or (n > 0 and all(is_error(t) for t in toks))


def compare(img, gen, ref_line, cpy_line):
    """None if the two readings agree, else the class name of the
    disagreement ("unclassified" when no rule explains it)."""
    rn, rt = parse(ref_line)
    cn, ct = parse(cpy_line)
    if rn == cn and len(rt) == len(ct) and all(
            a == b or (is_error(a) and is_error(b)) for a, b in zip(rt, ct)):
        return None
    if refused(rn, rt) and refused(cn, ct):
        return None
    if detect(img) != gen:
        return "8-layout"
    # Only the reference's refusals are excused: a value the reference
    # reads must be CPython's value.
    hclass, layout = header_class(img, gen)
    if hclass:
        return hclass if rn is None else "unclassified"
    if rn is None or rn != cn or len(rt) != len(ct):
        return "unclassified"
    for i, (a, b) in enumerate(zip(rt, ct)):
        if a == b or (is_error(a) and is_error(b)):
            continue
        if not is_error(a):
            return "unclassified"
        return item_class(img, gen, layout, i) or "unclassified"
    return "unclassified"
