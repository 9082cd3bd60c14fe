"""Group "defects": CPython's known defects, and images CPython never
writes. Under the `cpython` profile each scenario expects what CPython does
in the implementation's place, defect included; under `strict`, a case's
strict check asserts the SPEC's decision (sections 4-5) instead."""
from . import crafted
from . import values as V
from .core import Fail, add, expect_eq, expect_value
from .imagemap import first_diff


def run_script(side, h, name, gen, steps):
    """Strict checks: runs (op, result) steps on one side; returns a
    description of the first mismatch or None."""
    for op, want in steps:
        r = side.raw(_op_line(op, h, name, gen))
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


def _op_line(op, h, name, gen):
    if op == "attach":
        return "list_attach %s %s %s" % (h, name, gen)
    if op == "len":
        return "list_len %s" % h
    if op.startswith("get"):
        return "list_get %s %s" % (h, op.split()[1])
    _, i, w = op.split()
    return "list_set %s %s %s" % (h, i, w)


def _ops(script):
    """The ops of CPython's script, then any the strict script adds."""
    ops = []
    for op, _ in script:
        if op not in ops:
            ops.append(op)
    return ops


def crafted_case(key):
    build, cp, im = crafted.CASES[key]

    def write_image(ctx):
        img = build(ctx.gen)
        # The peer (CPython) writes the image: the block is trusted to hold it.
        name, _ = ctx.peer.shm_create("img", len(img))
        ctx.peer.ok("shm_write img 0 %s" % img.hex())
        return name

    def pick(table, gen):
        return table[gen] if isinstance(table, dict) else table

    def scenario(ctx):
        name = write_image(ctx)
        ops = _ops(pick(cp, ctx.gen) + pick(im, ctx.gen))
        ctx.impl.ok(_op_line("attach", "il", name, ctx.gen))
        for op in ops[1:]:
            ctx.impl.raw(_op_line(op, "il", name, ctx.gen))

    def strict(ctx):
        name = write_image(ctx)
        p = run_script(ctx.impl, "il", name, ctx.gen, pick(im, ctx.gen))
        if p:
            raise Fail(p)
    return scenario, strict


def ref_image(items, gen):
    """The image the SPEC's decision writes: CPython's, except a str slot is
    sized from its UTF-8 length where the character count is too small."""
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


def nonascii_case(s):
    """cpython#88336 / #145261: CPython sizes a str slot by characters."""
    items = [s, "after"]

    def scenario(ctx):
        b = ctx.peer.create("pb", items, ctx.gen)
        ctx.peer.raw("list_get pb 0")
        ctx.impl.attach("ib", b)
        ctx.impl.raw("list_get ib 0")
        a = ctx.impl.create("ia", items, ctx.gen)
        ctx.peer.attach("pa", a)
        ctx.peer.ok("list_dump pa")
        ctx.peer.raw("list_get pa 0")
        ctx.peer.raw("list_get pa 1")

    def strict(ctx):
        # The implementation reads CPython's image as CPython does...
        b = ctx.peer.create("pb", items, ctx.gen)
        r = ctx.peer.raw("list_get pb 0")
        cpython_read = V.parse(r.text) if r.ok else r.exc
        ctx.impl.attach("ib", b)
        r = ctx.impl.raw("list_get ib 0")
        expect_eq(V.parse(r.text) if r.ok else r.exc, cpython_read,
                  "implementation reading CPython's truncated image")
        # ...and its own image keeps the whole string, which CPython reads.
        a = ctx.impl.create("ia", items, ctx.gen)
        ctx.peer.attach("pa", a)
        d = first_diff(ref_image(items, ctx.gen), ctx.peer.dump("pa"), ctx.gen)
        if d:
            raise Fail("implementation image vs SPEC decision (slot from UTF-8 length): " + d)
        expect_value(ctx.peer.get("pa", 0), s, "CPython reading the implementation's image")
        expect_value(ctx.peer.get("pa", 1), "after", "CPython reading the next item")
    return scenario, strict


def trailing_nul_case(ctx):
    """cpython#96779 / #106939: trailing NULs are not stored apart from
    padding. A property of the format: both profiles expect CPython's reads."""
    items = ["ab\0\0", b"\0\0", "x\0y\0", b"\0"]
    for c, o in ((ctx.impl, ctx.peer), (ctx.peer, ctx.impl)):
        name = c.create("c", items, ctx.gen)
        o.attach("o", name)
        for i in range(len(items)):
            o.raw("list_get o %d" % i)
            c.raw("list_get c %d" % i)
        o.raw("list_set o 0 %s" % V.word("q\0"))
        c.raw("list_get c 0")
        ctx.impl.ok("reset")
        ctx.peer.ok("reset")


BIG = "int:%d" % (2 ** 64)


def pack_into_zeroing_scenario(ctx):
    """CPython changes the format and code first, then struct.pack_into
    fails on an out-of-range int after zeroing the slot: the str is lost."""
    ctx.impl.create("i", ["abc", 5], ctx.gen)
    ctx.impl.raw("list_set i 0 " + BIG)
    ctx.impl.raw("list_get i 0")
    ctx.impl.raw("list_format i")
    ctx.impl.ok("list_dump i")


def pack_into_zeroing_strict(ctx):
    """SPEC 4.4: the value is refused and nothing changes."""
    ctx.impl.create("i", ["abc", 5], ctx.gen)
    ctx.impl.must("list_set i 0 " + BIG, "struct.error")
    expect_value(ctx.impl.get("i", 0), "abc", "implementation after the refused set")
    expect_eq(ctx.impl.must_ok("list_format i").text, "8sq", "implementation format after the refused set")


def create_leak_scenario(ctx):
    """CPython creates the block before packing, so a failed create leaves
    it behind (a tracker-registered leak on 3.8-3.12)."""
    n = ctx.name()
    ctx.impl.raw("list_create i %s %s %s" % (n, ctx.gen, BIG))
    ctx.observe("exists %s" % n, ctx.exists(n))


def create_leak_strict(ctx):
    """SPEC 4.4: the values are checked first and nothing is created."""
    n = ctx.name()
    ctx.impl.must("list_create i %s %s %s" % (n, ctx.gen, BIG), "struct.error")
    if ctx.exists(n):
        raise Fail("implementation left a block behind after a failed create")


DETECT_ITEMS = [7, "seven", None]


def _detect_images(ctx):
    names = {}
    for gen in ("py38", "py39"):
        img = crafted.image(gen, [("q", crafted.q(7)), ("8s", b"seven\0\0\0"), ("xxxxxx?x", bytes(8))],
                            codes=[0, 1, 3])
        name, _ = ctx.peer.shm_create("d" + gen, len(img))
        ctx.peer.ok("shm_write d%s 0 %s" % (gen, img.hex()))
        names[gen] = name
    for size in (8, 16):
        names[size], _ = ctx.peer.shm_create("e%d" % size, size)
    return names


def detect_scenario(ctx):
    """Attaching without naming the layout: a 3.8 image read by a 3.9+
    reader and the reverse (CPython misreads the other generation)."""
    names = _detect_images(ctx)
    for gen in ("py38", "py39"):
        if ctx.impl.raw("list_attach l%s %s auto" % (gen, names[gen])).ok:
            for i in range(len(DETECT_ITEMS)):
                ctx.impl.raw("list_get l%s %d" % (gen, i))
    for size in (8, 16):
        ctx.impl.raw("list_attach f%d %s auto" % (size, names[size]))


def detect_strict(ctx):
    """SPEC 5.8: generation detection on attach."""
    names = _detect_images(ctx)
    for gen in ("py38", "py39"):
        expect_eq(int(ctx.impl.must_ok("list_attach l%s %s auto" % (gen, names[gen])).text), 3,
                  gen + " image: len")
        for i, v in enumerate(DETECT_ITEMS):
            expect_value(ctx.impl.get("l" + gen, i), v, "%s image detected on attach: item %d" % (gen, i))
    for size in (8, 16):
        expect_eq(int(ctx.impl.must_ok("list_attach f%d %s auto" % (size, names[size])).text), 0,
                  "empty image of %d bytes" % size)


NEG_OPS = (("far-get", "list_get l -100"), ("far-set", "list_set l -100 int:0"),
           ("get", "list_get l -4"), ("set", "list_set l -4 int:0"),
           ("empty-get", "list_get e -1"), ("empty-set", "list_set e -1 int:1"))


def negative_index_scenario(ctx):
    """CPython normalises a negative index twice, so -N-1 .. -2N read and
    write the wrong fields (SPEC 4.5)."""
    ctx.impl.create("l", [1, "abc", b"xyz"], ctx.gen)
    ctx.impl.create("e", [], ctx.gen)
    for _, line in NEG_OPS:
        ctx.impl.raw(line)
    ctx.impl.raw("list_format l")
    ctx.impl.ok("list_dump l")


def negative_index_strict(ctx):
    """SPEC 4.5: any index outside [-N, N) is IndexError and changes nothing."""
    ctx.impl.create("l", [1, "abc", b"xyz"], ctx.gen)
    ctx.impl.create("e", [], ctx.gen)
    for key, line in NEG_OPS:
        ctx.impl.must(line, "IndexError")
    expect_eq(ctx.impl.must_ok("list_format l").text, "q8s8s", "format after the refused sets")


def leading_slash_scenario(ctx):
    """A name given with a leading slash. CPython on Linux prepends its own
    slash; glibc's shm_open strips all leading slashes, so the block is
    NAME while CPython reports "/NAME"."""
    base = ctx.name()
    ctx.impl.raw("shm_create i /%s 8" % base)
    ctx.observe("exists %s" % base, ctx.exists(base))
    other = ctx.name()
    ctx.peer.ok("shm_create p %s 8" % other)
    ctx.impl.raw("shm_attach j /%s" % other)
    ctx.impl.raw("shm_attach k %s" % other)


def leading_slash_strict(ctx):
    """SPEC 2.1: names containing '/' are refused (OSError)."""
    ctx.impl.must("shm_create i /%s 8" % ctx.name(), "OSError")
    other = ctx.name()
    ctx.peer.ok("shm_create p %s 8" % other)
    ctx.impl.must("shm_attach j /%s" % other, "OSError")
    ctx.impl.must_ok("shm_attach k %s" % other)


def register():
    add("defects", "name-with-leading-slash", leading_slash_scenario, leading_slash_strict)
    add("defects", "negative-index-below-minus-n", negative_index_scenario, negative_index_strict)
    for key in crafted.CASES:
        add("defects", "image-" + key, *crafted_case(key))
    add("defects", "cpython-88336-non-ascii-shortened", *nonascii_case("é" * 5))
    add("defects", "cpython-88336-non-ascii-undecodable", *nonascii_case("€€€"))
    add("defects", "cpython-145261-emoji", *nonascii_case("a😀😀"))
    add("defects", "cpython-96779-trailing-nuls", trailing_nul_case)
    add("defects", "pack-into-zeroes-slot", pack_into_zeroing_scenario, pack_into_zeroing_strict)
    add("defects", "failed-create-leaves-block", create_leak_scenario, create_leak_strict)
    add("defects", "generation-detection", detect_scenario, detect_strict)
