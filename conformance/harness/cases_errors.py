"""Group "errors": every error CPython raises in ordinary use, compared by
exception class. Each side does the same thing on its own objects."""
from . import values as V
from .core import Fail, add

BIG = 2 ** 63


def on_list(items, line, exc):
    """Both sides create `items`, then `line` (with {h}) must raise exc."""
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            h = side.role + "l"
            side.create(h, items, ctx.gen)
            side.err(line.format(h=h), exc)
    return run


def on_both(line, exc, names=0):
    """`line` may use {name}, {name2}: fresh names the harness cleans up."""
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            fill = {"name": ctx.name(), "name2": ctx.name(), "gen": ctx.gen}
            side.err(line.format(**fill), exc)
    return run


def closed_case(kind):
    def run(ctx):
        for side in (ctx.impl, ctx.peer):
            if kind == "shm":
                side.shm_create("s", 16)
                side.ok("shm_close s")
                side.err("shm_read s 0 1", "TypeError")
                side.ok("shm_unlink s")
            else:
                side.create("l", [1, "a"], ctx.gen)
                side.ok("list_close l")
                side.err("list_get l 0", "TypeError")
                side.err("list_set l 0 int:2", "TypeError")
                side.ok("list_unlink l")
    return run


def item_max_case(ctx):
    """The longest str/bytes whose format fits 8 characters, and one more."""
    for side in (ctx.impl, ctx.peer):
        n = ctx.name()
        side.ok("list_create m %s %s bytes:%s" % (n, ctx.gen, "61" * V.PYSHM_ITEM_MAX))
        side.ok("list_unlink m")
        side.err("list_create m %s %s bytes:%s" % (ctx.name(), ctx.gen, "61" * (V.PYSHM_ITEM_MAX + 1)),
                 "AssertionError")


def register():
    three = [1, "abc", b"xyz"]
    # -N-1 .. -2N are defects in CPython (see cases_defects, negative-index-*).
    # Indexes below -N are CPython defects (cases_defects, negative-index-*).
    for i in (3, 100):
        add("errors", "get-index-%d" % i, on_list(three, "list_get {h} %d" % i, "IndexError"))
        add("errors", "set-index-%d" % i, on_list(three, "list_set {h} %d int:0" % i, "IndexError"))
    add("errors", "get-empty-list", on_list([], "list_get {h} 0", "IndexError"))
    add("errors", "index-missing", on_list(three, "list_index {h} int:2", "ValueError"))
    add("errors", "index-str-vs-bytes", on_list(three, "list_index {h} str:78797a", "ValueError"))
    add("errors", "set-str-too-long", on_list(three, "list_set {h} 1 %s" % V.word("x" * 9), "ValueError"))
    add("errors", "set-bytes-too-long", on_list(three, "list_set {h} 2 %s" % V.word(b"x" * 9), "ValueError"))
    add("errors", "set-str-utf8-too-long", on_list(three, "list_set {h} 1 %s" % V.word("é" * 5), "ValueError"))
    add("errors", "set-str-into-int-slot-too-long", on_list(three, "list_set {h} 0 %s" % V.word("x" * 9), "ValueError"))
    add("errors", "set-int-too-big", on_list(three, "list_set {h} 0 int:%d" % BIG, "struct.error"))
    add("errors", "set-int-too-small", on_list(three, "list_set {h} 0 int:%d" % (-BIG - 1), "struct.error"))
    add("errors", "set-str-not-utf8", on_list(three, "list_set {h} 1 str:eda080", "UnicodeEncodeError"))
    add("errors", "shm-create-size-0", on_both("shm_create s {name} 0", "ValueError"))
    add("errors", "shm-create-size-negative", on_both("shm_create s {name} -1", "ValueError"))
    add("errors", "shm-attach-no-name", on_both("shm_attach s -", "ValueError"))
    add("errors", "shm-attach-missing", on_both("shm_attach s {name}", "FileNotFoundError"))
    add("errors", "list-attach-missing", on_both("list_attach s {name}", "FileNotFoundError"))
    add("errors", "shm-name-with-slash", on_both("shm_create s {name}/x 8", "OSError"))
    add("errors", "shm-name-too-long", on_both("shm_create s {name}%s 8" % ("n" * 300), "OSError"))
    add("errors", "list-create-int-too-big", on_both("list_create s {name} {gen} int:%d" % BIG, "struct.error"))
    add("errors", "list-create-int-too-small",
        on_both("list_create s {name} {gen} int:1 int:%d" % (-BIG - 1), "struct.error"))
    add("errors", "list-create-str-not-utf8", on_both("list_create s {name} {gen} str:eda080", "UnicodeEncodeError"))
    add("errors", "shm-read-after-close", closed_case("shm"))
    add("errors", "list-use-after-close", closed_case("list"))
    add("errors", "item-max-length", item_max_case)
