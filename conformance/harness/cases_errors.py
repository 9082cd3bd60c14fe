"""Group "errors": every error CPython raises in ordinary use, compared by
exception class. Each side does the same thing on its own objects; the
implementation must raise what CPython in its place raises."""
import errno

from . import values as V
from .core import Fail, add

BIG = 2 ** 63


def on_list(items, line):
    """Both sides create `items`, then each does `line` (with {h})."""
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            h = side.role + "l"
            side.create(h, items, ctx.gen)
            side.raw(line.format(h=h))
            side.raw("list_format %s" % h)
    return run


def on_both(line):
    """`line` may use {name}, {name2}: fresh names the harness cleans up."""
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            fill = {"name": ctx.name(), "name2": ctx.name(), "gen": ctx.gen}
            side.raw(line.format(**fill))
    return run


def failed_create_strict(line, exc):
    """SPEC 4.4: a ShareableList that cannot be made is refused before any
    block exists (CPython makes the block first and leaves it behind)."""
    def run(ctx):
        name = ctx.name()
        ctx.impl.must(line.format(name=name, gen=ctx.gen), exc)
        if ctx.exists(name):
            raise Fail("the failed create left the block %s behind (SPEC 4.4)" % name,
                       cause="a failed create leaves its block behind")
    return run


def name_too_long_strict(ctx):
    """SPEC 2.1: OSError, errno ENAMETOOLONG or EINVAL (glibc gives either,
    by length), and no block."""
    name = ctx.name()
    ctx.impl.must("shm_create s %s%s 8" % (name, "n" * 300), "OSError")
    detail = ctx.trace[-1].reply
    if not any("errno=%d " % e in detail for e in (errno.ENAMETOOLONG, errno.EINVAL)):
        raise Fail("a name too long: %s, expected errno ENAMETOOLONG (%d) or EINVAL (%d)" % (
            detail, errno.ENAMETOOLONG, errno.EINVAL))


def closed_case(kind):
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            if kind == "shm":
                side.shm_create("s", 16)
                side.raw("shm_close s")
                side.raw("shm_read s 0 1")
                side.raw("shm_unlink s")
            else:
                side.create("l", [1, "a"], ctx.gen)
                side.raw("list_close l")
                side.raw("list_get l 0")
                side.raw("list_set l 0 int:2")
                side.raw("list_len l")
                side.raw("list_unlink l")
    return run


def detail_case(line):
    """An OSError's errno and filename, as `err_detail` reports them."""
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            fill = {"name": ctx.name(), "gen": ctx.gen}
            if not side.raw(line.format(**fill)).ok:
                side.raw("err_detail")
    return run


def detail_case_existing(ctx):
    name = ctx.name()
    ctx.peer.ok("shm_create p %s 8" % name)
    for side in (ctx.impl, ctx.peer):
        if not side.raw("shm_create s %s 8" % name).ok:
            side.raw("err_detail")


def item_max_case(ctx):
    """The longest str/bytes whose format fits 8 characters, and one more."""
    for side in (ctx.impl, ctx.peer):
        if side.raw("list_create m %s %s bytes:%s" % (ctx.name(), ctx.gen, "61" * V.PYSHM_ITEM_MAX)).ok:
            side.raw("list_unlink m")
        side.raw("list_create m %s %s bytes:%s" % (ctx.name(), ctx.gen, "61" * (V.PYSHM_ITEM_MAX + 1)))


def register():
    three = [1, "abc", b"xyz"]
    # Indexes below -N are CPython defects (cases_defects, negative-index-*).
    for i in (3, 100):
        add("errors", "get-index-%d" % i, on_list(three, "list_get {h} %d" % i))
        add("errors", "set-index-%d" % i, on_list(three, "list_set {h} %d int:0" % i))
    add("errors", "set-index-out-of-range-bad-value",
        on_list(three, "list_set {h} 5 int:%d" % (2 ** 64)))
    add("errors", "set-index-out-of-range-surrogate", on_list(three, "list_set {h} 7 str:eda080"))
    add("errors", "get-empty-list", on_list([], "list_get {h} 0"))
    add("errors", "index-missing", on_list(three, "list_index {h} int:2"))
    add("errors", "index-str-vs-bytes", on_list(three, "list_index {h} str:78797a"))
    add("errors", "set-str-too-long", on_list(three, "list_set {h} 1 %s" % V.word("x" * 9)))
    add("errors", "set-bytes-too-long", on_list(three, "list_set {h} 2 %s" % V.word(b"x" * 9)))
    add("errors", "set-str-utf8-too-long", on_list(three, "list_set {h} 1 %s" % V.word("é" * 5)))
    add("errors", "set-str-into-int-slot-too-long", on_list(three, "list_set {h} 0 %s" % V.word("x" * 9)))
    add("errors", "set-int-too-big", on_list(three, "list_set {h} 0 int:%d" % BIG))
    add("errors", "set-int-too-small", on_list(three, "list_set {h} 0 int:%d" % (-BIG - 1)))
    add("errors", "set-str-not-utf8", on_list(three, "list_set {h} 1 str:eda080"))
    add("errors", "shm-create-size-0", on_both("shm_create s {name} 0"))
    add("errors", "shm-create-size-negative", on_both("shm_create s {name} -1"))
    add("errors", "shm-attach-no-name", on_both("shm_attach s -"))
    add("errors", "shm-attach-missing", on_both("shm_attach s {name}"))
    add("errors", "list-attach-missing", on_both("list_attach s {name}"))
    add("errors", "shm-name-with-slash", on_both("shm_create s {name}/x 8"))
    add("errors", "shm-name-too-long", on_both("shm_create s {name}%s 8" % ("n" * 300)),
        name_too_long_strict)
    for case, line, exc in (
            ("list-create-int-too-big", "list_create s {name} {gen} int:%d" % BIG, "struct.error"),
            ("list-create-int-too-small", "list_create s {name} {gen} int:1 int:%d" % (-BIG - 1),
             "struct.error"),
            ("list-create-str-not-utf8", "list_create s {name} {gen} str:eda080", "UnicodeEncodeError")):
        add("errors", case, on_both(line), failed_create_strict(line, exc))
    add("errors", "shm-read-after-close", closed_case("shm"))
    add("errors", "list-use-after-close", closed_case("list"))
    add("errors", "item-max-length", item_max_case)
    add("errors", "shm-attach-missing-errno-filename", detail_case("shm_attach s {name}"))
    add("errors", "list-attach-missing-errno-filename", detail_case("list_attach s {name} {gen}"))
    add("errors", "shm-create-existing-errno-filename", detail_case_existing)
