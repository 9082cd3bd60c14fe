"""Group "layout": byte-for-byte images in both directions, and after sets.

For every sequence the implementation and the peer each create a list; each
side then attaches the other's block and reads it whole. With CPython in the
implementation's place this gives CPython's images and values, which the
implementation's must equal byte for byte.
"""
import random

from . import corpus
from . import values as V
from .core import add


def sample_indexes(n, k=48):
    if n <= k:
        return list(range(n))
    r = random.Random(n)
    picked = {0, n - 1, n // 2} | set(r.sample(range(n), k - 3))
    return sorted(picked)


def read_values(side, h, n):
    """len, a sample of items and item -1: each reply goes into the transcript."""
    side.ok("list_len %s" % h)
    for i in sample_indexes(n):
        side.raw("list_get %s %d" % (h, i))
    if n:
        side.raw("list_get %s -1" % h)


def layout_case(items):
    """Each side writes the list and reads the other's: the peer's dump of
    the implementation's image, the implementation's dump of the peer's,
    formats and values."""
    def run(ctx):
        gen = ctx.gen
        a = ctx.impl.create("ia", items, gen)
        b = ctx.peer.create("pb", items, gen)
        ctx.peer.attach("pa", a)
        ctx.impl.attach("ib", b)
        ctx.peer.ok("list_dump pa")
        ctx.impl.ok("list_dump ib")
        ctx.impl.raw("list_format ib")
        ctx.peer.raw("list_format pa")
        read_values(ctx.impl, "ib", len(items))
        read_values(ctx.peer, "pa", len(items))
    return run


def sets_case(items, seed):
    """The peer sets items of the implementation's list, the implementation
    sets items of the peer's (some too long on purpose); then both images."""
    def run(ctx):
        gen = ctx.gen
        r = random.Random(seed)
        ops = corpus.random_sets(items, r, 12)
        a = ctx.impl.create("ia", items, gen)
        b = ctx.peer.create("pb", items, gen)
        ctx.peer.attach("pa", a)
        ctx.impl.attach("ib", b)
        for i, v in ops:
            line = "list_set %%s %d %s" % (i, V.word(v))
            ctx.peer.raw(line % "pa")
            ctx.impl.raw(line % "ib")
        ctx.peer.ok("list_dump pa")
        ctx.impl.ok("list_dump ib")
        read_values(ctx.impl, "ib", len(items))
        read_values(ctx.peer, "pa", len(items))
    return run


def register():
    for name, items in corpus.hand_picked() + corpus.random_sequences():
        add("layout", name, layout_case(items))
    r = random.Random(corpus.SEED + 1)
    seqs = [s for s in corpus.random_sequences() if s[1]][:80]
    seqs += [s for s in corpus.hand_picked() if s[0] == "all-types"]
    for name, items in seqs:
        add("layout", "sets-" + name, sets_case(items, r.getrandbits(32)))
