"""Threads use lists while another thread closes them, maps new blocks (so
that an old address may hold another block) and re-initialises the
SharedMemory objects the lists hold. Every operation must end in a value of
its own list or in an exception; a value of any other block, or a crash, is
a failure.

usage: stress_close.py [ROUNDS]     (PYTHONPATH must reach pyshm)

Each round replaces the current list by a new one (generation g, whose
items all carry g) and then, in turn: closes the old block, re-initialises
its SharedMemory on a new block, or closes it and maps and fills unrelated
blocks of the same size; then unlinks the old name. Prints "stress: N rounds, ..." and exits 0 when
every check held.
"""
import random
import sys
import threading

import pyshm

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
READERS = 3
SLOT = 64  # every text item fits this slot, whatever the generation


def items(g):
    return [g, float(g), "g%d" % g, ("g%d" % g).encode(), None, True, "x" * (SLOT - 8)]


def belongs(v, g):
    """True if v is a value a list of generation g may hold."""
    return v in (g, float(g), "g%d" % g, ("g%d" % g).encode(), None, True, "x" * (SLOT - 8))


made = []  # names of blocks not unlinked yet
current = [None]
stop = threading.Event()
failures = []
counts = {"value": 0, "error": 0}
EXPECTED_ERRORS = (TypeError, BufferError)


def new_list(g):
    """(the list, its generation, its block's name)"""
    sl = pyshm.ShareableList(items(g))
    made.append(sl.shm.name)
    return sl, g, sl.shm.name


def unlink(name):
    """Removes a name now; mappings of it stay valid until closed."""
    try:
        pyshm.SharedMemory(name).unlink()
    except FileNotFoundError:
        pass
    made.remove(name)


def reader(seed):
    rnd = random.Random(seed)
    while not stop.is_set():
        sl, g, _ = current[0]
        for _ in range(rnd.randrange(1, 50)):  # a burst on one list, closed or not
            one_op(rnd, sl, g)


def one_op(rnd, sl, g):
    """One random operation on sl (generation g), checked."""
    i = rnd.randrange(7)
    try:
        op = rnd.randrange(9)
        if op == 0:
            v = sl[i]
            if not belongs(v, g):
                failures.append("gen %d: sl[%d] = %r" % (g, i, v))
        elif op == 1:
            sl[i] = items(g)[i]
        elif op == 2:
            n = sl.count(g)
            if n != 2:  # g and float(g)
                failures.append("gen %d: count(g) = %d" % (g, n))
        elif op == 3:
            sl.index("g%d" % g)
        elif op == 4:
            if len(sl) != 7:
                failures.append("gen %d: len %d" % (g, len(sl)))
        elif op == 5:
            sl.format
        elif op == 6:
            vs = list(sl)
            if not all(belongs(v, g) for v in vs):
                failures.append("gen %d: %r" % (g, vs))
        elif op == 7:
            repr(sl)
        else:
            sl._get_packing_format(i)
        counts["value"] += 1
    except EXPECTED_ERRORS:
        counts["error"] += 1
    except Exception as e:  # anything else is a failure
        failures.append("gen %d: %s: %s" % (g, type(e).__name__, e))


def closer():
    rnd = random.Random(1)
    for g in range(3, ROUNDS + 3):
        old, _, old_name = current[0]
        current[0] = new_list(g)
        how = g % 3
        try:
            if how == 0:
                old.shm.close()
            elif how == 1:
                spare = pyshm.SharedMemory(create=True, size=old.shm.size)
                made.append(spare.name)
                old.shm.close()
                old.shm.__init__(spare.name)  # the list's memory stays closed
                spare.close()
                unlink(spare.name)
            else:
                size = old.shm.size
                old.shm.close()
                for _ in range(rnd.randrange(1, 4)):
                    other = pyshm.SharedMemory(create=True, size=size)
                    made.append(other.name)
                    other.buf[:size] = b"\xee" * size
                    other.close()
                    unlink(other.name)
        except BufferError:
            pass  # a reader held it at that moment: its mapping goes with it
        unlink(old_name)
        if g % 50 == 0:
            sys.setswitchinterval(rnd.choice((1e-6, 1e-5, 1e-4)))
    stop.set()


def main():
    sys.setswitchinterval(1e-6)
    current[0] = new_list(2)
    threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
    threads.append(threading.Thread(target=closer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in list(made):
        unlink(name)
    bad = failures
    print("stress: %d rounds, %d values, %d errors, %d failures"
          % (ROUNDS, counts["value"], counts["error"], len(bad)))
    for f in bad[:20]:
        print("  " + f)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
