"""CPython's ShareableList, operation by operation, under the names
bench/c/listops.c uses, so the report can pair them.

usage: listops.py [--samples N] [--sample-time S] [--out FILE]

Fast operations run timeit-style: a loop calibrated to last about
sample-time, divided by its length, repeated samples times. create and
attach are timed call by call with clean-up off the clock. Runs on
CPython 3.8 and later, standard library only.
"""
import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multiprocessing.shared_memory import ShareableList  # noqa: E402

import common  # noqa: E402

TYPES = [("int", 7, 8), ("float", 1.5, 2.5), ("bool", True, False),
         ("str", "hello", "HELLO"), ("bytes", b"world", b"WORLD"), ("none", None, None)]


def mixed(n):
    """The same items, in the same order, as listops.c's make_items()."""
    cycle = [lambda i: i, lambda i: i + 0.5, lambda i: bool(i & 1),
             lambda i: "hello", lambda i: b"world", lambda i: None]
    return [cycle[i % 6](i) for i in range(n)]


def drop(sl):
    sl.shm.close()
    sl.shm.unlink()


def per_call(fn, after, reps):
    fn_result = fn()
    after(fn_result)  # warm-up
    samples = []
    for _ in range(reps):
        t0 = common.now()
        r = fn()
        samples.append(common.now() - t0)
        after(r)
    return common.summarize(samples)


def loop(stmt, env, samples, sample_time, budget):
    timer = timeit.Timer(stmt, globals=env)
    iters, t = 1, 0.0
    while True:  # calibrate, which also warms up
        t = timer.timeit(iters)
        if t >= sample_time / 10:
            break
        iters *= 2
    if iters == 1 and t > sample_time:
        # One call outlasts a sample (CPython 3.8's count and index are
        # quadratic): fewer samples, so that the op stays within budget; the
        # calibration call itself is the only sample if even one more won't fit.
        samples = min(samples, int(budget / t))
        return common.summarize([timer.timeit(1) for _ in range(samples)] or [t])
    iters = int(iters * sample_time / t) + 1
    return common.summarize([timer.timeit(iters) / iters for _ in range(samples)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=21)
    ap.add_argument("--sample-time", type=float, default=0.01)
    ap.add_argument("--budget", type=float, default=5.0,
                    help="seconds an operation may take when one call is slow")
    ap.add_argument("--out")
    args = ap.parse_args()
    ops = {}
    live = []
    try:
        reps = args.samples * 5
        for n in (10, 10000):
            items = mixed(n)
            ops["create_%d" % n] = per_call(lambda: ShareableList(items), drop, reps)
        for n in (10, 10000):
            sl = ShareableList(mixed(n))
            live.append(sl)
            name = sl.shm.name
            # An attach registers the name with the resource tracker again;
            # that is part of what CPython's attach costs, so it stays timed.
            ops["attach_%d" % n] = per_call(lambda: ShareableList(name=name),
                                            lambda other: other.shm.close(), reps)

        six = ShareableList([value for _, value, _ in TYPES])
        live.append(six)
        for i, (kind, _, new) in enumerate(TYPES):
            env = {"sl": six, "i": i, "v": new}
            ops["get_" + kind] = loop("sl[i]", env, args.samples, args.sample_time,
                                   args.budget)
            ops["set_" + kind] = loop("sl[i] = v", env, args.samples, args.sample_time,
                                   args.budget)

        for kind, make in (("int", lambda i: i), ("str", lambda i: "s%04d" % i)):
            values = [make(i) for i in range(10000)]
            sl = ShareableList(values)
            live.append(sl)
            env = {"sl": sl, "v": values[-1]}
            for op in ("count", "index"):
                ops["%s_%s_10000" % (op, kind)] = loop("sl.%s(v)" % op, env, args.samples,
                                                       args.sample_time, args.budget)
    finally:
        for sl in live:
            drop(sl)
    common.write_json({"kind": "listops", "impl": "cpython", "version": common.version(),
                       "ops": ops}, args.out)


if __name__ == "__main__":
    main()
