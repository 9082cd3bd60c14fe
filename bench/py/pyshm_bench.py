"""The pyshm extension module beside the stdlib's ShareableList, on every
interpreter it was built for, in one run, and its section of the report.

usage: pyshm_bench.py --builds build/python --out DIR [--report REPORT.md]
                      [--rounds N] [--sample-time S] [--op-budget S]
                      [--render-only]

How it measures. One worker process per interpreter (this file, run with
--worker under that interpreter, the module importable from --builds) holds
both implementations' lists, made from listops.py's items. The driver then
goes round by round: in each round, for each operation, it asks each
interpreter in turn for one sample of the stdlib and one of pyshm, taken
back to back in the same process (which goes first alternates from round to
round). So the two columns of a cell, and the columns of different
interpreters, see the same machine load, however it changes during the
run. A sample of a fast operation is a loop calibrated to last about
--sample-time, divided by its length (as listops.py and timeit do); create
and attach are timed call by call (5 calls a round), clean-up off the clock.
An operation whose samples have taken more than --op-budget seconds (CPython
3.8's quadratic count and index: 1 s a call) stops being sampled once it has
3 rounds.
The speed-up of a cell is the median of the per-round ratios stdlib/pyshm
(each ratio from samples taken moments apart), with their spread.

Output, DIR/listops-{stdlib,pyshm}-<version>.json, one per implementation
and interpreter, with what the earlier driver wrote:
    kind "listops", impl, version and python (the interpreter's X.Y.Z),
    ops: {op: {n, median, min, max, p25, p75}} (seconds per call)
and these fields besides:
    method       "interleaved": both implementations sampled in turn
    rounds, sample_time, op_budget   the settings of the run
    ops[op].samples   every sample, in the order taken (seconds per call)
    ops[op].spread    (p75 - p25) / median of the samples
    ops[op].loop_length   calls in each sample of a loop op (calibrated)
    ops[op].ratio     (pyshm files) {n, median, min, max, p25, p75} of the
                      per-round ratios stdlib/pyshm: the speed-up and its spread
The op "loop" is the sampling loop itself with a statement that only loads
the list (its cost per iteration is in every loop op's time); it is measured
for both implementations and is not a list operation.
DIR/run.json: interpreters, settings, start time and duration of the run.

Then writes the section between the "pyshm-python" markers of --report
(appending it the first time) and prints it. Goals are reported, never
asserted.
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
from common import quantile, summarize  # noqa: E402
BEGIN, END = "<!-- pyshm-python begin -->", "<!-- pyshm-python end -->"

GET_SET = ["%s_%s" % (op, t) for t in ("int", "float", "bool", "str", "bytes", "none")
           for op in ("get", "set")]
SCANS = ["count_int_10000", "index_int_10000", "count_str_10000", "index_str_10000"]
LIFE = ["create_10", "create_10000", "attach_10", "attach_10000"]
LOOP = ["loop"]
IMPLS = ("stdlib", "pyshm")
CALLS_PER_ROUND = 5  # create and attach: calls per implementation and round
MIN_ROUNDS = 3


# ---- the worker: runs under each interpreter --------------------------------

class Fixtures:
    """One implementation's lists and the operations on them."""

    def __init__(self, ShareableList, listops):
        self.SL, self.live, self.ops = ShareableList, [], {}
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

    def keep(self, sl):
        self.live.append(sl)
        return sl

    def calibrate(self, sample_time):
        """Loop lengths that make a sample last about sample_time. The
        length is scaled from the fastest of three timings, so that a pause
        of the machine while calibrating cannot leave an op with a loop too
        short to time (a one-call loop measures the timer, not the op)."""
        for name, op in self.ops.items():
            if op[0] != "loop":
                continue
            iters = 1
            while True:  # also warms up
                t = op[1].timeit(iters)
                if t >= sample_time / 10:
                    break
                iters *= 2
            t = min([t] + [op[1].timeit(iters) for _ in range(2)])
            # One call longer than a sample (CPython 3.8's count): one a sample.
            self.iters[name] = max(1, int(iters * sample_time / t))

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
        elif cmd["cmd"] == "sample":
            order = IMPLS if cmd["first"] == "stdlib" else IMPLS[::-1]
            got = {impl: fixtures[impl].sample(cmd["op"]) for impl in order}
            reply = {impl: got[impl][0] for impl in IMPLS}
            reply["spent"] = sum(got[impl][1] for impl in IMPLS)
        else:
            break
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    for f in fixtures.values():
        f.close(listops.drop)


# ---- the driver -------------------------------------------------------------

def interpreters(builds):
    out = subprocess.run(["sh", os.path.join(ROOT, "ref", "python", "interpreters.sh")],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    for line in out.splitlines():
        label, path = line.split(None, 1)
        if os.path.isdir(os.path.join(builds, label)):
            yield label, path


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


def measure(builds, out, rounds, sample_time, op_budget):
    started = time.time()
    workers = []
    for label, exe in interpreters(builds):
        print("pyshm bench: %s (%s)" % (label, exe), file=sys.stderr)
        workers.append(Worker(label, exe, builds))
    iters = {w.version: w.ask(cmd="calibrate", sample_time=sample_time)["iters"]
             for w in workers}
    ops = GET_SET + SCANS + LIFE + LOOP
    # results[version][op] = {"stdlib": [...], "pyshm": [...], "ratios": [...]}
    results = {w.version: {op: {"stdlib": [], "pyshm": [], "ratios": [], "spent": 0.0}
                           for op in ops} for w in workers}
    for r in range(rounds):
        print("pyshm bench: round %d of %d" % (r + 1, rounds), file=sys.stderr)
        for op in ops:
            for w in workers:
                cell = results[w.version][op]
                if r >= MIN_ROUNDS and cell["spent"] > op_budget:
                    continue
                got = w.ask(cmd="sample", op=op, first=IMPLS[r % 2])
                for impl in IMPLS:
                    cell[impl].extend(got[impl])
                cell["spent"] += got["spent"]
                s, p = sorted(got["stdlib"]), sorted(got["pyshm"])
                cell["ratios"].append(quantile(s, 0.5) / quantile(p, 0.5))
    for w in workers:
        w.close()
    settings = {"method": "interleaved", "rounds": rounds, "sample_time": sample_time,
                "op_budget": op_budget}
    for w in workers:
        for impl in IMPLS:
            doc = {"kind": "listops", "impl": impl, "version": w.version, "python": w.version}
            doc.update(settings)
            doc["ops"] = {}
            for op, cell in results[w.version].items():
                stats = summarize(cell[impl])
                stats["spread"] = (stats["p75"] - stats["p25"]) / stats["median"]
                stats["samples"] = cell[impl]
                if op in iters[w.version][impl]:
                    stats["loop_length"] = iters[w.version][impl][op]
                if impl == "pyshm":
                    stats["ratio"] = summarize(cell["ratios"])
                doc["ops"][op] = stats
            with open(os.path.join(out, "listops-%s-%s.json" % (impl, w.version)), "w") as f:
                json.dump(doc, f, indent=1)
    run = dict(settings, interpreters={w.label: w.version for w in workers},
               started=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
               seconds=round(time.time() - started, 1))
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(run, f, indent=1)
    return [w.version for w in workers]


# ---- the report -------------------------------------------------------------

def load(out, impl, ver):
    with open(os.path.join(out, "listops-%s-%s.json" % (impl, ver))) as f:
        return json.load(f)["ops"]


def secs(t):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if t >= scale or unit == "ns":
            v = t / scale
            return ("%.3g %s" % (v, unit)) if v < 1000 else ("%.0f %s" % (v, unit))


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
                                                  "%.3g" % r[0], "%.3g" % r[1], "%.3g" % r[2]))
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


def update(report, section):
    text = open(report).read() if os.path.exists(report) else ""
    block = BEGIN + "\n" + section + END + "\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1].lstrip("\n")
        text = pre + block + ("\n" + post if post else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(report, "w") as f:
        f.write(text)


def main():
    if "--worker" in sys.argv:
        return worker()
    ap = argparse.ArgumentParser()
    ap.add_argument("--builds", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--report")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--sample-time", type=float, default=0.01)
    ap.add_argument("--op-budget", type=float, default=4.0,
                    help="seconds of stdlib calls after which a slow op stops being sampled")
    ap.add_argument("--render-only", action="store_true",
                    help="use the JSON already in --out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.render_only:
        versions = sorted({f.split("-", 2)[2][:-5] for f in os.listdir(args.out)
                           if f.startswith("listops-pyshm-")}, key=vkey)
    else:
        versions = measure(args.builds, args.out, args.rounds, args.sample_time,
                           args.op_budget)
    section = render(args.out, versions)
    if args.report:
        update(args.report, section)
    print(section)


if __name__ == "__main__":
    main()
