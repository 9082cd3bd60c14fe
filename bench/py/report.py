"""Turns the raw results of a run into REPORT.md, the README's block of
headline numbers and the plots: the machine, the goals (met or missed, by
how much, and why), handoff throughput with ratios, list operations from C
and from Python against the stdlib on every CPython, how their cost grows,
and the whole-command comparisons.

usage: report.py --results DIR --report FILE [--readme FILE] [--package-readme FILE] [--check]
  --readme  rewrite the block between its "headline numbers" markers
  --package-readme  rewrite the block between its "speed" markers
  --check   write nothing: exit 1, showing the difference, unless --report
            and the README's block are exactly what DIR gives

Everything written is a function of DIR alone (no date but the run's, no
path of this machine), so --check can hold the committed report and README
to the committed results. Goals are reported, never asserted: a missed goal
does not fail the run.
"""
import argparse
import difflib
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import headline  # noqa: E402
import pyshm_bench  # noqa: E402
from text import rate, ratio, secs, size_text, table  # noqa: E402

GOAL_GETSET, GOAL_ATTACH, GOAL_HANDOFF, GOAL_READ = 100.0, 5.0, 20.0, 0.70
GOAL_SIZE = 256 << 20
TYPES = ["int", "float", "bool", "str", "bytes", "none"]
LISTOPS = "python"  # the list operations' directory under the results


def load(path):
    with open(path) as f:
        return json.load(f)


def maybe(results, name):
    path = os.path.join(results, name + ".json")
    return load(path) if os.path.exists(path) else None


def by_size(doc):
    return {s["size"]: s for s in doc["sizes"]} if doc else {}


class Report:
    def __init__(self, results):
        self.dir = results
        self.machine = maybe(results, "machine") or {}
        self.run = maybe(results, "run") or {}
        self.interps = maybe(results, "interpreters") or []
        self.membw = by_size(maybe(results, "membw"))
        self.handoffs = {}
        for path in sorted(glob.glob(os.path.join(results, "handoff-*.json"))):
            doc = load(path)
            self.handoffs[doc["method"]] = doc
        # List operations: one run of pyshm_bench.py, in LISTOPS (the stdlib,
        # the module and C sampled in turn; the sweep).
        self.lo_dir = os.path.join(results, LISTOPS)
        self.lo_run = maybe(self.lo_dir, "run") or {}
        self.c_ops = (maybe(self.lo_dir, "listops-c") or {}).get("ops", {})
        self.versions = pyshm_bench.versions_in(self.lo_dir) if os.path.isdir(self.lo_dir) \
            else []
        self.py_ops = [(v, load(os.path.join(self.lo_dir, "listops-stdlib-%s.json" % v))["ops"])
                       for v in self.versions]
        self.module_ops = {v: load(os.path.join(self.lo_dir, "listops-pyshm-%s.json" % v))["ops"]
                           for v in self.versions}
        self.sweep = maybe(self.lo_dir, "sweep")
        self.goals = []
        self.out = []

    def w(self, text=""):
        self.out.append(text)

    # ---- sections ------------------------------------------------------

    def run_date(self):
        """The day the run started, as its results record it."""
        return (self.run.get("started") or self.lo_run.get("started") or "an unrecorded day")[:10]

    def header(self):
        quick = self.run.get("quick")
        self.w("# pyshm benchmarks\n")
        self.w("Generated from the raw results (JSON) of `make %s` of %s. Every "
               "number is a median over repeated samples; spreads are in the JSON. The machine was shared with other work while it ran, so "
               "small differences are noise.\n"
               % ("bench-quick" if quick else "bench", self.run_date()))
        if self.lo_run.get("started", "")[:10] not in ("", self.run_date()):
            self.w("The list operations were measured again on %s (`make bench-python`).\n"
                   % self.lo_run["started"][:10])
        if quick:
            self.w("**This is the reduced set (`bench-quick`)**: fewer sizes and short "
                   "samples. It checks that everything runs; use `make bench` for numbers.\n")

    def machine_section(self):
        m = self.machine
        mem = m.get("memory_bytes")
        shm = m.get("shm_bytes")
        rows = [
            ("CPU", m.get("cpu")), ("Cores", m.get("cores")),
            ("Memory", "%.1f GiB" % (mem / (1 << 30)) if mem else None),
            ("Shared memory file system", "%.1f GiB" % (shm / (1 << 30)) if shm else None),
            ("Kernel", "%s %s (%s)" % (m.get("system"), m.get("kernel"), m.get("machine"))),
            ("Transparent huge pages", "%s; shmem: %s" % (m.get("thp"), m.get("thp_shmem"))),
            ("Compiler used", m.get("cc")), ("gcc", m.get("gcc")), ("clang", m.get("clang")),
            ("CPython", ", ".join(i["version"] + (" (numpy %s)" % i["numpy"] if i["numpy"]
                                                  else "") for i in self.interps)),
            ("Handoffs ran on CPython", self.run.get("handoff_python")),
            ("Load average during the run", self.load_text()),
            ("Tools", "%s; %s" % (m.get("hyperfine"), m.get("gnuplot"))),
        ]
        self.w("## Machine\n")
        self.w(table(["", ""], [(k, v if v is not None else "unknown") for k, v in rows]))

    def rounds_text(self):
        rounds = max((d.get("rounds", 1) for d in self.handoffs.values()), default=1)
        if rounds < 2:
            return ""
        return (" Sizes and methods are measured size by size, all methods in turn, in %d "
                "rounds with the order rotated; each figure is the median of the rounds' "
                "medians, which keeps a burst of load elsewhere from deciding a "
                "comparison." % rounds)

    def load_text(self):
        loads = [p["load"] for p in self.run.get("parts", []) if p.get("load") is not None]
        if not loads:
            return None
        return ("%.1f on average, %.1f at most, on %s cores (one-minute averages sampled "
                "after each part; the benchmark itself keeps one or two busy, the rest "
                "is other work competing for them)"
                % (sum(loads) / len(loads), max(loads), self.machine.get("cores", "?")))

    def handoff_value(self, method, size, field="total", stat="median"):
        doc = self.handoffs.get(method)
        s = by_size(doc).get(size) if doc else None
        return s[field][stat] if s and field in s else None

    def pickle_ref(self):
        for m in ("pickle-pipe-numpy", "pickle-pipe"):
            if m in self.handoffs:
                return m
        return None

    def handoff_section(self):
        if not self.handoffs:
            return
        sizes = sorted({s for d in self.handoffs.values() for s in by_size(d)})
        methods = [m for m in ("pickle-pipe-numpy", "pickle-pipe", "pickle-queue-numpy",
                               "pickle-queue", "cpython-shm-numpy", "cpython-shm",
                               "c-to-cpython-numpy", "c-to-cpython", "c-zero-copy")
                   if m in self.handoffs]
        self.w("## Handoff throughput\n")
        self.w(
            "A producer process hands a payload to a consumer process that reads every "
            "byte (a checksum). Methods:\n\n"
            "- `pickle-pipe`, `pickle-queue`: CPython sends a `bytes` object through "
            "`multiprocessing.Pipe` / `Queue`; timed from the send until the consumer's "
            "answer.\n"
            "- `cpython-shm`: CPython's `SharedMemory`; the producer creates a block, copies "
            "the payload in, sends the name; the consumer attaches by name and reads in "
            "place.\n"
            "- `c-to-cpython`: the same with a C producer (libpyshm) and a CPython consumer.\n"
            "- `c-zero-copy`: libpyshm at both ends; the consumer checksums the mapping.\n"
            "- readers: `-numpy` sums a zero-copy numpy view as 64-bit words; the others "
            "run `zlib.crc32` over a memoryview, the fastest whole-buffer pass in the "
            "standard library. The C consumer sums 64-bit words.\n\n"
            "*copy in* (all shared-memory rows below unless marked) times the whole path: "
            "create the block, copy the payload into it, pass the name, attach, read, close. "
            "*zero-copy* is the part from passing the name on: the whole cost when the "
            "producer builds its data in the block to begin with, which is what sharing is "
            "for. Consumers are started once, so process start-up is not included. "
            "Throughput = payload size / median time.%s\n" % self.rounds_text())
        head = ["size"] + methods + ["c-zero-copy (zero-copy)", "memcpy", "read"]
        rows = []
        for size in sizes:
            row = [size_text(size)]
            row += [rate(size, self.handoff_value(m, size)) for m in methods]
            row.append(rate(size, self.handoff_value("c-zero-copy", size, "handoff")))
            mb = self.membw.get(size)
            row += [rate(size, mb["memcpy"]["median"]) if mb else "–",
                    rate(size, mb["read"]["median"]) if mb else "–"]
            rows.append(row)
        self.w(table(head, rows))
        self.w("![throughput by payload size](results/throughput.svg)\n")

        ref = self.pickle_ref()
        if ref:
            self.w("### Shared memory against pickle\n")
            self.w("Speed-up over `%s` (its time divided by the other's, same size):\n" % ref)
            cols = [("c-zero-copy", "handoff", "C, zero-copy"),
                    ("c-zero-copy", "total", "C, copy in"),
                    ("cpython-shm-numpy", "total", "CPython shm, copy in, numpy"),
                    ("cpython-shm", "total", "CPython shm, copy in, crc32"),
                    ("c-to-cpython-numpy", "handoff", "C to CPython numpy, zero-copy")]
            cols = [c for c in cols if c[0] in self.handoffs]
            rows = []
            for size in sizes:
                base = self.handoff_value(ref, size)
                row = [size_text(size)]
                for m, f, _ in cols:
                    v = self.handoff_value(m, size, f)
                    row.append(ratio(base / v) if base and v else "–")
                rows.append(row)
            self.w(table(["size"] + [c[2] for c in cols], rows))
            self.w(self.crossover(ref, sizes))

        c = self.handoffs.get("c-zero-copy")
        if c:
            big = max(by_size(c))
            at = GOAL_SIZE if GOAL_SIZE in by_size(c) else big
            self.w("### Where the time goes (%s)\n" % size_text(at))
            rows = []
            for m in methods:
                s = by_size(self.handoffs[m]).get(at)
                if not s:
                    continue
                rows.append([m] + [secs(s[k]["median"]) if k in s else "–" for k in
                                   ("create", "write", "attach", "read", "receive", "close",
                                    "handoff", "total")])
            self.w(table(["method", "create", "write (copy in)", "attach", "read",
                          "receive (unpickle)", "close", "zero-copy part", "total"], rows))
            self.w("The producer's one copy into a new block is slow for large payloads "
                   "because every page of a new block is allocated and zeroed by the kernel "
                   "on first write; the copy then runs far below memcpy bandwidth. Pickle "
                   "pays the same for each buffer it allocates, several times over.\n")

            self.w("### Zero-copy consumer against the machine's read bandwidth\n")
            rows = []
            for size in sorted(by_size(c)):
                s = by_size(c)[size]
                mb = self.membw.get(size)
                read = s["read"]["median"]
                cells = [size_text(size), rate(size, read)]
                local = s.get("local_read", {}).get("median")
                cells += [rate(size, local), "%.0f%%" % (100 * local / read) if local else "–"]
                if mb:
                    cells += [rate(size, mb["read"]["median"]),
                              "%.0f%%" % (100 * mb["read"]["median"] / read)]
                    for k in ("shm_first_read", "shm_reread"):
                        cells.append(rate(size, mb[k]["median"]) if k in mb else "–")
                else:
                    cells += ["–"] * 4
                rows.append(cells)
            self.w(table(["size", "C consumer reads", "read bandwidth, same moment", "fraction",
                          "read bandwidth (membw)", "fraction", "new mapping, 1st pass",
                          "same mapping, 2nd pass"], rows))
            self.w("*Read bandwidth* is the same checksum over private memory that is "
                   "already mapped: *same moment* is the producer reading its own copy of "
                   "the payload right after each handoff (so it shares the machine's load "
                   "of that moment), *membw* a separate run just before. The last two "
                   "columns read a block through a second mapping, as a consumer does: the "
                   "first pass pays a page fault per group of pages to map the block; the "
                   "second pass over the same mapping shows what is left once pages are "
                   "mapped.\n")

    def crossover(self, ref, sizes):
        """Says from which size on each shared-memory method beats pickle."""
        parts = []
        for m, f, title in (("c-zero-copy", "handoff", "the C zero-copy handoff"),
                            ("c-zero-copy", "total", "C with the copy in"),
                            ("cpython-shm-numpy", "total", "CPython's SharedMemory (copy in)"),
                            ("cpython-shm", "total", "CPython's SharedMemory (copy in)")):
            if m not in self.handoffs or (m == "cpython-shm" and
                                          "cpython-shm-numpy" in self.handoffs):
                continue
            wins = [s for s in sizes if self.handoff_value(m, s, f) and
                    self.handoff_value(ref, s) and
                    self.handoff_value(ref, s) > self.handoff_value(m, s, f)]
            always = wins and all(s in wins for s in sizes if s >= wins[0])
            if not wins:
                parts.append("%s never beats pickle here" % title)
            elif wins[0] == sizes[0] and always:
                parts.append("%s beats pickle at every size" % title)
            elif always:
                parts.append("%s beats pickle from %s on" % (title, size_text(wins[0])))
            else:
                parts.append("%s beats pickle at %s" % (title, ", ".join(size_text(s)
                                                                      for s in wins)))
        return ("In this run, %s. A fresh block per payload costs system calls rather "
                "than bytes (create: `shm_open`, `ftruncate`, `mmap`; attach: `shm_open`, "
                "`fstat`, `mmap`; then `munmap`, `shm_unlink`), a few microseconds each, "
                "while a few KiB go through a socket about as fast; so for small payloads "
                "the two are close and CPython's own per-call overhead decides. Reusing one "
                "block for many payloads removes that cost.\n" % "; ".join(parts))

    def c_ratio(self, op, v):
        """(median, p25, p75) of the per-round ratios stdlib / C of op on
        CPython v, or None."""
        r = self.c_ops.get(op, {}).get("ratios", {}).get(v)
        return (r["median"], r["p25"], r["p75"]) if r else None

    def rounds_of_listops(self):
        r = self.lo_run
        if not r:
            return ""
        return (" (%d rounds, %.0f ms samples; %s s in all, with the module's and the sweep, "
                "started %s)" % (r["rounds"], r["sample_time"] * 1e3, r["seconds"], r["started"]))

    def listops_section(self):
        if not self.c_ops or not self.py_ops:
            return
        self.w("## List operations from C\n")
        self.w("libpyshm called from a C program (bench/c/listops.c) against CPython's "
               "`ShareableList` called from Python, on every interpreter found. "
               "`get`/`set` use a 6-item list with one item of each type; `count`/`index` "
               "scan 10,000 items for the last one; `create`/`attach` are timed per call "
               "(clean-up off the clock) for 10 and 10,000 mixed items. CPython's attach "
               "includes registering the block with its resource tracker, which every "
               "CPython attach does. The stdlib, the pyshm module (next section) and C are "
               "sampled in turn, round after round%s, so the stdlib's times here are those "
               "of the next section. Each cell: the stdlib's median time per call and the "
               "speed-up of C, the median of the per-round ratios stdlib / C. The C column: "
               "median [p25–p75] of its samples.\n" % self.rounds_of_listops())
        versions = [v for v, _ in self.py_ops]
        head = ["operation", "C"] + ["CPython " + v for v in versions] + ["lowest speed-up"]
        rows = []
        for op, cstat in self.c_ops.items():
            cell = "%s [%s–%s]" % (secs(cstat["median"]), secs(cstat["p25"]), secs(cstat["p75"]))
            cells, ratios = [], []
            for v, ops in self.py_ops:
                r = self.c_ratio(op, v)
                if op not in ops or r is None:
                    cells.append("–")
                    continue
                ratios.append(r[0])
                cells.append("%s (%s)" % (secs(ops[op]["median"]), ratio(r[0])))
            rows.append(["`%s`" % op, cell] + cells + [ratio(min(ratios)) if ratios else "–"])
        self.w(table(head, rows))
        if versions and versions[0].startswith("3.8."):
            self.w(pyshm_bench.PY38_NOTE + "\n")
        self.w("![time per operation, log scale](results/listops.svg)\n")

    def module_section(self):
        if not self.versions:
            return
        self.w(pyshm_bench.BEGIN)
        self.w(pyshm_bench.render(self.lo_dir, self.versions) + pyshm_bench.END + "\n")

    def sweep_section(self):
        sw = self.sweep
        if not sw:
            return
        impls = [("stdlib", "stdlib"), ("pyshm", "module"), ("c", "C")]
        pts = {(p["axis"], p["x"], p["op"], p["impl"]): p["median"] for p in sw["points"]}
        self.w("## How the cost grows\n")
        self.w("The same three, on CPython %s, round after round as above (%d round%s): "
               "by list length *x* (%s) and by item size *x* (%s). Each cell: the median "
               "time per call, stdlib / module / C.\n"
               % (sw["python"], sw["rounds"], "" if sw["rounds"] == 1 else "s",
                  sw["items"]["n"], sw["items"]["size"]))
        for axis, title in (("n", "items"), ("size", "item size (bytes)")):
            xs = sorted({p["x"] for p in sw["points"] if p["axis"] == axis})
            ops = [op for op in ("get", "set", "count", "create")
                   if any(p["op"] == op and p["axis"] == axis for p in sw["points"])]
            if not xs:
                continue
            rows = []
            for x in xs:
                rows.append(["{:,}".format(x)] + [" / ".join(
                    secs(pts.get((axis, x, op, impl))) for impl, _ in impls) for op in ops])
            self.w(table([title] + ops, rows))
            growth = []
            for op in ops:
                parts = []
                for impl, name in impls:
                    lo, hi = pts.get((axis, xs[0], op, impl)), pts.get((axis, xs[-1], op, impl))
                    if lo and hi:
                        parts.append("%s %s" % (name, ratio(hi / lo)))
                growth.append("%s %s" % (op, ", ".join(parts)))
            self.w("From %s to %s (%s times as %s), the time per call grows: %s.\n" % (
                "{:,}".format(xs[0]), "{:,}".format(xs[-1]), "{:,}".format(xs[-1] // xs[0]),
                "many items" if axis == "n" else "large items", "; ".join(growth)))
        self.w("get and set reach an item through the offsets in the header, whatever the "
               "list's length; count compares every item and create writes every one. "
               "libpyshm's get of a bytes item hands a C program a pointer into the mapping, "
               "not a copy; from Python, both modules copy the item into a new bytes "
               "object.\n")
        self.w("![cost by list length and item size, log-log](results/scaling.svg)\n")

    def commands_section(self):
        files = sorted(glob.glob(os.path.join(self.dir, "hyperfine-*.json")))
        if not files:
            return
        self.w("## Whole commands (hyperfine)\n")
        self.w("Process start-up included, as a script pays it. The list holds %s "
               "mixed items. The CPython one-liners unregister the block from the resource "
               "tracker before exiting (otherwise the tracker would unlink the list "
               "when the interpreter exits); starting that tracker is a large part of "
               "their time. CPython 3.8 reads a py38-layout copy of the list. Raw exports: "
               "`results/hyperfine-*.json`.\n" % "100")
        for path in files:
            doc = load(path)
            res = doc["results"]
            base = next((r for r in res if r["command"].startswith("pyshm")), None)
            self.w("`%s`:\n" % os.path.basename(path))
            rows = []
            for r in res:
                rows.append([r["command"], "%s ± %s" % (secs(r["mean"]), secs(r["stddev"])),
                             secs(r["median"]),
                             ratio(r["median"] / base["median"]) if base else "–"])
            self.w(table(["command", "mean ± σ", "median", "vs pyshm"], rows))

    # ---- goals -----------------------------------------------------------

    def goal(self, name, target, measured, met, why):
        result = "not measured" if met is None else "met" if met else "**missed**"
        self.goals.append((name, target, measured, result, why))

    def ratios(self, names, stat):
        """(CPython / C, op, version, CPython's, C's) of stat for each op in
        names and each interpreter, where both sides measured it; for the
        medians, the ratio is the median of the per-round ratios."""
        out = []
        for op in names:
            c = self.c_ops.get(op, {}).get(stat)
            for v, ops in self.py_ops:
                p = ops.get(op, {}).get(stat)
                r = self.c_ratio(op, v)
                if c and p:
                    out.append((r[0] if stat == "median" and r else p / c, op, v, p, c))
        return out

    def lowest(self, names):
        """The lowest median ratio (as ratios() gives it, None if none) and
        the lowest ratio of the fastest samples (None if none)."""
        medians = self.ratios(names, "median")
        worst = min(medians, key=lambda x: x[0]) if medians else None
        best = min((x[0] for x in self.ratios(names, "min")), default=None)
        return medians, worst, best

    def compute_goals(self):
        if self.c_ops and self.py_ops:
            getset = ["%s_%s" % (kind, t) for kind in ("get", "set") for t in TYPES]
            medians, worst, best = self.lowest(getset)
            if worst:
                r, op, v, p, c = worst
                n_missed = sum(1 for x in medians if x[0] < GOAL_GETSET)
                total = len(getset) * len(self.py_ops)
                why = ""
                if r < GOAL_GETSET:
                    why = ("%d of %d (operation, interpreter) pairs fall short; the worst, "
                           "`%s` on %s, is %.0f%% of the goal: CPython takes %s, so 100x "
                           "needs %s and the reference takes %s. Each C get/set re-reads the "
                           "item's offset, format string and type code from shared memory and "
                           "parses and validates them, because another process may have "
                           "rewritten them (the image is untrusted); nothing is cached "
                           "between calls. CPython's newer interpreters got faster per call."
                           % (n_missed, total, op, v, 100 * r / GOAL_GETSET, secs(p),
                              secs(p / GOAL_GETSET), secs(c)))
                self.goal("C get/set vs CPython ShareableList", ">= %gx" % GOAL_GETSET,
                          "lowest %.0fx (`%s`, CPython %s); %.0fx comparing fastest samples"
                          % (r, op, v, best), r >= GOAL_GETSET,
                          why)
            _, worst, best = self.lowest(["attach_10", "attach_10000"])
            if worst:
                r, op, v, p, c = worst
                why = ""
                if r < GOAL_ATTACH:
                    why = ("%.0f%% of the goal: `%s` takes %s in C and %s on CPython %s. "
                           "Attaching is mostly the same three system calls in both "
                           "(`shm_open`, `fstat`, `mmap`), which take microseconds on this "
                           "machine, so CPython's extra work is a small multiple of them."
                           % (100 * r / GOAL_ATTACH, op, secs(c), secs(p), v))
                self.goal("C attach vs CPython", ">= %gx" % GOAL_ATTACH,
                          "lowest %.1fx (`%s`, CPython %s); %.1fx comparing fastest samples"
                          % (r, op, v, best), r >= GOAL_ATTACH,
                          why)
        ref = self.pickle_ref()
        c = self.handoff_value("c-zero-copy", GOAL_SIZE, "handoff")
        p = self.handoff_value(ref, GOAL_SIZE) if ref else None
        if c and p:
            r = p / c
            tot = self.handoff_value("c-zero-copy", GOAL_SIZE, "total")
            why = ""
            if r < GOAL_HANDOFF:
                why = "%.0f%% of the goal: pickle took %s and the zero-copy handoff %s." % (
                    100 * r / GOAL_HANDOFF, secs(p), secs(c))
            note = (" Counting the producer's copy into a new block (copy in), the speed-up "
                    "is %.1fx: allocating and zeroing the new block's pages dominates." %
                    (p / tot)) if tot else ""
            best = self.handoff_value(ref, GOAL_SIZE, stat="min") / \
                self.handoff_value("c-zero-copy", GOAL_SIZE, "handoff", "min")
            self.goal("Zero-copy handoff vs pickle through a Pipe, %s" % size_text(GOAL_SIZE),
                      ">= %gx" % GOAL_HANDOFF, "%.1fx (`%s`); %.1fx comparing fastest samples"
                      % (r, ref, best), r >= GOAL_HANDOFF,
                      (why + note).strip())
        elif self.handoffs:
            self.goal("Zero-copy handoff vs pickle through a Pipe, %s" % size_text(GOAL_SIZE),
                      ">= %gx" % GOAL_HANDOFF, "–", None,
                      "no %s run (reduced set, or skipped: see Notes)" % size_text(GOAL_SIZE))
        cz = by_size(self.handoffs.get("c-zero-copy"))
        if cz:
            size = GOAL_SIZE if GOAL_SIZE in cz else max(cz)
            read = cz[size]["read"]["median"]
            local = cz[size].get("local_read", {}).get("median")
            mb = self.membw.get(size, {})
            base = local or (mb.get("read") or {}).get("median")
            if base:
                frac = base / read
                why = ""
                if frac < GOAL_READ:
                    why = "%.0f%% of the goal." % (100 * frac / GOAL_READ)
                    if "shm_first_read" in mb and "shm_reread" in mb:
                        why += (" Reading a new mapping of a block runs at %s (first pass), "
                                "the same mapping read again at %s: the gap is the kernel "
                                "mapping each page on first touch (page faults; shared memory "
                                "uses 4 KiB pages here), not libpyshm, which hands the "
                                "consumer the mapping itself." % (
                                    rate(size, mb["shm_first_read"]["median"]),
                                    rate(size, mb["shm_reread"]["median"])))
                also = ""
                lmin = cz[size].get("local_read", {}).get("min")
                if lmin:
                    also += "; %.0f%% comparing fastest samples" % (
                        100 * lmin / cz[size]["read"]["min"])
                if local and mb.get("read"):
                    also += "; %.0f%% of membw's %s" % (100 * mb["read"]["median"] / read,
                                                       rate(size, mb["read"]["median"]))
                self.goal("Zero-copy consumer read rate vs measured read bandwidth",
                          ">= %.0f%%" % (100 * GOAL_READ),
                          "%.0f%% at %s (%s of %s measured at the same moment%s)" % (
                              100 * frac, size_text(size), rate(size, read),
                              rate(size, base), also),
                          frac >= GOAL_READ, why)

    def goals_section(self):
        self.w("## Goals\n")
        self.w("Reported, not asserted: a missed goal does not fail the run. A goal is "
               "judged on medians; the ratio of the fastest samples is given as well, "
               "since on a loaded machine it is the better estimate of what the code "
               "itself costs.\n")
        self.w(table(["goal", "target", "measured", "result", "why"],
                     [list(g) for g in self.goals]))

    def notes(self):
        self.w("## Notes\n")
        skipped = self.run.get("skipped", [])
        failed = self.run.get("failed", [])
        if skipped:
            self.w("Skipped:\n")
            for s in skipped:
                self.w("- %s%s: %s" % (s["part"], " at " + size_text(s["size"])
                                       if s.get("size") else "", s["reason"]))
            self.w("")
        if failed:
            self.w("Failed parts: %s\n" % ", ".join(failed))
        tally = {}
        for p in self.run.get("parts", []):
            g = p.get("group", p["part"])
            tally[g] = tally.get(g, 0) + p["seconds"]
        if tally:
            self.w("Run time: %s s in all; by part: %s.\n" % (
                self.run.get("seconds"),
                ", ".join("%s %.1f s" % (g, t) for g, t in tally.items())))
        if not skipped and not failed:
            self.w("Nothing was skipped and every part ran.\n")

    def render(self):
        self.compute_goals()
        self.header()
        self.goals_section()
        self.machine_section()
        self.handoff_section()
        self.listops_section()
        self.module_section()
        self.sweep_section()
        self.commands_section()
        self.notes()
        return "\n".join(self.out)


BEGIN, END = "<!-- headline numbers: begin -->", "<!-- headline numbers: end -->"
SPEED_BEGIN, SPEED_END = "<!-- speed: begin -->", "<!-- speed: end -->"


def with_block(text, block, begin=BEGIN, end=END):
    """text with block between the markers, or None if it has none."""
    if begin not in text or end not in text:
        return None
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + block + "\n" + end + tail


def link_base(results, where):
    """The results directory as a link from a document in where."""
    return os.path.relpath(os.path.abspath(results), os.path.abspath(where))


def expected(args):
    """{path: the text it should hold} for --report, --readme and --package-readme."""
    report = Report(args.results)
    text = report.render()
    # The report links to the plots relative to where the report lives.
    base = link_base(args.results, os.path.dirname(os.path.abspath(args.report)))
    out = {args.report: text.replace("(results/", "(%s/" % base)}
    if args.readme:
        with open(args.readme) as f:
            current = f.read()
        where = os.path.dirname(os.path.abspath(args.readme))
        block = headline.block(report, link_base(args.results, where),
                               link_base(args.report, where))
        new = with_block(current, block)
        if new is None:
            sys.exit("report: %s has no block between '%s' and '%s'" % (args.readme, BEGIN, END))
        out[args.readme] = new
    if args.package_readme:
        with open(args.package_readme) as f:
            current = f.read()
        block = headline.package_speed(report)
        new = with_block(current, block, SPEED_BEGIN, SPEED_END) if block else current
        if new is None:
            sys.exit("report: %s has no block between '%s' and '%s'"
                     % (args.package_readme, SPEED_BEGIN, SPEED_END))
        out[args.package_readme] = new
    return out


def check(want):
    """0 if every file holds what the results give; else prints how each
    differs and returns 1."""
    bad = 0
    for path, text in want.items():
        try:
            with open(path) as f:
                have = f.read()
        except OSError as e:
            have = ""
            print("report: %s: %s" % (path, e))
        if have != text:
            bad = 1
            print("report: %s is not what the results give (edited by hand, or results "
                  "changed without `make bench`); the difference, - as it is, + as generated:"
                  % path)
            sys.stdout.writelines(list(difflib.unified_diff(
                have.splitlines(True), text.splitlines(True), path, "generated", n=1))[:60])
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--readme", help="rewrite its headline-numbers block")
    ap.add_argument("--package-readme", help="rewrite its speed block (the Python package's README)")
    ap.add_argument("--check", action="store_true",
                    help="compare instead of writing; exit 1 if anything differs")
    args = ap.parse_args()
    want = expected(args)
    if args.check:
        return check(want)
    for path, text in want.items():
        with open(path, "w") as f:
            f.write(text)
    subprocess.run([sys.executable, os.path.join(HERE, "plot.py"), "--results", args.results],
                   check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
