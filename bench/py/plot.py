"""Draws the benchmark plots with gnuplot, as SVG, from a results directory:

  throughput.svg  handoff throughput against payload size (log-log), one
                  line per method, with the machine's memcpy and read bandwidth
  listops.svg     time per list operation (log scale): the stdlib and the
                  pyshm module on the newest CPython measured, and libpyshm
                  from C, from the same rounds
  scaling.svg     time per operation against list length and against item
                  size (log-log), for the three, from the sweep

usage: plot.py --results DIR
A plot whose results are missing is not drawn; without gnuplot, none is,
and it says so.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyshm_bench  # noqa: E402
from text import size_text  # noqa: E402

LISTOPS = "python"  # where pyshm_bench.py's results are, under DIR
HEAD = ["set terminal svg size {w},{h} dynamic enhanced font 'sans,12' background '#ffffff'",
        "set encoding utf8"]
# One look per implementation, in every list plot.
IMPLS = [("stdlib", "stdlib (Python)", "#d62728", 3, 6),
         ("pyshm", "pyshm module (Python)", "#1f77b4", 2, 8),
         ("c", "libpyshm (C)", "#2ca02c", 1, 7)]
TIME_TICKS = [("1 ns", 1e-9), ("10 ns", 1e-8), ("100 ns", 1e-7), ("1 µs", 1e-6),
              ("10 µs", 1e-5), ("100 µs", 1e-4), ("1 ms", 1e-3), ("10 ms", 1e-2),
              ("100 ms", 1e-1), ("1 s", 1.0), ("10 s", 10.0)]


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def tics(pairs):
    return ", ".join('"%s" %.6g' % p for p in pairs)


def time_axis(axis, values):
    """A log-scale time axis whose ticks read in ns, µs, ms, s, wide enough
    for values."""
    lo, hi = min(values) / 2, max(values) * 2
    ticks = [t for t in TIME_TICKS if lo / 10 <= t[1] <= hi * 10]
    return ["set logscale %s" % axis, "set %srange [%.6g:%.6g]" % (axis, lo, hi),
            "set %stics (%s)" % (axis, tics(ticks))]


def gnuplot(out, script, data):
    """Runs script (a list of lines) with each {name} replaced by the path
    of a file holding data[name]."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, text in data.items():
            paths[name] = os.path.join(tmp, name + ".dat")
            with open(paths[name], "w") as f:
                f.write(text)
        text = "\n".join(HEAD[1:] + ["set output '%s'" % os.path.abspath(out)] + script) + "\n"
        for name, path in paths.items():
            text = text.replace("{%s}" % name, path)
        subprocess.run(["gnuplot"], input=text, universal_newlines=True, check=True)


# ---- throughput by payload size ---------------------------------------------

# Series drawn, in legend order: (file, field, legend title).
SERIES = [
    ("handoff-pickle-pipe-numpy", "total", "pickle, Pipe (numpy reader)"),
    ("handoff-pickle-pipe", "total", "pickle, Pipe (zlib.crc32 reader)"),
    ("handoff-pickle-queue-numpy", "total", "pickle, Queue (numpy reader)"),
    ("handoff-pickle-queue", "total", "pickle, Queue (zlib.crc32 reader)"),
    ("handoff-cpython-shm-numpy", "total", "CPython SharedMemory, copy in (numpy reader)"),
    ("handoff-cpython-shm", "total", "CPython SharedMemory, copy in (zlib.crc32 reader)"),
    ("handoff-c-to-cpython-numpy", "total", "C producer, CPython numpy reader, copy in"),
    ("handoff-c-zero-copy", "total", "C to C, copy in"),
    ("handoff-c-zero-copy", "handoff", "C to C, zero-copy (data built in the block)"),
    ("membw", "memcpy", "memcpy bandwidth"),
    ("membw", "read", "read bandwidth"),
]


def throughput(results, out):
    plots, sizes, data = [], set(), {}
    for i, (name, field, title) in enumerate(SERIES):
        doc = load(os.path.join(results, name + ".json"))
        pts = [(s["size"], s["size"] / s[field]["median"] / 1e9) for s in (doc or {}).get(
            "sizes", []) if field in s and s[field]["median"] > 0]
        if not pts:
            continue
        sizes.update(p[0] for p in pts)
        data["s%d" % i] = "".join("%d %.6g\n" % p for p in pts)
        if name == "membw":  # the machine's limits: grey, dashed
            style = "dashtype 2 linewidth 1.5 linecolor rgb '%s' pointtype 1" % (
                "#888888" if field == "memcpy" else "#000000")
        else:
            style = "linewidth %g pointtype %d" % (3 if field == "handoff" else 1.5, i % 6 + 4)
        plots.append("'{s%d}' using 1:2 with linespoints %s title '%s'" % (i, style, title))
    if not plots:
        return False
    gnuplot(out, [
        HEAD[0].format(w=1000, h=720),
        "set title 'Handing a payload to another process: throughput by payload size'",
        "set xlabel 'payload size (bytes, log scale)'",
        "set ylabel 'throughput (GB/s, median; log scale)'",
        "set logscale xy",
        "set xtics (%s)" % tics((size_text(n), n) for n in sorted(sizes)),
        "set xrange [%d:%d]" % (min(sizes) / 1.3, max(sizes) * 1.3),
        "set grid xtics ytics",
        "set key below maxrows 4 Left reverse font ',10'",
        "plot " + ", \\\n     ".join(plots),
    ], data)
    return True


# ---- time per list operation ----------------------------------------------------

def op_label(op):
    """'count_int_10000' -> 'count, 10,000 ints'; 'get_none' -> 'get None'."""
    parts = op.split("_")
    if parts[0] in ("create", "attach"):
        return "%s, %s items" % (parts[0], "{:,}".format(int(parts[1])))
    if len(parts) == 3:
        return "%s, %s %ss" % (parts[0], "{:,}".format(int(parts[2])), parts[1])
    return "%s %s" % (parts[0], {"none": "None"}.get(parts[1], parts[1]))


def listops(results, out):
    lo = os.path.join(results, LISTOPS)
    versions = pyshm_bench.versions_in(lo) if os.path.isdir(lo) else []
    if not versions:
        return False
    v = versions[-1]
    docs = {"stdlib": load(os.path.join(lo, "listops-stdlib-%s.json" % v)),
            "pyshm": load(os.path.join(lo, "listops-pyshm-%s.json" % v)),
            "c": load(os.path.join(lo, "listops-c.json"))}
    ops = [op for op in pyshm_bench.GET_SET + pyshm_bench.SCANS + pyshm_bench.LIFE
           if all(op in (d or {}).get("ops", {}) for d in docs.values())]
    if not ops:
        return False
    rows, values = [], []
    for i, op in enumerate(ops):
        t = [docs[impl]["ops"][op]["median"] for impl, *_ in IMPLS]
        values += t
        rows.append("%d %s\n" % (i, " ".join("%.6g" % x for x in t)))
    plots = ["'{ops}' using 4:1:($2-$4):(0) with vectors nohead linecolor rgb '#cccccc' "
             "linewidth 6 notitle"]
    for col, (impl, title, colour, _, point) in enumerate(IMPLS, 2):
        plots.append("'{ops}' using %d:1 with points pointtype %d pointsize 1.4 "
                     "linecolor rgb '%s' title '%s'" % (col, point, colour, title))
    gnuplot(out, [
        HEAD[0].format(w=1000, h=180 + 26 * len(ops)),
        "set title 'Time per list operation: CPython %s and C (median of the same rounds)'" % v,
        "set xlabel 'time per call (log scale)'",
        "set ytics (%s) nomirror" % ", ".join('"%s" %d' % (op_label(op), i)
                                              for i, op in enumerate(ops)),
        "set yrange [%g:-0.7]" % (len(ops) - 0.3),
        "set grid xtics",
        "set key below horizontal maxrows 1 samplen 1",
        "set bmargin 6",
        "set lmargin 20",
    ] + time_axis("x", values) + ["plot " + ", \\\n     ".join(plots)], {"ops": "".join(rows)})
    return True


# ---- how the cost grows -----------------------------------------------------------

OP_COLOURS = {"get": "#1f77b4", "set": "#2ca02c", "count": "#d62728", "create": "#9467bd"}


def scaling(results, out):
    sw = load(os.path.join(results, LISTOPS, "sweep.json"))
    if not sw or not sw.get("points"):
        return False
    data, panels, values = {}, [], [p["median"] for p in sw["points"]]
    for axis, xlabel in (("n", "list length (items, log scale)"),
                         ("size", "item size (bytes, log scale; a list of 10 bytes items)")):
        pts = [p for p in sw["points"] if p["axis"] == axis]
        if not pts:
            continue
        xs = sorted({p["x"] for p in pts})
        plots = []
        for op, colour in OP_COLOURS.items():
            for impl, _, _, dash, point in IMPLS:
                line = sorted((p["x"], p["median"]) for p in pts
                              if p["op"] == op and p["impl"] == impl)
                if not line:
                    continue
                name = "%s_%s_%s" % (axis, op, impl)
                data[name] = "".join("%d %.6g\n" % q for q in line)
                plots.append("'{%s}' using 1:2 with linespoints dashtype %d pointtype %d "
                             "linewidth 1.8 linecolor rgb '%s' notitle"
                             % (name, dash, point, colour))
        ticks = [(size_text(x) if axis == "size" else "{:,}".format(x), x) for x in xs]
        panels.append([
            "set xlabel '%s'" % xlabel,
            "set logscale x",
            "set xrange [%g:%g]" % (xs[0] / 1.5, xs[-1] * 1.5),
            "set xtics (%s)" % tics(ticks),
            "plot " + ", \\\n     ".join(plots)])
    # The legend: a row of operations (colour) and a row of implementations
    # (line and point), each a plot of nothing in a strip of its own.
    ops_key = ["NaN with lines linewidth 3 linecolor rgb '%s' title '%s'" % (c, op)
               for op, c in OP_COLOURS.items()]
    impls_key = ["NaN with linespoints dashtype %d pointtype %d linewidth 1.8 linecolor "
                 "rgb '#444444' title '%s'" % (dash, point, title)
                 for _, title, _, dash, point in IMPLS]
    script = [HEAD[0].format(w=1200, h=640),
              "set multiplot title 'How the cost of a list operation grows: CPython %s "
              "and C, median time per call' font ',14'" % sw["python"],
              "set grid xtics ytics",
              "set ylabel 'time per call (log scale)'"] + time_axis("y", values)
    width = 1.0 / len(panels)
    for i, panel in enumerate(panels):
        script += ["set origin %g,0.14" % (i * width), "set size %g,0.8" % width,
                   "unset key"] + panel
    script += ["unset title", "unset xlabel", "unset ylabel", "unset logscale",
               "set xrange [0:1]", "set yrange [0:1]", "unset xtics", "unset ytics",
               "unset grid", "unset border", "set size 1,0.07",
               "set key center center horizontal maxrows 1 samplen 5 width 2"]
    for y, entries in ((0.07, ops_key), (0.0, impls_key)):
        script += ["set origin 0,%g" % y, "plot " + ", ".join(entries)]
    script.append("unset multiplot")
    gnuplot(out, script, data)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    if not shutil.which("gnuplot"):
        print("plot: gnuplot not found; no plots", file=sys.stderr)
        return 0
    for name, draw in (("throughput", throughput), ("listops", listops),
                       ("scaling", scaling)):
        if not draw(args.results, os.path.join(args.results, name + ".svg")):
            print("plot: no results for %s.svg; not drawn" % name, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
