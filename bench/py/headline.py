"""The block of headline numbers in the project README, from the same
results (and the same Report) as bench/REPORT.md: one table per reader.

  From C       a C program calling libpyshm against a Python program using
               the stdlib's ShareableList, on the newest CPython measured
  From Python  the same Python statements with the pyshm module and with
               the stdlib, on that CPython: the stdlib column is the same
               measurement as the first table's
  Handoff      handing a payload to another process: pickle, the stdlib's
               SharedMemory and libpyshm, on the CPython the handoffs ran on

and the speed section of the Python package's README (ref/python/README.md,
shown where the package is published): the stdlib against the module on
each minor version of CPython measured.

Every row of the list-operation tables comes from the one run of
pyshm_bench.py, where the three implementations are sampled in turn; the
speed-up is the median of the per-round ratios with its spread.
"""
import json
import os

import pyshm_bench
from text import secs, size_text, table

# (op, what a Python program writes, what a C program calls)
ROWS = [
    ("get_int", "`sl[i]`, an int", "`pyshm_list_get()`"),
    ("set_int", "`sl[i] = 8`", "`pyshm_list_set()`"),
    ("get_str", "`sl[i]`, a str", "`pyshm_list_get()`"),
    ("set_str", "`sl[i] = 'HELLO'`", "`pyshm_list_set()`"),
    ("count_int_10000", "`sl.count(v)`, 10,000 ints", "`pyshm_list_count()`"),
    ("index_str_10000", "`sl.index(v)`, 10,000 strs", "`pyshm_list_index()`"),
    ("attach_10", "`ShareableList(name=...)`, 10 items", "`pyshm_list_attach()`"),
    ("create_10000", "`ShareableList(items)`, 10,000 items", "`pyshm_list_create()`"),
]


def times(x):
    """A speed-up, to two significant digits (more above 100)."""
    return "{:,.0f}".format(x) if x >= 10 else "%.1f" % x


def speedup(r):
    """(median, p25, p75) -> '31× (29–34)'."""
    return "%s× (%s–%s)" % (times(r[0]), times(r[1]), times(r[2]))


def module_ratio(ops, op):
    r = ops.get(op, {}).get("ratio")
    return (r["median"], r["p25"], r["p75"]) if r else None


def intro(rep, links, report):
    m = rep.machine
    loads = [p["load"] for p in rep.run.get("parts", []) if p.get("load") is not None]
    load = (", one-minute load average %.1f on average while it ran" % (sum(loads) / len(loads))
            if loads else "")
    return ("Measured by `make bench` of %s on %s, %s cores, %s, Linux %s%s; medians. "
            "The list operations below are on the newest CPython measured; every "
            "interpreter, spread and goal is in [bench/REPORT.md](%s), the raw JSON in "
            "[bench/results](%s)."
            % (rep.run_date(), m.get("cpu"), m.get("cores"),
               "%.0f GiB" % (m["memory_bytes"] / (1 << 30)) if m.get("memory_bytes")
               else "unknown memory", m.get("kernel"), load, report, links))


def rounds_text(rep):
    r = rep.lo_run
    return ("sampled in turn, round after round (%d rounds, started %s)"
            % (r["rounds"], r["started"]) if r else "sampled in turn")


def from_c(rep, v, stdlib):
    rows = []
    for op, py, c_call in ROWS:
        c, s, r = rep.c_ops.get(op), stdlib.get(op), rep.c_ratio(op, v)
        if c and s and r:
            rows.append([py, c_call, secs(s["median"]), secs(c["median"]), speedup(r)])
    show = os.path.join(rep.dir, "hyperfine-list-show.json")
    if os.path.exists(show):
        with open(show) as f:
            res = json.load(f)["results"]
        tool = next((r for r in res if r["command"].startswith("pyshm")), None)
        py = next((r for r in res if r["command"].startswith("python%s " % v)), None)
        if tool and py:
            rows.append(["print a 100-item list from a shell (`python3 -c`)", "`pyshm list show`",
                         secs(py["median"]), secs(tool["median"]),
                         "%s×" % times(py["median"] / tool["median"])])
    if not rows:
        return []
    return ["**From C.** A C program calling libpyshm against a Python program using the "
            "standard library's `ShareableList` on CPython %s, %s; speed-up: the median of the "
            "per-round ratios, 25th–75th percentile in brackets (the shell row: hyperfine, "
            "whole processes, the ratio of the medians)." % (v, rounds_text(rep)), "",
            table(["operation", "C function", "CPython %s, stdlib" % v, "C, libpyshm",
                   "speed-up"], rows)]


def from_python(rep, v, stdlib):
    module = rep.module_ops.get(v, {})
    rows = []
    for op, py, _ in ROWS:
        s, p, r = stdlib.get(op), module.get(op), module_ratio(module, op)
        if s and p and r:
            rows.append([py, secs(s["median"]), secs(p["median"]), speedup(r)])
    if not rows:
        return []
    return ["**From Python.** The same statements on CPython %s with the pyshm module's "
            "`pyshm.ShareableList` (libpyshm linked in) and with the standard library's, in "
            "the same rounds as the table above, whose stdlib times these are." % v, "",
            table(["operation", "stdlib", "pyshm module", "speed-up"], rows)]


def handoff(rep):
    ref = rep.pickle_ref()
    numpy = ref and ref.endswith("-numpy")
    shm = "cpython-shm-numpy" if numpy else "cpython-shm"
    rows = []
    for size in (1 << 20, 256 << 20, 1 << 30):
        p = rep.handoff_value(ref, size) if ref else None
        if not p:
            continue
        cells = [size_text(size), secs(p)]
        for method, field in ((shm, "total"), ("c-zero-copy", "total"),
                              ("c-zero-copy", "handoff")):
            t = rep.handoff_value(method, size, field)
            cells.append("%s (%s×)" % (secs(t), times(p / t)) if t else "–")
        rows.append(cells)
    if not rows:
        return []
    return ["**Handing data to another process** that reads every byte (%s): CPython %s "
            "pickles it through a `Pipe`, or copies it into a new `SharedMemory` block and "
            "sends the name; a C producer does the same with libpyshm for a C consumer, or "
            "builds the data in the block to begin with (zero-copy). Time per payload and "
            "the speed-up over pickle." % (
                "a numpy view on the Python side" if numpy else "`zlib.crc32` in Python",
                rep.run.get("handoff_python")), "",
            table(["payload", "pickle, `Pipe`", "stdlib `SharedMemory`, copy in",
                   "libpyshm, copy in", "libpyshm, zero-copy"], rows)]


def block(rep, links, report):
    """The README's block; links and report: the results directory and
    the report as links from the README."""
    out = [intro(rep, links, report), ""]
    if rep.py_ops:
        v, stdlib = rep.py_ops[-1]
        out += from_c(rep, v, stdlib) + from_python(rep, v, stdlib)
    out += handoff(rep)
    out.append("![Time per operation on a log scale: the stdlib, the pyshm module and C]"
               "(%s/listops.svg)" % links)
    out.append("![Time per operation against list length and item size, log-log]"
               "(%s/scaling.svg)" % links)
    return "\n".join(out) + "\n"


def newest_per_minor(versions):
    """The newest patch release of each minor version, of versions sorted
    oldest first."""
    newest = {v.rsplit(".", 1)[0]: v for v in versions}
    return list(newest.values())


def package_speed(rep):
    """The package README's speed block: per operation, stdlib -> module on
    each minor version measured, and the range of every get/set speed-up."""
    if not rep.versions:
        return None
    stdlib = dict(rep.py_ops)
    shown = newest_per_minor(rep.versions)
    rows = []
    for op, py, _ in ROWS:
        cells = [py]
        for v in shown:
            s, p = stdlib[v].get(op), rep.module_ops[v].get(op)
            r = module_ratio(rep.module_ops[v], op)
            cells.append("%s → %s (%s×)" % (secs(s["median"]), secs(p["median"]), times(r[0]))
                         if s and p and r else "–")
        rows.append(cells)
    getset = [module_ratio(ops, op)[0] for ops in rep.module_ops.values()
              for op in ops if op.startswith(("get_", "set_")) and module_ratio(ops, op)]
    m = rep.machine
    return "\n".join([
        "Median time per call, standard library → pyshm, and the median of the "
        "per-round speed-ups, measured by the repository's `make bench` of %s (both "
        "implementations sampled in turn on each interpreter, on a shared %s-core %s):"
        % (rep.run_date(), m.get("cores"), m.get("cpu")), "",
        table(["operation"] + ["CPython %s" % v for v in shown], rows).rstrip("\n"), "",
        "Every get and set is %s to %s times the standard library's (%d operations on "
        "%d interpreters, CPython %s to %s; all of them in the repository's "
        "bench/REPORT.md)." % (times(min(getset)), times(max(getset)),
                               len(getset) // len(rep.module_ops), len(rep.module_ops),
                               shown[0], shown[-1]),
    ] + ([pyshm_bench.PY38_NOTE] if shown[0].startswith("3.8.") else [])) + "\n"
