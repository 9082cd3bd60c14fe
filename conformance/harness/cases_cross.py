"""Group "cross": both processes attached at once, writing and reading each
other's changes: every type change in both directions, storage limits,
count/index, and bytes a narrower value leaves behind."""
from . import values as V
from .core import add, expect_eq, expect_value

SAMPLES = {
    "int": [-5, V.INT64_MAX],
    "float": [-0.0, V.fbits(0x7ff8000000000abc)],
    "bool": [True, False],
    "none": [None],
    "str": ["ab", "abcdefgh", "é€"],
    "bytes": [b"\0x\0", b"12345678"],
}


def roles(ctx, writer_is_impl):
    return (ctx.impl, ctx.peer) if writer_is_impl else (ctx.peer, ctx.impl)


def type_change_case(src, dst, writer_is_impl):
    def run(ctx):
        w, rd = roles(ctx, writer_is_impl)
        # Creator is the reader; slot 1 starts as src, slot 2 is 16 bytes.
        items = [0, SAMPLES[src][0], "0123456789abcde", None]
        name = rd.create("r", items, ctx.gen)
        w.attach("w", name)
        for v in SAMPLES[dst]:
            for slot in (1, 2):
                if w.raw("list_set w %d %s" % (slot, V.word(v))).ok:
                    rd.raw("list_get r %d" % slot)
                    w.raw("list_get w %d" % slot)
        # Both views of the block, byte for byte.
        rd.ok("list_dump r")
        w.ok("list_dump w")
    return run


def leftover_case(writer_is_impl):
    """A 16-byte str slot set to an int keeps its last 8 bytes; the image
    keeps them too."""
    def run(ctx):
        w, rd = roles(ctx, writer_is_impl)
        name = rd.create("r", ["ABCDEFGHIJKLMNO", 1], ctx.gen)
        w.attach("w", name)
        for v in (7, b"xy", None, "q", 2.5):
            w.raw("list_set w 0 %s" % V.word(v))
            rd.raw("list_get r 0")
            rd.ok("list_dump r")
        rd.raw("list_format r")
    return run


EQ_ITEMS = [1, 1.0, True, 0, -0.0, False, None, "a", b"a", V.fbits(0x7ff8000000000000),
            2 ** 53 + 1, float(2 ** 53), "", b"", 1e20]
EQ_PROBES = [1, 1.0, True, 0, 0.0, False, None, "a", b"a", V.fbits(0x7ff8000000000000),
             2 ** 53 + 1, 2 ** 53, float(2 ** 53), "", b"", 2, "b", -0.0, 10 ** 20, 10 ** 20 + 1,
             -2 ** 64]


def count_index_case(creator_is_impl):
    """count and index by Python's ==, on both sides, including ints outside
    int64 (equal only to a float of exactly that value)."""
    def run(ctx):
        c, o = roles(ctx, creator_is_impl)
        name = c.create("c", EQ_ITEMS, ctx.gen)
        o.attach("o", name)
        for p in EQ_PROBES:
            for side, h in ((c, "c"), (o, "o")):
                side.raw("list_count %s %s" % (h, V.word(p)))
                side.raw("list_index %s %s" % (h, V.word(p)))
    return run


def concurrent_rw_case(writer_is_impl):
    """Both keep their handles; many alternating writes are seen at once."""
    def run(ctx):
        w, rd = roles(ctx, writer_is_impl)
        name = rd.create("r", [0, "", b"........"], ctx.gen)
        w.attach("w", name)
        for k in range(40):
            w.raw("list_set w 0 int:%d" % (k * 1000003))
            rd.raw("list_get r 0")
            rd.raw("list_set r 1 %s" % V.word("k%d" % k))
            w.raw("list_get w 1")
            w.raw("list_set w -1 %s" % V.word(bytes([k]) * (k % 9)))
            rd.raw("list_get r 2")
    return run


AUTO_ITEMS = [7, "seven", None, 2.5, b"xy", True, "a longer string, 25 chars"]


def auto_attach_scenario(ctx):
    """The peer's list in the peer's own layout, attached by the
    implementation without naming one: a 3.8 image read by a 3.9+ reader
    (CPython misreads it) or the reverse, and the same layout otherwise."""
    name = ctx.peer.create("p", AUTO_ITEMS, ctx.gen)
    ctx.impl.ok("list_attach i %s auto" % name)
    for i in range(len(AUTO_ITEMS)):
        ctx.impl.raw("list_get i %d" % i)
    ctx.impl.raw("list_format i")


def auto_attach_strict(ctx):
    """SPEC 5.8: the layout is detected on attach, so the items read are the
    peer's."""
    name = ctx.peer.create("p", AUTO_ITEMS, ctx.gen)
    n = ctx.impl.must_ok("list_attach i %s auto" % name).text
    expect_eq(n, str(len(AUTO_ITEMS)), "len of the peer's %s list attached with auto" % ctx.gen)
    for i, v in enumerate(AUTO_ITEMS):
        expect_value(ctx.impl.get("i", i), v, "item %d of the peer's %s list" % (i, ctx.gen))


def register():
    add("cross", "auto-attach-list-by-peer", auto_attach_scenario, auto_attach_strict)
    for src in SAMPLES:
        for dst in SAMPLES:
            for wi in (True, False):
                add("cross", "%s-to-%s-by-%s" % (src, dst, "impl" if wi else "peer"),
                    type_change_case(src, dst, wi))
    for wi in (True, False):
        who = "impl" if wi else "peer"
        add("cross", "leftover-bytes-by-" + who, leftover_case(wi))
        add("cross", "count-index-created-by-" + who, count_index_case(wi))
        add("cross", "alternating-writes-by-" + who, concurrent_rw_case(wi))
