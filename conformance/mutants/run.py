#!/usr/bin/env python3
"""Mutation testing: does the suite catch realistic porting mistakes?

Each NN-name.patch here is one mistake in ref/src. For each, a copy of the
tree gets the patch and the checks run cheapest first; the first check that
fails kills the mutant. A check that fails on the unpatched tree (or does
not exist yet) proves nothing, so an unpatched copy runs every check first
and only the checks it passes are used.

  run.py --work DIR --cflags "..." [--jobs 2] [--report FILE] [--only NN,..] CHECK...

A CHECK is "label|make arguments|command": the make arguments (shell-quoted
words: targets and VAR=value) run in the copy with BUILD=build, then the
command, if any, runs in the copy. "{py38}" stands for a CPython 3.8 found
at run time (nothing when there is none).
Exit status 1 if any mutant survives (unless EQUIVALENT.md argues it),
does not build or apply, or if no check passes on the unpatched tree.
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # the helpers' caches would land in the source tree

import report  # noqa: E402
import shmjail  # noqa: E402
from peers import find_py38  # noqa: E402


class Check:
    def __init__(self, spec, py38):
        parts = spec.split("|")
        self.label = parts[0]
        self.make = shlex.split(parts[1]) if len(parts) > 1 else []
        self.cmd = shlex.split(parts[2]) if len(parts) > 2 and parts[2].strip() else []
        if "{py38}" in spec:
            # Without a 3.8 the check still runs, with the other peers.
            self.make = [w.replace("{py38}", py38 or "").strip() for w in self.make]
            self.cmd = [w.replace("{py38}", py38 or "").strip() for w in self.cmd]
            if not py38:
                self.label += " (no 3.8 found)"
        self.done = threading.Event()  # set once the unpatched tree ran it
        self.usable = False
        self.base_secs = 0.0
        self.base_note = ""

    def timeout(self):
        # A mutant may hang (a loop trusting a corrupt N): that is a kill,
        # found by a limit well above what the unpatched tree needed.
        return max(120.0, 4 * self.base_secs)


def clean_env():
    env = dict(os.environ)
    # The copies' makes are independent of any make that started us.
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def copy_tree(dst, build_dir):
    """The source tree without build output or git metadata."""
    skip = {".git", "build"}
    rel = os.path.relpath(build_dir, ROOT)
    if not rel.startswith(".."):
        skip.add(rel.split(os.sep)[0])
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(ROOT, dst, symlinks=True,
                    ignore=lambda d, names: [n for n in names if d == ROOT and n in skip])
    # Not every rule makes its own output directory.
    os.makedirs(os.path.join(dst, "build"))


def patched_files(patch):
    with open(patch) as f:
        return [ln[4:].split("\t")[0].strip()[2:] for ln in f if ln.startswith("+++ b/")]


LIVE = set()  # process groups of the checks running now
LIVE_LOCK = threading.Lock()
STOP = threading.Event()  # the run was interrupted: start nothing more


def kill_live():
    """Stops every check still running, and any the workers would start."""
    STOP.set()
    with LIVE_LOCK:
        for pid in list(LIVE):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


def sh(argv, cwd, log, timeout, jail=None):
    """Runs argv, appending its output to log; returns (rc, seconds, timed_out)."""
    t0 = time.time()
    if STOP.is_set():
        return -9, 0.0, False
    with open(log, "a") as out:
        out.write("$ %s\n" % " ".join(shlex.quote(a) for a in argv))
        out.flush()
        full = (jail or []) + argv
        with LIVE_LOCK:
            if STOP.is_set():
                return -9, 0.0, False
            p = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=clean_env(),
                                 start_new_session=True)
            LIVE.add(p.pid)
        try:
            rc = p.wait(timeout=timeout)
            return rc, time.time() - t0, False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # its own session: make and all under it
            p.wait()
            return -9, time.time() - t0, True
        finally:
            with LIVE_LOCK:
                LIVE.discard(p.pid)


def run_check(check, tree, log, timeout, jail):
    """rc, seconds, timed_out of one check in one copy."""
    rc, secs, to = sh(["make", "--no-print-directory", "BUILD=build"] + check.make,
                      tree, log, timeout, jail)
    if rc == 0 and check.cmd and not to:
        rc, more, to = sh(check.cmd, tree, log, max(1.0, timeout - secs), jail)
        secs += more
    return rc, secs, to


def compiles(tree, files, cc, cflags, log):
    """Compiles the patched files with each compiler the tree is built with."""
    compilers = [cc] + (["clang"] if shutil.which("clang") and cc != "clang" else [])
    for c in compilers:
        for f in files:
            if f.endswith(".c"):
                argv = shlex.split(c) + shlex.split(cflags) + ["-c", f, "-o", os.devnull]
                if sh(argv, tree, log, 120)[0] != 0:
                    return False
    return True


def baseline(checks, args, jail):
    """Runs every check on the unpatched tree, in order, telling each mutant
    worker as soon as a check's verdict is known."""
    tree = os.path.join(args.work, "base")
    copy_tree(tree, args.work)
    log = os.path.join(args.work, "base.log")
    open(log, "w").close()
    try:
        run_baseline_checks(checks, tree, log, args, jail)
    finally:
        for c in checks:
            c.done.set()  # even after a crash here: no mutant may wait forever


def run_baseline_checks(checks, tree, log, args, jail):
    for c in checks:
        rc, secs, to = run_check(c, tree, log, args.base_timeout, jail)
        c.base_secs = secs
        c.usable = rc == 0
        if to:
            c.base_note = "timed out on the unpatched tree after %.0f s" % secs
        elif rc != 0 and no_rule(log):
            c.base_note = "not defined by the Makefile yet"
        elif rc != 0:
            c.base_note = "fails on the unpatched tree"
        c.done.set()


def no_rule(log):
    with open(log, errors="replace") as f:
        tail = f.read()[-4000:]
    return "No rule to make target" in tail


def mutant(patch, checks, args, jail):
    name = os.path.basename(patch)[:-len(".patch")]
    tree = os.path.join(args.work, name)
    log = os.path.join(args.work, name + ".log")
    open(log, "w").close()
    t0 = time.time()
    res = {"name": name, "desc": report.describe(patch), "killer": None, "status": "survived"}
    copy_tree(tree, args.work)
    rc = sh(["patch", "-p1", "-N", "-s", "--fuzz=0", "--no-backup-if-mismatch", "-r", "-",
             "-i", patch], tree, log, 60)[0]
    if rc != 0:
        res["status"] = "rotten"
    elif not compiles(tree, patched_files(patch), args.cc, args.cflags, log):
        res["status"] = "stillborn"
    else:
        for c in checks:
            c.done.wait()
            if not c.usable:
                continue
            rc, secs, to = run_check(c, tree, log, c.timeout(), jail)
            if rc != 0:
                res["status"] = "killed"
                res["killer"] = c.label + (" (timeout)" if to else "")
                break
    res["secs"] = time.time() - t0
    if res["status"] == "killed" and not args.keep:
        shutil.rmtree(tree, ignore_errors=True)  # keep only what needs a look
    print("%-40s %-10s %-22s %6.1f s" % (name, res["status"], res["killer"] or "", res["secs"]),
          flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True, help="scratch directory for the copies")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cflags", default="", help="flags and -I options to compile ref/src")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report", default=None, help="Markdown report to write")
    ap.add_argument("--only", default=None, help="comma-separated mutant numbers")
    ap.add_argument("--keep", action="store_true", help="keep the copies of killed mutants")
    ap.add_argument("--base-timeout", type=float, default=900.0)
    ap.add_argument("checks", nargs="+")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)

    t0 = time.time()
    patches = sorted(os.path.join(HERE, p) for p in os.listdir(HERE) if p.endswith(".patch"))
    if args.only:
        want = set(args.only.split(","))
        patches = [p for p in patches if os.path.basename(p).split("-")[0] in want]
    py38 = find_py38()
    checks = [Check(s, py38) for s in args.checks]
    jail, before = shmjail.start()
    print("mutation: %d mutants, %d at a time; checks: %s; /dev/shm: %s" % (
        len(patches), args.jobs, ", ".join(c.label for c in checks),
        "private per check" if jail else "diffed before/after"), flush=True)

    # Interrupted (^C, or make killed): no check may outlive the run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    ex = ThreadPoolExecutor(max(1, args.jobs))
    futs = []
    try:
        # The unpatched run holds one worker; mutants start in the others and
        # wait, check by check, for its verdict.
        base = ex.submit(baseline, checks, args, jail)
        futs = [ex.submit(mutant, p, checks, args, jail) for p in patches]
        base.result()
        results = [f.result() for f in futs]
    except BaseException:
        for f in futs:
            f.cancel()
        kill_live()
        ex.shutdown(wait=False)
        raise
    ex.shutdown()

    leaked = shmjail.finish(before)
    equivalent = report.equivalent(os.path.join(HERE, "EQUIVALENT.md"))
    secs = time.time() - t0
    text = report.markdown(results, checks, equivalent, secs, leaked)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    print()
    print(text)
    bad = [r for r in results if r["status"] in ("stillborn", "rotten")
           or (r["status"] == "survived" and r["name"] not in equivalent)]
    if not any(c.usable for c in checks):
        print("mutation: no check passes on the unpatched tree; nothing was tested")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
