"""Draws throughput against payload size (log-log) with gnuplot from the
handoff and membw results: one line per method plus the machine's memcpy
and read bandwidth.

usage: plot.py --results DIR [--out FILE.svg]
Writes nothing and says so when gnuplot is missing.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

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


def points(results, name, field):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        data = json.load(f)
    return [(s["size"], s["size"] / s[field]["median"] / 1e9)
            for s in data["sizes"] if field in s and s[field]["median"] > 0]


def label(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return "%d %s" % (n // scale, unit)
    return "%d B" % n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    out = args.out or os.path.join(args.results, "throughput.svg")
    if not shutil.which("gnuplot"):
        print("plot: gnuplot not found; no plot", file=sys.stderr)
        return 0
    scratch = os.path.join(args.results, "tmp")
    os.makedirs(scratch, exist_ok=True)
    plots, sizes = [], set()
    for i, (name, field, title) in enumerate(SERIES):
        pts = points(args.results, name, field)
        if not pts:
            continue
        sizes.update(p[0] for p in pts)
        dat = os.path.join(scratch, "series%d.dat" % i)
        with open(dat, "w") as f:
            f.writelines("%d %.6g\n" % p for p in pts)
        if name == "membw":  # the machine's limits: grey, dashed
            style = "dashtype 2 linewidth 1.5 linecolor rgb '%s' pointtype 1" % (
                "#888888" if field == "memcpy" else "#000000")
        else:
            style = "linewidth %g pointtype %d" % (3 if field == "handoff" else 1.5, i % 6 + 4)
        plots.append("'%s' using 1:2 with linespoints %s title '%s'"
                     % (os.path.abspath(dat), style, title))
    if not plots:
        print("plot: no handoff results; no plot", file=sys.stderr)
        return 0
    script = "\n".join([
        "set terminal svg size 1000,720 dynamic font 'sans,11' background '#ffffff'",
        "set output '%s'" % os.path.abspath(out),
        "set title 'Handing a payload to another process: throughput by payload size'",
        "set xlabel 'payload size (bytes)'",
        "set ylabel 'throughput (GB/s, median)'",
        "set logscale xy",
        "set xtics (%s)" % ", ".join('"%s" %d' % (label(n), n) for n in sorted(sizes)),
        "set xrange [%d:%d]" % (min(sizes) / 1.3, max(sizes) * 1.3),
        "set grid xtics ytics",
        "set key below maxrows 4 Left reverse font ',9'",
        "plot " + ", \\\n     ".join(plots),
    ]) + "\n"
    gp = os.path.join(scratch, "throughput.gp")
    with open(gp, "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", gp], check=True)
    for leftover in glob.glob(os.path.join(scratch, "series*.dat")) + [gp]:
        os.unlink(leftover)
    try:
        os.rmdir(scratch)
    except OSError:
        pass  # holds something else; leave it
    return 0


if __name__ == "__main__":
    sys.exit(main())
