"""List operations from Python and from C: the pyshm extension module beside
the stdlib's ShareableList on every interpreter it was built for, and
libpyshm called from C (bench/c/listops.c), in one run; and its section of
the report.

usage: pyshm_bench.py --builds build/python --out DIR [--render-only]
                      [--c-listops PROGRAM] [--only LABEL,...] [--quick]
                      [--rounds N] [--min-rounds N] [--sample-time S]
                      [--op-budget S] [--sweep-rounds N] [--render-only]

How it measures. One worker process per interpreter (this file, run with
--worker under that interpreter, the module importable from --builds) holds
both implementations' lists, made from listops.py's items; bench/c/listops
(--c-listops) holds libpyshm's, made from the same items. The driver then
goes round by round: in each round, for each operation, it asks each
interpreter in turn for one sample of the stdlib and one of pyshm, taken
back to back in the same process (which goes first alternates from round to
round), then the C program for one. So the columns of a cell, and the
columns of different interpreters, see the same machine load, however it
changes during the run. A sample of a fast operation is a loop calibrated
to last about --sample-time, divided by its length (as timeit does); create
and attach are timed call by call (5 calls a round), clean-up off the clock.
An operation whose samples have taken more than --op-budget seconds (CPython
3.8's quadratic count and index: 1 s a call) stops being sampled once it has
--min-rounds rounds (3).
The speed-up of a cell is the median of the per-round ratios stdlib/pyshm
(each ratio from samples taken moments apart), with their spread; the same
for stdlib/C.

The sweep (--sweep-rounds, 0 for none): listops.py's points of list length
and item size, on the newest interpreter and C, round by round the same way.

Output, DIR/listops-{stdlib,pyshm}-<version>.json, one per implementation
and interpreter, with what the earlier driver wrote:
    kind "listops", impl, version and python (the interpreter's X.Y.Z),
    ops: {op: {n, median, min, max, p25, p75}} (seconds per call)
and these fields besides:
    method       "interleaved": the implementations sampled in turn
    rounds, sample_time, op_budget   the settings of the run
    ops[op].samples   every sample, in the order taken (seconds per call)
    ops[op].spread    (p75 - p25) / median of the samples
    ops[op].loop_length   calls in each sample of a loop op (calibrated)
    ops[op].ratio     (pyshm files) {n, median, min, max, p25, p75} of the
                      per-round ratios stdlib/pyshm: the speed-up and its spread
The op "loop" is the sampling loop itself with a statement that only loads
the list (its cost per iteration is in every loop op's time); it is measured
for both implementations and is not a list operation.
DIR/listops-c.json (with --c-listops): the same for libpyshm from C, impl
"c", version the library's, and no op "loop"; instead of ratio,
    ops[op].ratios    {python version: statistics of the per-round ratios
                      stdlib/C on that interpreter}
DIR/sweep.json (with --sweep-rounds): kind "sweep", python (the interpreter),
c (the library's version or null), rounds, sample_time, op_budget, items
(what each axis's lists hold), and points: a list of
    {axis ("n": list length, "size": item size in bytes), x, op (get, set,
     count, create), impl (stdlib, pyshm, c), and the statistics and
     samples of an op above}
DIR/run.json: interpreters, settings, start time and duration of the run,
the one-minute load average at its end, c (the library's version) and sweep
({python, rounds}) when measured.

Then prints its section of the report (report.py puts it in REPORT.md
between the "pyshm-python" markers). Goals are reported, never asserted.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from common import median, summarize  # noqa: E402
from text import number, secs  # noqa: E402
BEGIN, END = "<!-- pyshm-python begin -->", "<!-- pyshm-python end -->"

GET_SET = ["%s_%s" % (op, t) for t in ("int", "float", "bool", "str", "bytes", "none")
           for op in ("get", "set")]
SCANS = ["count_int_10000", "index_int_10000", "count_str_10000", "index_str_10000"]
LIFE = ["create_10", "create_10000", "attach_10", "attach_10000"]
LOOP = ["loop"]
IMPLS = ("stdlib", "pyshm")
CALLS_PER_ROUND = 5  # create and attach: calls per implementation and round
MIN_ROUNDS = 3
# --quick: enough to show that every part runs, not to compare.
# The newest interpreter alone: CPython 3.8's quadratic count and index
# would take most of it, and every interpreter's module has its own tests.
PY38_NOTE = ("CPython 3.8's `count` and `index` are quadratic: each item it reads sums the "
             "sizes of all the items before it.")
QUICK = {"rounds": 2, "min_rounds": 1, "sample_time": 0.002, "op_budget": 0.1,
         "sweep_rounds": 1, "only": "newest"}


# ---- the worker: runs under each interpreter --------------------------------

class Fixtures:
    """One implementation's lists and the operations on them."""

    def __init__(self, ShareableList, listops):
        self.SL, self.lo, self.live, self.ops = ShareableList, listops, [], {}
        lo = listops
        for n in (10, 10000):
            items = lo.mixed(n)
            self.ops["create_%d" % n] = ("call", lambda items=items: self.SL(items), lo.drop)
        for n in (10, 10000):
            sl = self.keep(self.SL(lo.mixed(n)))
            self.ops["attach_%d" % n] = ("call", lambda name=sl.shm.name: self.SL(name=name),
                                         lambda other: other.shm.close())
        six = self.keep(self.SL([value for _, value, _ in lo.TYPES]))
        self.ops["loop"] = ("loop", timeit.Timer("sl", globals={"sl": six}))
        for i, (kind, _, new) in enumerate(lo.TYPES):
            env = {"sl": six, "i": i, "v": new}
            self.ops["get_" + kind] = ("loop", timeit.Timer("sl[i]", globals=env))
            self.ops["set_" + kind] = ("loop", timeit.Timer("sl[i] = v", globals=env))
        for kind, make in (("int", lambda i: i), ("str", lambda i: "s%04d" % i)):
            values = [make(i) for i in range(10000)]
            sl = self.keep(self.SL(values))
            env = {"sl": sl, "v": values[-1]}
            for op in ("count", "index"):
                self.ops["%s_%s_10000" % (op, kind)] = (
                    "loop", timeit.Timer("sl.%s(v)" % op, globals=env))
        self.iters = {}
        self.points = {}  # (axis, x) of the sweep -> (its list, items, new value)

    def keep(self, sl):
        self.live.append(sl)
        return sl

    def calibrate(self, sample_time):
        for name, op in self.ops.items():
            if op[0] == "loop":
                self.calibrate_op(name, sample_time)

    def calibrate_op(self, name, sample_time):
        """A loop length that makes a sample last about sample_time. The
        length is scaled from the fastest of three timings, so that a pause
        of the machine while calibrating cannot leave an op with a loop too
        short to time (a one-call loop measures the timer, not the op)."""
        timer = self.ops[name][1]
        iters = 1
        while True:  # also warms up
            t = timer.timeit(iters)
            if t >= sample_time / 10:
                break
            iters *= 2
        if t < sample_time:  # one call longer than a sample needs no more
            t = min([t] + [timer.timeit(iters) for _ in range(2)])
        # One call longer than a sample (CPython 3.8's count): one a sample.
        self.iters[name] = max(1, int(iters * sample_time / t))

    def sweep_op(self, axis, x, name, sample_time):
        """The key of the op name at the point (axis, x) of the sweep (see
        listops.py), made and calibrated on first use."""
        key = "%s@%s=%d" % (name, axis, x)
        if key in self.ops:
            return key
        if (axis, x) not in self.points:
            items, new = self.lo.sweep_items(axis, x)
            self.points[axis, x] = (self.keep(self.SL(items)), items, new)
        sl, items, new = self.points[axis, x]
        env = {"sl": sl, "i": len(items) - 1, "v": new}
        if name == "create":
            self.ops[key] = ("call", lambda: self.SL(items), self.lo.drop)
        elif name in ("get", "set", "count"):
            stmt = {"get": "sl[i]", "set": "sl[i] = v", "count": "sl.count(w)"}[name]
            env["w"] = items[-1]
            self.ops[key] = ("loop", timeit.Timer(stmt, globals=env))
            self.calibrate_op(key, sample_time)
        else:
            raise ValueError("no sweep op %r" % (name,))
        return key

    def sample(self, name):
        """Seconds per call (one loop sample, or CALLS_PER_ROUND timed
        calls), and the seconds the sample took."""
        op = self.ops[name]
        if op[0] == "loop":
            n = self.iters[name]
            t = op[1].timeit(n)
            return [t / n], t
        out = []
        for _ in range(CALLS_PER_ROUND):
            t0 = time.perf_counter()
            r = op[1]()
            out.append(time.perf_counter() - t0)
            op[2](r)
        return out, sum(out)

    def close(self, drop):
        for sl in self.live:
            drop(sl)


def worker():
    import listops
    from multiprocessing.shared_memory import ShareableList as Stdlib

    import pyshm
    fixtures = {"stdlib": Fixtures(Stdlib, listops), "pyshm": Fixtures(pyshm.ShareableList,
                                                                       listops)}
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "hello":
            reply = {"version": "%d.%d.%d" % sys.version_info[:3],
                     "ops": sorted(fixtures["pyshm"].ops)}
        elif cmd["cmd"] == "calibrate":
            for f in fixtures.values():
                f.calibrate(cmd["sample_time"])
            reply = {"iters": {impl: f.iters for impl, f in fixtures.items()}}
        elif cmd["cmd"] in ("sample", "sweep"):
            names = {impl: cmd["op"] for impl in IMPLS}
            if cmd["cmd"] == "sweep":
                names = {impl: f.sweep_op(cmd["axis"], cmd["x"], cmd["op"], cmd["sample_time"])
                         for impl, f in fixtures.items()}
            order = IMPLS if cmd["first"] == "stdlib" else IMPLS[::-1]
            got = {impl: fixtures[impl].sample(names[impl]) for impl in order}
            reply = {impl: got[impl][0] for impl in IMPLS}
            reply["spent"] = sum(got[impl][1] for impl in IMPLS)
            reply["loop_length"] = {impl: fixtures[impl].iters.get(names[impl]) for impl in IMPLS}
        else:
            break
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    for f in fixtures.values():
        f.close(listops.drop)


# ---- the driver -------------------------------------------------------------

def interpreters(builds, only=None):
    """(label, path) of each interpreter the module is built for, or of
    those in only; only ["newest"]: the newest X.Y (the system's if it is
    the only one)."""
    out = subprocess.run(["sh", os.path.join(ROOT, "ref", "python", "interpreters.sh")],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    found = [line.split(None, 1) for line in out.splitlines()]
    found = [(label, path) for label, path in found if os.path.isdir(os.path.join(builds, label))]
    if only == ["newest"]:
        numbered = [f for f in found if f[0] != "system"]
        found = [max(numbered, key=lambda f: vkey(f[0]))] if numbered else found[-1:]
    return [f for f in found if not only or only == ["newest"] or f[0] in only]


class Worker:
    def __init__(self, label, exe, builds):
        env = dict(os.environ, PYTHONPATH=os.path.join(builds, label))
        self.label = label
        self.proc = subprocess.Popen([exe, os.path.abspath(__file__), "--worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True)
        hello = self.ask(cmd="hello")
        self.version, self.ops = hello["version"], hello["ops"]

    def ask(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("pyshm bench: the %s worker ended" % self.label)
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=120)


class CWorker(Worker):
    """bench/c/listops.c: libpyshm called from C, asked for samples in the
    same rounds as the interpreters (its line protocol is at its top)."""

    def __init__(self, exe):
        self.label = "C"
        self.proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True)
        hello = self.ask("hello")
        self.version, self.ops = hello["version"], hello["ops"]

    def ask(self, *words, **_):
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        reply = json.loads(line) if line else {}
        if "error" in reply or not line:
            raise SystemExit("pyshm bench: listops %s: %s" % (
                " ".join(map(str, words)), reply.get("error", "ended")))
        return reply


def stats_of(samples, ratios=None, loop_length=None):
    """The JSON statistics of one op of one implementation (see the top)."""
    out = summarize(samples)
    out["spread"] = (out["p75"] - out["p25"]) / out["median"] if out["median"] else 0.0
    out["samples"] = samples
    if loop_length:
        out["loop_length"] = loop_length
    if ratios is not None:
        out["ratio"] = summarize(ratios)
    return out


def clear(out):
    """Removes what an earlier run left in out, so that no file of an
    interpreter or a part measured then is taken for this run's."""
    for name in os.listdir(out):
        if name.endswith(".json") and (name.startswith("listops-") or
                                       name in ("sweep.json", "run.json")):
            os.unlink(os.path.join(out, name))


def measure(builds, out, rounds, sample_time, op_budget, c_exe=None, only=None,
            min_rounds=MIN_ROUNDS, sweep_rounds=0):
    started = time.time()
    clear(out)
    workers = []
    for label, exe in interpreters(builds, only):
        print("pyshm bench: %s (%s)" % (label, exe), file=sys.stderr)
        workers.append(Worker(label, exe, builds))
    if not workers:
        raise SystemExit("pyshm bench: no module built under %s%s" % (
            builds, " for %s" % ",".join(only) if only else ""))
    c = CWorker(c_exe) if c_exe else None
    iters = {w.version: w.ask(cmd="calibrate", sample_time=sample_time)["iters"]
             for w in workers}
    c_iters = c.ask("calibrate", sample_time)["iters"] if c else {}
    ops = GET_SET + SCANS + LIFE + LOOP
    # results[version][op] = {"stdlib": [...], "pyshm": [...], "ratios": [...]}
    results = {w.version: {op: {"stdlib": [], "pyshm": [], "ratios": [], "spent": 0.0}
                           for op in ops} for w in workers}
    # c_results[op] = {"c": [...], "ratios": {version: [stdlib / C, a round each]}}
    c_results = {op: {"c": [], "ratios": {w.version: [] for w in workers}} for op in ops}
    for r in range(rounds):
        print("pyshm bench: round %d of %d" % (r + 1, rounds), file=sys.stderr)
        for op in ops:
            stdlib = {}
            for w in workers:
                cell = results[w.version][op]
                if r >= min_rounds and cell["spent"] > op_budget:
                    continue
                got = w.ask(cmd="sample", op=op, first=IMPLS[r % 2])
                for impl in IMPLS:
                    cell[impl].extend(got[impl])
                cell["spent"] += got["spent"]
                stdlib[w.version] = median(got["stdlib"])
                cell["ratios"].append(stdlib[w.version] / median(got["pyshm"]))
            # libpyshm from C in the same round, right after the interpreters
            # (its samples take the time of the fastest Python ones).
            if c and op in c.ops and stdlib:
                got = c.ask("sample", op)["c"]
                c_results[op]["c"].extend(got)
                for v, s in stdlib.items():
                    c_results[op]["ratios"][v].append(s / median(got))
    settings = {"method": "interleaved", "rounds": rounds, "sample_time": sample_time,
                "op_budget": op_budget}
    for w in workers:
        for impl in IMPLS:
            doc = {"kind": "listops", "impl": impl, "version": w.version, "python": w.version}
            doc.update(settings)
            doc["ops"] = {}
            for op, cell in results[w.version].items():
                doc["ops"][op] = stats_of(cell[impl], cell["ratios"] if impl == "pyshm" else None,
                                          iters[w.version][impl].get(op))
            with open(os.path.join(out, "listops-%s-%s.json" % (impl, w.version)), "w") as f:
                json.dump(doc, f, indent=1)
    if c:
        doc = {"kind": "listops", "impl": "c", "version": c.version}
        doc.update(settings)
        doc["ops"] = {}
        for op, cell in c_results.items():
            if cell["c"]:
                doc["ops"][op] = stats = stats_of(cell["c"], None, c_iters.get(op))
                stats["ratios"] = {v: summarize(rs) for v, rs in cell["ratios"].items() if rs}
        with open(os.path.join(out, "listops-c.json"), "w") as f:
            json.dump(doc, f, indent=1)
    newest = max(workers, key=lambda w: vkey(w.version))
    if sweep_rounds:
        sweep(newest, c, out, sweep_rounds, sample_time, op_budget, min(min_rounds, sweep_rounds))
    for w in workers + ([c] if c else []):
        w.close()
    run = dict(settings, interpreters={w.label: w.version for w in workers},
               started=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
               seconds=round(time.time() - started, 1), min_rounds=min_rounds,
               load=load_average())
    if c:
        run["c"] = c.version
    if sweep_rounds:
        run["sweep"] = {"python": newest.version, "rounds": sweep_rounds}
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(run, f, indent=1)
    return [w.version for w in workers]


def sweep(w, c, out, rounds, sample_time, op_budget, min_rounds):
    """Every point of listops.py's sweep on one interpreter (and C), round
    by round as measure() does: sweep.json."""
    import listops
    cells = {}  # (axis, x, op) -> {impl: [samples], "spent": s, "loop_length": {...}}
    for r in range(rounds):
        print("pyshm bench: sweep, round %d of %d" % (r + 1, rounds), file=sys.stderr)
        for axis, xs in (("n", listops.SWEEP_N), ("size", listops.SWEEP_SIZE)):
            for x in xs:
                for op in listops.SWEEP_OPS[axis]:
                    cell = cells.setdefault((axis, x, op), {"stdlib": [], "pyshm": [], "c": [],
                                                            "spent": 0.0, "loop_length": {}})
                    if r >= min_rounds and cell["spent"] > op_budget:
                        continue
                    got = w.ask(cmd="sweep", axis=axis, x=x, op=op, sample_time=sample_time,
                                first=IMPLS[r % 2])
                    cell["spent"] += got["spent"]
                    cell["loop_length"].update(got["loop_length"])
                    if c:
                        got_c = c.ask("sweep", op, axis, x, sample_time)
                        got["c"] = got_c["c"]
                        cell["loop_length"]["c"] = got_c.get("loop_length")
                    for impl in IMPLS + (("c",) if c else ()):
                        cell[impl].extend(got[impl])
    points = []
    for (axis, x, op), cell in cells.items():
        for impl in IMPLS + (("c",) if c else ()):
            p = {"axis": axis, "x": x, "op": op, "impl": impl}
            p.update(stats_of(cell[impl], None, cell["loop_length"].get(impl)))
            points.append(p)
    doc = {"kind": "sweep", "python": w.version, "c": c.version if c else None,
           "rounds": rounds, "sample_time": sample_time, "op_budget": op_budget,
           "items": SWEEP_ITEMS_DOC, "points": points}
    with open(os.path.join(out, "sweep.json"), "w") as f:
        json.dump(doc, f, indent=1)


SWEEP_ITEMS_DOC = {"n": "the ints 0..x-1; get and set the last item, count the last value, "
                        "create the list",
                   "size": "10 bytes items of x bytes each; get and set the last, create "
                           "the list"}


def load_average():
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


# ---- the report -------------------------------------------------------------

def load(out, impl, ver):
    with open(os.path.join(out, "listops-%s-%s.json" % (impl, ver))) as f:
        return json.load(f)["ops"]


def vkey(ver):
    return tuple(int(x) for x in ver.split("."))


def ratio_of(data, v, op):
    """(median, p25, p75) of the speed-up of op on v: the per-round ratios
    where the run has them, else the ratio of the medians."""
    s, p = data[v]
    if op not in s or op not in p:
        return None
    if "ratio" in p[op]:
        r = p[op]["ratio"]
        return r["median"], r["p25"], r["p75"]
    m = s[op]["median"] / p[op]["median"]
    return m, m, m


def render(out, versions):
    versions = sorted(set(versions), key=vkey)
    data = {v: (load(out, "stdlib", v), load(out, "pyshm", v)) for v in versions}
    run = {}
    if os.path.exists(os.path.join(out, "run.json")):
        with open(os.path.join(out, "run.json")) as f:
            run = json.load(f)
    w = []
    w.append("## The pyshm module from Python\n")
    w.append("`pyshm.ShareableList` (the C extension in ref/python, libpyshm linked in) "
             "beside `multiprocessing.shared_memory.ShareableList` of the same "
             "interpreter, operation by operation (listops.py's items and statements, run by "
             "bench/py/pyshm_bench.py: `make bench-python`). Each cell: the median time per "
             "call, stdlib / pyshm, and the speed-up with the spread (25th-75th percentile) of "
             "its per-round values. Every interpreter and both implementations are sampled "
             "in turn, round after round, so each ratio compares samples taken moments "
             "apart%s.\n" % (
                 " (%d rounds, %.0f ms samples; %s s in all, started %s)" % (
                     run["rounds"], run["sample_time"] * 1e3, run["seconds"], run["started"])
                 if run else ""))
    w.append("| operation | " + " | ".join(versions) + " |")
    w.append("|---" * (len(versions) + 1) + "|")
    for op in GET_SET + SCANS + LIFE:
        cells = []
        for v in versions:
            s, p = data[v]
            r = ratio_of(data, v, op)
            if r is None:
                cells.append("–")
                continue
            cells.append("%s / %s (%s× %s–%s)" % (secs(s[op]["median"]), secs(p[op]["median"]),
                                                  number(r[0]), number(r[1]), number(r[2])))
        w.append("| `%s` | %s |" % (op, " | ".join(cells)))
    w.append("")
    w.extend(goals(data))
    w.extend(versions_note(data))
    return "\n".join(w) + "\n"


def goals(data):
    rows = []
    target = [v for v in data if (3, 8) <= vkey(v)[:2] <= (3, 13)]

    def worst(names, vers, col=0):
        best = None
        for v in vers:
            for op in names:
                r = ratio_of(data, v, op)
                if r is not None and (best is None or r[col] < best[0]):
                    best = (r[col], op, v)
        return best

    def ratio_row(goal, target_text, names, vers, need):
        med, low = worst(names, vers), worst(names, vers, 1)
        if med:
            rows.append("| %s | %s | lowest %.3gx (`%s`, %s); its 25th percentile over all "
                        "cells %.3gx (`%s`, %s) | %s |"
                        % (goal, target_text, med[0], med[1], med[2], low[0], low[1], low[2],
                           "met" if med[0] >= need else "**missed**"))

    rows.append("A goal is judged on the median speed-up of each cell; the lowest 25th "
                "percentile says how far the noisiest cell strays.")
    rows.append("")
    rows.append("| goal | target | measured | result |")
    rows.append("|---|---|---|---|")
    ratio_row("get/set vs stdlib, CPython 3.8-3.13", ">= 15x", GET_SET, target, 15)
    ratio_row("count/index over 10,000 items vs stdlib", ">= 100x", SCANS, data, 100)
    ratio_row("attach vs stdlib", "no slower (>= 1x)", ["attach_10", "attach_10000"], data, 1)
    rows.append("")
    per = {}
    for kind in ("int", "str"):
        xs = [data[v][1]["count_%s_10000" % kind]["min"] / 10000 for v in data
              if "count_%s_10000" % kind in data[v][1]]
        per[kind] = min(xs) if xs else None
    if per["int"] and per["str"]:
        rows.append("count and index run in libpyshm (`pyshm_list_count`, `pyshm_list_index`): "
                    "at best %s per int item and %s per str item. A str or bytes value is "
                    "compared with each item's stored bytes, not decoded; every item is still "
                    "checked (its format, its code, and the UTF-8 of a str that is not ASCII), "
                    "since CPython raises at a bad item." % (secs(per["int"]), secs(per["str"])))
        rows.append("")
    rows.append("Both attaches register the block with CPython's resource tracker (a "
                "message to the tracker process), as CPython does on 3.8-3.12 and by "
                "default on 3.13; that message is most of an attach of a small list. "
                "create for 10,000 items is dominated by zero-filling and faulting in the "
                "new block's pages in both.")
    rows.append("")
    return rows


def versions_note(data):
    """The module's times across interpreters, with the sampling loop's own
    cost per iteration taken out: where a newer interpreter is slower, is it
    the module's code or the interpreter's loop?"""
    base = [v for v in data if vkey(v)[:2] == (3, 12)]
    new = [v for v in data if vkey(v)[:2] == (3, 13)]
    if not base or not new or "loop" not in data[base[0]][1]:
        return []
    b, n = data[base[0]][1], data[new[0]][1]
    rows = ["The module on %s against %s (medians; the loop is the sampling loop with a "
            "statement that only loads the list, so a loop op's time less the loop's is "
            "what the operation itself costs):" % (new[0], base[0]), "",
            "| operation | %s | %s | ratio | less the loop: %s | %s | ratio |" % (
                base[0], new[0], base[0], new[0]), "|---|---|---|---|---|---|---|"]
    lb, ln = b["loop"]["median"], n["loop"]["median"]
    rows.append("| loop | %s | %s | %.2f | | | |" % (secs(lb), secs(ln), ln / lb))
    gross, net = [], []
    for op in GET_SET:
        tb, tn = b[op]["median"], n[op]["median"]
        gross.append(tn / tb)
        net.append((tn - ln) / (tb - lb))
        rows.append("| `%s` | %s | %s | %.2f | %s | %s | %.2f |" % (
            op, secs(tb), secs(tn), gross[-1], secs(tb - lb), secs(tn - ln), net[-1]))
    rows.append("| geometric mean | | | %.2f | | | %.2f |" % (geomean(gross), geomean(net)))
    rows.append("")
    return rows


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def versions_in(out):
    """The interpreters a run in out measured the module on."""
    return sorted({f.split("-", 2)[2][:-5] for f in os.listdir(out)
                   if f.startswith("listops-pyshm-")}, key=vkey)


def main():
    if "--worker" in sys.argv:
        return worker()
    ap = argparse.ArgumentParser()
    ap.add_argument("--builds", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true",
                    help="the reduced set `make bench-quick` runs, unless other options say "
                         "otherwise: %s" % " ".join("--%s %s" % (k.replace("_", "-"), v)
                                                    for k, v in QUICK.items()))
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--sample-time", type=float, default=0.01)
    ap.add_argument("--op-budget", type=float, default=4.0,
                    help="seconds of stdlib calls after which a slow op stops being sampled")
    ap.add_argument("--min-rounds", type=int, default=MIN_ROUNDS,
                    help="rounds every op gets, whatever its budget")
    ap.add_argument("--c-listops", metavar="PROGRAM",
                    help="bench/c/listops, built: libpyshm from C in the same rounds")
    ap.add_argument("--only", metavar="LABEL,...",
                    help="these interpreters alone (labels of ref/python/interpreters.sh), "
                         "or 'newest'")
    ap.add_argument("--sweep-rounds", type=int, default=7,
                    help="rounds of the sweep (listops.py) on the newest interpreter; 0: none")
    ap.add_argument("--render-only", action="store_true",
                    help="use the JSON already in --out")
    if "--quick" in sys.argv:
        ap.set_defaults(**QUICK)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.render_only:
        versions = versions_in(args.out)
    else:
        versions = measure(args.builds, args.out, args.rounds, args.sample_time,
                           args.op_budget, args.c_listops,
                           args.only.split(",") if args.only else None, args.min_rounds,
                           args.sweep_rounds)
    print(render(args.out, versions))


if __name__ == "__main__":
    main()
