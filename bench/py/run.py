"""Runs every benchmark in order and writes raw JSON results into one
directory, then the report and the plot.

usage: run.py --bin DIR --pyshm TOOL --builds DIR --out DIR --report FILE
              [--readme FILE] [--package-readme FILE] [--quick] [--cc CC]
  --bin     where the C benchmark programs (membw, handoff, listops) are
  --pyshm   the pyshm command-line tool
  --builds  the pyshm module built for each interpreter (build/python)
  --readme  the project README, whose headline block the report rewrites
  --package-readme  the Python package's README, whose speed block it rewrites

The parts: the machine; handoff throughput (membw and every method, size by
size); list operations (pyshm_bench.py: the stdlib, the pyshm module and
libpyshm from C sampled in turn on every interpreter, and the sweep, into
OUT/python); whole commands (hyperfine); then report.py writes the report,
the README block and the plots from OUT.

--quick is the reduced set `make check` runs: fewer sizes (to 16 MiB),
short samples, few rounds. A part that fails is reported and the others
still run; the exit status says whether all succeeded.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import interpreters  # noqa: E402
from common import median  # noqa: E402

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
FULL_SIZES = [4 * KIB * 4 ** k for k in range(10)]  # 4 KiB .. 1 GiB, x4
QUICK_SIZES = [4 * KIB, 64 * KIB, MIB, 16 * MIB]


def size_text(n):
    for unit, scale in (("G", GIB), ("M", MIB), ("K", KIB)):
        if n % scale == 0:
            return "%d%s" % (n // scale, unit)
    return str(n)


def mem_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def shm_free():
    try:
        st = os.statvfs("/dev/shm")
        return st.f_bavail * st.f_frsize
    except OSError:
        return None


def load():
    """The one-minute load average: other work on the machine skews timings,
    and the report says how much there was."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def merge_rounds(entries):
    """One size's statistics from several rounds: the median of the rounds'
    medians and quartiles, the extremes of their extremes."""
    out = {"size": entries[0]["size"], "rounds": len(entries)}
    for key, stat in entries[0].items():
        if not isinstance(stat, dict) or any(key not in e for e in entries):
            continue
        out[key] = {"n": sum(e[key]["n"] for e in entries),
                    "median": median([e[key]["median"] for e in entries]),
                    "min": min(e[key]["min"] for e in entries),
                    "max": max(e[key]["max"] for e in entries),
                    "p25": median([e[key]["p25"] for e in entries]),
                    "p75": median([e[key]["p75"] for e in entries])}
    return out


def read_json(path):
    with open(path) as f:
        return json.load(f)


def fits(size, ram_factor, shm_factor):
    """None if a payload of size fits, else why not. ram_factor: how many
    copies of the payload the method holds at once in private memory (pickle
    holds the payload, its pickle, the received buffer and the unpickled
    object); shm_factor: in shared memory."""
    ram, shm = mem_available(), shm_free()
    margin = 512 * MIB
    if ram is not None and ram < ram_factor * size + margin:
        return "needs about %d x %s of memory, %s available" % (
            ram_factor, size_text(size), size_text(ram // MIB * MIB))
    if shm_factor and shm is not None and shm < shm_factor * size + margin:
        return "needs %s in /dev/shm, %s free" % (size_text(size), size_text(shm // MIB * MIB))
    return None


class Runner:
    def __init__(self, args):
        self.args = args
        self.out = args.out
        self.failed = []
        self.skipped = []
        self.log_lines = []

    def run(self, name, argv, out_file=None, group=None, quiet=False):
        """Runs a part; its stdout becomes out_file when given, or is
        dropped when quiet. group names the part in run.json's tally
        (several runs may share one)."""
        print("bench: %s" % name, file=sys.stderr, flush=True)
        t0 = time.time()
        try:
            if out_file:
                with open(os.path.join(self.out, out_file), "w") as f:
                    r = subprocess.run(argv, stdout=f)
            else:
                r = subprocess.run(argv, stdout=subprocess.DEVNULL if quiet else None)
        except OSError as e:
            r = None
            print("bench: %s: %s" % (name, e), file=sys.stderr)
        took = time.time() - t0
        self.log_lines.append({"part": name, "group": group or name,
                               "seconds": round(took, 1), "ok": bool(r and r.returncode == 0),
                               "load": load()})
        if not r or r.returncode != 0:
            self.failed.append(name)
            if out_file:
                os.unlink(os.path.join(self.out, out_file))
            return False
        return True

    def sizes_for(self, what, sizes, ram_factor, shm_factor):
        keep = []
        for s in sizes:
            why = fits(s, ram_factor, shm_factor)
            if why:
                self.skipped.append({"part": what, "size": s, "reason": why})
            else:
                keep.append(s)
        return [size_text(s) for s in keep]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pyshm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--builds", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--readme")
    ap.add_argument("--package-readme")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if old.endswith(".json"):
            os.unlink(os.path.join(args.out, old))
    r = Runner(args)
    quick = args.quick
    me = sys.executable
    started = time.time()

    interps = interpreters.find()
    with open(os.path.join(args.out, "interpreters.json"), "w") as f:
        json.dump([{"version": i["version"], "numpy": i["numpy"]} for i in interps], f, indent=1)
    # Full paths stay out of results; commands.py needs them, so they go to
    # a scratch file that is never kept.
    scratch = os.path.join(args.out, "tmp")
    os.makedirs(scratch, exist_ok=True)
    interps_file = os.path.join(scratch, "interpreters.json")
    with open(interps_file, "w") as f:
        json.dump(interps, f)
    # The handoffs run on one interpreter: one with numpy when there is one,
    # else the newest.
    with_np = [i for i in interps if i["numpy"]]
    py = (with_np or interps or [{"exe": me, "numpy": None}])[-1]
    pyexe = py["exe"]

    r.run("machine", [me, os.path.join(HERE, "machine.py"), "--cc", args.cc,
                      "--out", os.path.join(args.out, "machine.json")])

    sizes = QUICK_SIZES if quick else FULL_SIZES
    rep = ["--min-time", "0.05", "--min-reps", "3", "--max-reps", "20"] if quick else \
          ["--min-time", "0.4", "--min-reps", "2", "--max-reps", "100"]

    # Size by size, the machine's limits (membw) and then every method in
    # turn, so that the figures compared with each other are taken within
    # seconds of each other: on a shared machine the load drifts. The full
    # run makes three such rounds and keeps the median of their medians.
    handoff = os.path.join(args.bin, "handoff")
    consumer = [pyexe, os.path.join(HERE, "consumer.py")]
    checks = (["numpy"] if py["numpy"] else []) + ["crc32"]
    if not py["numpy"]:
        r.skipped.append({"part": "numpy consumers", "size": None,
                          "reason": "no interpreter with numpy found"})
    series = []  # (label, payload copies in RAM, in /dev/shm, argv head, argv tail)
    for check in checks:
        sfx = "-numpy" if check == "numpy" else ""
        series.append(("pickle-pipe" + sfx, 5, 0,
                       [pyexe, os.path.join(HERE, "handoff_pickle.py"), "--transport", "pipe",
                        "--check", check, "--label", "pickle-pipe" + sfx] + rep, []))
        if check == checks[0]:  # the Queue once, with the fastest reader
            series.append(("pickle-queue" + sfx, 5, 0,
                           [pyexe, os.path.join(HERE, "handoff_pickle.py"), "--transport",
                            "queue", "--check", check, "--label", "pickle-queue" + sfx] + rep,
                           []))
        series.append(("cpython-shm" + sfx, 2, 1,
                       [pyexe, os.path.join(HERE, "handoff_shm.py"), "--check", check,
                        "--label", "cpython-shm" + sfx] + rep, ["--"] + consumer + [check]))
        series.append(("c-to-cpython" + sfx, 2, 1,
                       [handoff, "produce", "--check", "sum64" if check == "numpy" else "crc32",
                        "--label", "c-to-cpython" + sfx] + rep, ["--"] + consumer + [check]))
    series.append(("c-zero-copy", 2, 1, [handoff, "produce", "--label", "c-zero-copy"] + rep,
                   ["--", handoff, "consume"]))

    membw = [os.path.join(args.bin, "membw"), "--samples", "3" if quick else "5",
             "--min-time", "0.01" if quick else "0.1"]
    pieces = {}  # label -> size -> [per-round size entries]
    docs = {}    # label -> the first document, for its other fields
    rounds = 1 if quick else 3
    for rnd in range(rounds):
        # Each round visits every size and every method once, in a rotated
        # order, so that a burst of load elsewhere on the machine hits one
        # round of a few methods rather than all samples of one of them.
        for size in sizes:
            turn = [("membw", 3, 1, membw, [])] + series
            k = rnd % len(turn)
            for label, ram, shm, head, tail in turn[k:] + turn[:k]:
                part = label if label == "membw" else "handoff " + label
                ss = r.sizes_for(part, [size], ram, shm) if rnd == 0 else \
                    ([size_text(size)] if size in pieces.get(label, {}) else [])
                if not ss:
                    continue
                piece = os.path.join("tmp", "piece.json")
                if r.run("%s %s (round %d)" % (part, ss[0], rnd + 1), head + ss + tail, piece,
                         group=part):
                    doc = read_json(os.path.join(args.out, piece))
                    os.unlink(os.path.join(args.out, piece))
                    docs.setdefault(label, doc)
                    pieces.setdefault(label, {}).setdefault(size, []).extend(doc["sizes"])
    for label, by_size in pieces.items():
        doc = dict(docs[label], rounds=rounds)
        doc["sizes"] = [merge_rounds(by_size[s]) for s in sorted(by_size)]
        name = "membw.json" if label == "membw" else "handoff-%s.json" % label
        with open(os.path.join(args.out, name), "w") as f:
            json.dump(doc, f, indent=1)

    # List operations: one driver samples the stdlib, the module and C in
    # turn, so that every table and plot of them shares one set of figures.
    r.run("list operations", [me, os.path.join(HERE, "pyshm_bench.py"), "--builds", args.builds,
                              "--out", os.path.join(args.out, "python"), "--c-listops",
                              os.path.join(args.bin, "listops")] + (["--quick"] if quick else []),
          quiet=True)

    r.run("commands (hyperfine)", [me, os.path.join(HERE, "commands.py"), "--pyshm",
                                   args.pyshm, "--interpreters", interps_file, "--out",
                                   args.out] + (["--quick"] if quick else []))
    os.unlink(interps_file)

    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump({"kind": "run", "quick": quick,
                   "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
                   "seconds": round(time.time() - started, 1),
                   "handoff_python": py["version"], "parts": r.log_lines,
                   "skipped": r.skipped, "failed": r.failed}, f, indent=1)
    try:
        os.rmdir(scratch)  # only scratch files ever go there; keep it if not empty
    except OSError:
        pass
    readme = ["--readme", args.readme] if args.readme else []
    if args.package_readme:
        readme += ["--package-readme", args.package_readme]
    ok = r.run("report", [me, os.path.join(HERE, "report.py"), "--results", args.out,
                          "--report", args.report] + readme)
    if r.failed:
        print("bench: FAILED: %s" % ", ".join(r.failed), file=sys.stderr)
        return 1
    print("bench: done in %.0f s; report %s" % (time.time() - started, args.report),
          file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
