"""Group "defects": CPython's known defects, and images CPython never
writes. For each, CPython's behaviour is recorded and checked against the
peer, and the implementation is checked against the decision in SPEC.md."""
from . import crafted
from . import values as V
from .core import Fail, Skip, add, exists, expect_eq, expect_value
from .imagemap import first_diff


def run_script(side, h, name, gen, steps, is_impl):
    """Runs recorded (op, result) steps; returns a description of the first
    mismatch or None."""
    for op, want in steps:
        if op == "attach":
            r = side.raw("list_attach %s %s %s" % (h, name, gen))
        elif op == "len":
            r = side.raw("list_len %s" % h)
        elif op.startswith("get"):
            r = side.raw("list_get %s %s" % (h, op.split()[1]))
        else:
            _, i, w = op.split()
            r = side.raw("list_set %s %s %s" % (h, i, w))
        got = ("ok " + r.text).strip() if r.ok else r.exc
        if want == "refused":
            if r.ok:
                return "%s: expected the image to be refused (ValueError), got %s" % (op, got)
            if r.exc != "ValueError":
                return "%s: refused with %s, expected ValueError" % (op, r.exc)
            return None  # refused: nothing further to check
        if want == "ok" and r.ok:
            continue
        if got != want:
            return "%s: expected %s, got %s" % (op, want, got)
        if not r.ok and op == "attach":
            return None
    return None


def crafted_case(key):
    build, cp, im = crafted.CASES[key]

    def run(ctx):
        gen = ctx.gen
        img = build(gen)
        # The peer (CPython) writes the image: the block is trusted to hold it.
        name, _ = ctx.peer.shm_create("img", len(img))
        ctx.peer.ok("shm_write img 0 %s" % img.hex())
        problems = []
        want = cp[gen] if isinstance(cp, dict) else cp
        p = run_script(ctx.peer, "pl", name, gen, want, False)
        if p:
            problems.append("CPython no longer behaves as recorded: " + p)
        ctx.peer.ok("shm_write img 0 %s" % img.hex())  # sets may have changed it
        want = im[gen] if isinstance(im, dict) else im
        p = run_script(ctx.impl, "il", name, gen, want, True)
        if p:
            problems.append("implementation vs SPEC decision: " + p)
        if problems:
            raise Fail("; ".join(problems))
    return run


def ref_image(items, gen):
    """The image the reference writes: CPython's, except a str slot is sized
    from its UTF-8 length where the character count is too small."""
    parts, codes = [], []
    for v in items:
        if isinstance(v, (str, bytes)):
            raw = v.encode() if isinstance(v, str) else v
            alloc = max(V.alloc_of(v), 8 * (len(raw) // 8 + 1))
            parts.append(("%ds" % alloc, raw.ljust(alloc, b"\0")))
            codes.append(1 if isinstance(v, str) else 2)
        else:
            raise ValueError("str/bytes only")
    return crafted.image(gen, parts, codes=codes)


def nonascii_case(s, cpython_read):
    """cpython#88336 / #145261: CPython sizes a str slot by characters."""
    def run(ctx):
        items = [s, "after"]
        b = ctx.peer.create("pb", items, ctx.gen)
        r = ctx.peer.raw("list_get pb 0")
        got = V.parse(r.text) if r.ok else r.exc
        if got != cpython_read:
            raise Fail("CPython no longer behaves as recorded: read %r, recorded %r" % (got, cpython_read))
        # The implementation reads CPython's image as CPython does.
        ctx.impl.attach("ib", b)
        r = ctx.impl.raw("list_get ib 0")
        igot = V.parse(r.text) if r.ok else r.exc
        expect_eq(igot, cpython_read, "implementation reading CPython's truncated image")
        # The implementation's own image keeps the whole string, and CPython reads it.
        a = ctx.impl.create("ia", items, ctx.gen)
        ctx.peer.attach("pa", a)
        d = first_diff(ref_image(items, ctx.gen), ctx.peer.dump("pa"), ctx.gen)
        if d:
            raise Fail("implementation image vs SPEC decision (slot from UTF-8 length): " + d)
        expect_value(ctx.peer.get("pa", 0), s, "CPython reading the implementation's image")
        expect_value(ctx.peer.get("pa", 1), "after", "CPython reading the next item")
    return run


def trailing_nul_case(ctx):
    """cpython#96779 / #106939: trailing NULs are not stored apart from padding."""
    items = ["ab\0\0", b"\0\0", "x\0y\0", b"\0"]
    want = ["ab", b"", "x\0y", b""]
    for c, o in ((ctx.impl, ctx.peer), (ctx.peer, ctx.impl)):
        name = c.create("c", items, ctx.gen)
        o.attach("o", name)
        for i, w in enumerate(want):
            expect_value(o.get("o", i), w, "%s reading item %d" % (o.role, i))
            expect_value(c.get("c", i), w, "%s reading item %d" % (c.role, i))
        o.ok("list_set o 0 %s" % V.word("q\0"))
        expect_value(c.get("c", 0), "q", "%s reading a set str with a trailing NUL" % c.role)
        ctx.impl.ok("reset")
        ctx.peer.ok("reset")


def pack_into_zeroing_case(ctx):
    """CPython changes the format and code first, then struct.pack_into
    fails on an out-of-range int after zeroing the slot: the str is lost.
    The reference refuses the value and changes nothing."""
    big = "int:%d" % (2 ** 64)
    ctx.peer.create("p", ["abc", 5], ctx.gen)
    ctx.peer.err("list_set p 0 " + big, "struct.error")
    expect_eq(ctx.peer.ok("list_get p 0").text, "int:0", "CPython after the failed set (recorded)")
    expect_eq(ctx.peer.ok("list_format p").text, "qq", "CPython format after the failed set (recorded)")
    ctx.impl.create("i", ["abc", 5], ctx.gen)
    ctx.impl.err("list_set i 0 " + big, "struct.error")
    expect_value(ctx.impl.get("i", 0), "abc", "implementation after the refused set")
    expect_eq(ctx.impl.ok("list_format i").text, "8sq", "implementation format after the refused set")


def create_leak_case(ctx):
    """CPython creates the block before packing, so a failed create leaves
    it behind (a tracker-registered leak on 3.8-3.12). The reference checks
    the values first and creates nothing."""
    n = ctx.name()
    ctx.peer.err("list_create p %s %s int:%d" % (n, ctx.gen, 2 ** 64), "struct.error")
    if not exists(n):
        raise Fail("CPython no longer leaves the block of a failed create (recorded: it does)")
    n2 = ctx.name()
    ctx.impl.err("list_create i %s %s int:%d" % (n2, ctx.gen, 2 ** 64), "struct.error")
    if exists(n2):
        raise Fail("implementation left a block behind after a failed create")


def detect_case(ctx):
    """Generation detection on attach (SPEC, decision 8)."""
    items = [7, "seven", None]
    for gen in ("py38", "py39"):
        img = crafted.image(gen, [("q", crafted.q(7)), ("8s", b"seven\0\0\0"), ("xxxxxx?x", bytes(8))],
                            codes=[0, 1, 3])
        name, _ = ctx.peer.shm_create("d" + gen, len(img))
        ctx.peer.ok("shm_write d%s 0 %s" % (gen, img.hex()))
        expect_eq(int(ctx.impl.ok("list_attach l%s %s auto" % (gen, name)).text), 3, gen + " image: len")
        for i, v in enumerate(items):
            expect_value(ctx.impl.get("l" + gen, i), v, "%s image detected on attach: item %d" % (gen, i))
    for size, what in ((8, "py38"), (16, "py39")):
        name, _ = ctx.peer.shm_create("e%d" % size, size)
        expect_eq(int(ctx.impl.ok("list_attach f%d %s auto" % (size, name)).text), 0,
                  "empty %s image of %d bytes" % (what, size))


# CPython normalises a negative index twice (__getitem__, then the format
# and code lookups), and Python's own negative indexing of the offsets list
# lets -N-1 .. -2N through: reads return garbage, sets overwrite formats.
# 3.8 sums sizes[:i] for the offset, so far-negative indexes reach struct.
NEG_INDEX = {
    "py38": {"get": "struct.error", "set": "ok", "format": "q8s8s",
             "empty-get": "ValueError", "empty-set": "struct.error",
             "far-get": "struct.error", "far-set": "struct.error"},
    "py39": {"get": "ok bytes:7100000000000000", "set": "ok", "format": "8s8s",
             "empty-get": "ValueError", "empty-set": "struct.error",
             "far-get": "IndexError", "far-set": "IndexError"},
}


def negative_index_case(ctx):
    items = [1, "abc", b"xyz"]
    rec = NEG_INDEX[ctx.gen]
    for side, want in ((ctx.peer, rec), (ctx.impl, None)):
        side.create("l", items, ctx.gen)
        side.create("e", [], ctx.gen)
        got = {}
        for key, line in (("far-get", "list_get l -100"), ("far-set", "list_set l -100 int:0"),
                          ("get", "list_get l -4"), ("set", "list_set l -4 int:0"),
                          ("empty-get", "list_get e -1"), ("empty-set", "list_set e -1 int:1")):
            r = side.raw(line)
            got[key] = ("ok " + r.text).strip() if r.ok else r.exc
        got["format"] = side.ok("list_format l").text
        if want is None:
            want = dict.fromkeys(rec, "IndexError")
            want["format"] = "q8s8s"
        bad = ["%s: expected %s, got %s" % (k, want[k], got[k]) for k in want if got[k] != want[k]]
        if bad:
            raise Fail("%s: %s" % ("CPython no longer behaves as recorded" if side is ctx.peer
                                   else "implementation vs SPEC decision (IndexError)", "; ".join(bad)))


def leading_slash_case(ctx):
    """A name given with a leading slash. CPython on Linux prepends its own
    slash; glibc's shm_open strips all leading slashes, so the block is
    NAME while CPython reports "/NAME". The reference refuses such names
    (OSError); see SPEC.md 2.1. Both are checked as recorded."""
    import sys
    if not sys.platform.startswith("linux"):
        raise Skip("recorded on Linux only")
    base = ctx.name()
    expect_eq(ctx.peer.ok("shm_create p /%s 8" % base).words, ["/" + base, "8"],
              "CPython's report of a name given with a leading slash (recorded)")
    if not exists(base):
        raise Fail("CPython's block is not named %s (recorded: the slash is stripped)" % base)
    ctx.impl.err("shm_create i /%s 8" % ctx.name(), "OSError")
    ctx.impl.err("shm_attach i /%s" % base, "OSError")
    ctx.impl.ok("shm_attach i %s" % base)


def register():
    add("defects", "name-with-leading-slash", leading_slash_case)
    add("defects", "negative-index-below-minus-n", negative_index_case)
    for key in crafted.CASES:
        add("defects", "image-" + key, crafted_case(key))
    add("defects", "cpython-88336-non-ascii-shortened", nonascii_case("é" * 5, "é" * 4))
    add("defects", "cpython-88336-non-ascii-undecodable", nonascii_case("€€€", "UnicodeDecodeError"))
    add("defects", "cpython-145261-emoji", nonascii_case("a😀😀", "UnicodeDecodeError"))
    add("defects", "cpython-96779-trailing-nuls", trailing_nul_case)
    add("defects", "pack-into-zeroes-slot", pack_into_zeroing_case)
    add("defects", "failed-create-leaves-block", create_leak_case)
    add("defects", "generation-detection", detect_case)
