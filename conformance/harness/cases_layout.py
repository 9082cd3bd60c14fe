"""Group "layout": byte-for-byte images in both directions, and after sets.

For every sequence the implementation and the peer each create a list; each
side then attaches the other's block. The image the implementation wrote, as
the peer reads it, must equal the image CPython wrote, as CPython reads it;
values read across must be the items with trailing NULs stripped.
"""
import random

from . import corpus
from . import values as V
from .core import Fail, add, expect_eq, expect_value
from .imagemap import first_diff


def sample_indexes(n, k=48):
    if n <= k:
        return list(range(n))
    r = random.Random(n)
    picked = {0, n - 1, n // 2} | set(r.sample(range(n), k - 3))
    return sorted(picked)


def check_values(side, h, items, what):
    n = len(items)
    expect_eq(int(side.ok("list_len %s" % h).text), n, "%s: len" % what)
    for i in sample_indexes(n):
        expect_value(side.get(h, i), V.stripped(items[i]), "%s: item %d" % (what, i))
    if n:
        expect_value(side.get(h, -1), V.stripped(items[-1]), "%s: item -1" % what)


def check_image(expected, got, gen, what):
    d = first_diff(expected, got, gen)
    if d:
        raise Fail("%s (%s layout): %s" % (what, gen, d))


def layout_case(items):
    def run(ctx):
        gen = ctx.gen
        a = ctx.impl.create("ia", items, gen)
        b = ctx.peer.create("pb", items, gen)
        ctx.peer.attach("pa", a)
        ctx.impl.attach("ib", b)
        oracle = ctx.peer.dump("pb")
        check_image(oracle, ctx.peer.dump("pa"),
                    gen, "image the implementation wrote, as CPython reads it, vs CPython's own")
        check_image(oracle, ctx.impl.dump("ib"),
                    gen, "CPython's image as the implementation reads it")
        fmt = "".join(V.fmt_of(v) for v in items)
        expect_eq(ctx.impl.ok("list_format ib").text, fmt, "format of CPython's list, read by the implementation")
        expect_eq(ctx.peer.ok("list_format pa").text, fmt, "format of the implementation's list, read by CPython")
        check_values(ctx.impl, "ib", items, "CPython's list read by the implementation")
        check_values(ctx.peer, "pa", items, "the implementation's list read by CPython")
    return run


def sets_case(items, seed):
    """A: impl-made, CPython sets. B: CPython-made, impl sets. C: CPython
    only, the oracle. All three must end byte-identical."""
    def run(ctx):
        gen = ctx.gen
        r = random.Random(seed)
        ops = corpus.random_sets(items, r, 12)
        a = ctx.impl.create("ia", items, gen)
        b = ctx.peer.create("pb", items, gen)
        ctx.peer.create("pc", items, gen)
        ctx.peer.attach("pa", a)
        ctx.impl.attach("ib", b)
        model = list(items)
        for i, v in ops:
            line = "list_set %%s %d %s" % (i, V.word(v))
            oc = ctx.peer.raw(line % "pc")
            oa = ctx.peer.raw(line % "pa")
            ob = ctx.impl.raw(line % "ib")
            too_long = isinstance(v, (str, bytes)) and \
                len(v.encode() if isinstance(v, str) else v) > V.alloc_of(items[i])
            want = "ValueError" if too_long else None
            expect_eq(oc.exc, want, "CPython's own set [%d] = %s" % (i, V.short(v)))
            expect_eq(oa.exc, want, "CPython set [%d] = %s on the implementation's image" % (i, V.short(v)))
            expect_eq(ob.exc, want, "implementation set [%d] = %s on CPython's image" % (i, V.short(v)))
            if not too_long:
                model[i] = v
        oracle = ctx.peer.dump("pc")
        check_image(oracle, ctx.peer.dump("pa"), gen,
                    "after sets: implementation-made image with CPython's sets, vs CPython only")
        check_image(oracle, ctx.impl.dump("ib"), gen,
                    "after sets: CPython-made image with the implementation's sets, vs CPython only")
        check_values(ctx.impl, "ib", model, "after sets, read by the implementation")
        check_values(ctx.peer, "pa", model, "after sets, read by CPython")
    return run


def register():
    for name, items in corpus.hand_picked() + corpus.random_sequences():
        add("layout", name, layout_case(items))
    r = random.Random(corpus.SEED + 1)
    seqs = [s for s in corpus.random_sequences() if s[1]][:80]
    seqs += [s for s in corpus.hand_picked() if s[0] == "all-types"]
    for name, items in seqs:
        add("layout", "sets-" + name, sets_case(items, r.getrandbits(32)))
