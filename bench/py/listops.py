"""The list operations bench/py/pyshm_bench.py measures, on either
ShareableList (the stdlib's or the pyshm module's): their items, statements
and fixtures, the same as bench/c/listops.c builds for libpyshm, so that
the columns of a table differ in the implementation alone.

Named operations:
  get_T, set_T       sl[i] and sl[i] = v on a 6-item list, one item of each
                     type T in TYPES
  count_K_10000, index_K_10000   sl.count(v), sl.index(v) over 10,000 ints
                     or strs, v the last item (every item is compared)
  create_N           ShareableList(mixed(N)), N = 10 and 10,000
  attach_N           ShareableList(name=...) of such a list
The sweep (how a cost grows), one point per (axis, x):
  axis "n"     a list of the ints 0..x-1: get and set the last item, count
               the last value, create the list
  axis "size"  SWEEP_ITEMS bytes items of x bytes each: get and set the
               last, create the list
Runs on CPython 3.8 and later, standard library only.
"""

TYPES = [("int", 7, 8), ("float", 1.5, 2.5), ("bool", True, False),
         ("str", "hello", "HELLO"), ("bytes", b"world", b"WORLD"), ("none", None, None)]

SWEEP_N = [10, 100, 1000, 10000, 100000]
SWEEP_SIZE = [8, 64, 512, 4096, 32768, 262144, 1048576]
SWEEP_ITEMS = 10
SWEEP_OPS = {"n": ["get", "set", "count", "create"], "size": ["get", "set", "create"]}


def mixed(n):
    """The same items, in the same order, as listops.c's make_items()."""
    cycle = [lambda i: i, lambda i: i + 0.5, lambda i: bool(i & 1),
             lambda i: "hello", lambda i: b"world", lambda i: None]
    return [cycle[i % 6](i) for i in range(n)]


def sweep_items(axis, x):
    """(items, value a set writes) of a point of the sweep."""
    if axis == "n":
        return list(range(x)), -1
    if axis == "size":
        return [b"x" * x] * SWEEP_ITEMS, b"y" * x
    raise ValueError("unknown sweep axis %r" % (axis,))


def drop(sl):
    sl.shm.close()
    sl.shm.unlink()
