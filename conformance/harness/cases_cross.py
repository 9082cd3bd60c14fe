"""Group "cross": both processes attached at once, writing and reading each
other's changes: every type change in both directions, storage limits,
count/index, and bytes a narrower value leaves behind."""
from . import values as V
from .core import Fail, add, expect_eq, expect_value
from .imagemap import first_diff

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
                alloc = V.alloc_of(items[slot])
                enc = v.encode() if isinstance(v, str) else v
                line = "list_set w %d %s" % (slot, V.word(v))
                if isinstance(v, (str, bytes)) and len(enc) > alloc:
                    w.err(line, "ValueError")
                    continue
                w.ok(line)
                expect_value(rd.get("r", slot), V.stripped(v),
                             "slot %d (%s) after the other process set it" % (slot, src))
                expect_value(w.get("w", slot), V.stripped(v), "slot %d read back by the writer" % slot)
        # Both views of the block are the same bytes.
        d = first_diff(rd.dump("r"), w.dump("w"), ctx.gen)
        if d:
            raise Fail("the two processes see different bytes: " + d)
    return run


def leftover_case(writer_is_impl):
    """A 16-byte str slot set to an int keeps its last 8 bytes; the image
    must keep them too (compared against CPython doing the same)."""
    def run(ctx):
        w, rd = roles(ctx, writer_is_impl)
        items = ["ABCDEFGHIJKLMNO", 1]
        name = rd.create("r", items, ctx.gen)
        w.attach("w", name)
        ctx.peer.create("o", items, ctx.gen)  # the oracle: CPython alone
        for v in (7, b"xy", None, "q", 2.5):
            w.ok("list_set w 0 %s" % V.word(v))
            ctx.peer.ok("list_set o 0 %s" % V.word(v))
            expect_value(rd.get("r", 0), V.stripped(v), "after set to %s" % V.short(v))
            d = first_diff(ctx.peer.dump("o"), rd.dump("r"), ctx.gen)
            if d:
                raise Fail("after set to %s: %s" % (V.short(v), d))
        expect_eq(rd.ok("list_format r").text, ctx.peer.ok("list_format o").text, "format")
    return run


EQ_ITEMS = [1, 1.0, True, 0, -0.0, False, None, "a", b"a", V.fbits(0x7ff8000000000000),
            2 ** 53 + 1, float(2 ** 53), "", b""]
EQ_PROBES = [1, 1.0, True, 0, 0.0, False, None, "a", b"a", V.fbits(0x7ff8000000000000),
             2 ** 53 + 1, 2 ** 53, float(2 ** 53), "", b"", 2, "b", -0.0]


def count_index_case(creator_is_impl):
    def run(ctx):
        c, o = roles(ctx, creator_is_impl)
        name = c.create("c", EQ_ITEMS, ctx.gen)
        o.attach("o", name)
        for p in EQ_PROBES:
            want = sum(V.py_eq(p, x) for x in EQ_ITEMS)
            for side, h in ((c, "c"), (o, "o")):
                got = int(side.ok("list_count %s %s" % (h, V.word(p))).text)
                expect_eq(got, want, "%s count(%s)" % (side.role, V.short(p)))
                line = "list_index %s %s" % (h, V.word(p))
                if want:
                    idx = next(i for i, x in enumerate(EQ_ITEMS) if V.py_eq(p, x))
                    expect_eq(int(side.ok(line).text), idx, "%s index(%s)" % (side.role, V.short(p)))
                else:
                    side.err(line, "ValueError")
    return run


def concurrent_rw_case(writer_is_impl):
    """Both keep their handles; many alternating writes are seen at once."""
    def run(ctx):
        w, rd = roles(ctx, writer_is_impl)
        name = rd.create("r", [0, "", b"........"], ctx.gen)
        w.attach("w", name)
        for k in range(40):
            w.ok("list_set w 0 int:%d" % (k * 1000003))
            expect_value(rd.get("r", 0), k * 1000003, "int write %d" % k)
            rd.ok("list_set r 1 %s" % V.word("k%d" % k))
            expect_value(w.get("w", 1), "k%d" % k, "str write %d" % k)
            w.ok("list_set w -1 %s" % V.word(bytes([k]) * (k % 9)))
            expect_value(rd.get("r", 2), bytes([k]) * (k % 9), "bytes write %d" % k)
    return run


def register():
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
