#!/usr/bin/env python3
"""Runs the conformance suite: an implementation's adapter against every
CPython interpreter found (each a peer for its own layout generation), the
golden vectors, and the harness's self-test.

  python3 conformance/run.py [--impl CMD] [--pythons "P1 P2"] [--groups a,b]
                             [--vectors-runner PATH] [--out DIR] [-j N] [-q]

IMPL and PYTHONS in the environment do what --impl and --pythons do.
Output: TAP on stdout, then `N passed, N failed, N skipped`; JUnit XML and
report.md under --out. Exit status 1 if anything failed.
"""
import argparse
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from harness import core, discover, runner, selftest  # noqa: E402
from harness.proc import Adapter  # noqa: E402
from harness.report import Reporter, Result  # noqa: E402

CPYTHON_ADAPTER = os.path.join(HERE, "adapters", "cpython", "adapter.py")


def impl_ident(argv):
    try:
        ad = Adapter(argv, "impl").start()
        ident = ad.ident
        ad.stop()
        return ident
    except Exception as e:  # reported per case by the runner
        print("# implementation adapter does not start: %s" % e)
        return os.path.basename(argv[0])


def run_vectors(exe, vdir, label, reporter):
    """The C vector runner, its lines turned into cases of group "vectors"."""
    try:
        out = subprocess.run([exe, vdir], capture_output=True, text=True, timeout=300)
    except OSError as e:
        reporter.add(Result(label, "no-python", "vectors", "runner", "fail", str(e)))
        return
    seen = 0
    for line in out.stdout.splitlines():
        if line.startswith("ok ") or line.startswith("not ok "):
            ok = line.startswith("ok ")
            body = line.split(" - ", 1)[-1]
            name, _, why = body.partition(": ")
            reporter.add(Result(label, "no-python", "vectors", name, "pass" if ok else "fail", why))
            seen += 1
    if out.returncode != 0 and not any(r.status == "fail" and r.group == "vectors" for r in reporter.results):
        reporter.add(Result(label, "no-python", "vectors", "runner-exit", "fail",
                            "exit %d: %s" % (out.returncode, out.stderr[-500:])))
    if not seen:
        reporter.add(Result(label, "no-python", "vectors", "runner-output", "fail",
                            "no results from %s: %s" % (exe, (out.stdout + out.stderr)[-500:])))


def leftovers():
    if not os.path.isdir("/dev/shm"):
        return []
    return sorted(n for n in os.listdir("/dev/shm") if n.startswith(core.NAME_PREFIX))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", default=os.environ.get("IMPL"))
    ap.add_argument("--pythons", default=os.environ.get("PYTHONS"))
    ap.add_argument("--groups", default=None, help="comma-separated: " + ",".join(core.GROUPS))
    ap.add_argument("--case", default=None, help="only cases whose name contains this")
    ap.add_argument("--vectors-runner", default=None)
    ap.add_argument("--vectors", default=os.path.join(HERE, "vectors"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "conformance"))
    ap.add_argument("-j", "--jobs", type=int, default=0)
    ap.add_argument("--no-selftest", action="store_true")
    ap.add_argument("-q", "--quiet", action="store_true", help="list only failures")
    args = ap.parse_args()

    impl_argv = shlex.split(args.impl) if args.impl else [os.path.join(ROOT, "build", "conformance", "ref-adapter")]
    groups = set(args.groups.split(",")) if args.groups else None
    only = (lambda g, n: args.case in n) if args.case else None
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    reporter = Reporter(verbose=not args.quiet)
    print("TAP version 13")
    peers = discover.interpreters(args.pythons)
    label = impl_ident(impl_argv)
    print("# implementation: %s (%s)" % (label, " ".join(impl_argv)))
    for ver, cmd in peers:
        print("# peer: %s (%s)" % (runner.peer_label(ver), " ".join(cmd)))
    if not peers:
        print("# no CPython interpreter found: only the vectors run")
    runner.load_cases()
    jobs = args.jobs or max(1, min(len(peers), 8))
    with ThreadPoolExecutor(jobs) as ex:
        futs = [ex.submit(runner.run_pair, impl_argv, label, cmd + [CPYTHON_ADAPTER], ver,
                          reporter, groups, only) for ver, cmd in peers]
        if args.vectors_runner and (not groups or "vectors" in groups):
            futs.append(ex.submit(run_vectors, args.vectors_runner, args.vectors, label, reporter))
        for f in futs:
            f.result()
    if peers and not args.no_selftest and (not groups or "selftest" in groups):
        py39 = [p for p in peers if p[0] >= (3, 9)] or peers
        ver, cmd = py39[-1]
        selftest.run(cmd + [CPYTHON_ADAPTER], ver, reporter)
    left = leftovers()
    for n in left:
        core.unlink_name(n)
    reporter.add(Result("harness", "all", "selftest", "no-blocks-left-behind",
                        "fail" if left else "pass",
                        "left behind (now removed): %s" % " ".join(left) if left else ""))
    secs = time.time() - t0
    reporter.finish_tap()
    reporter.junit(os.path.join(args.out, "junit.xml"))
    reporter.markdown(os.path.join(args.out, "report.md"),
                      core.GROUPS + ["vectors", "selftest"], secs)
    c = reporter.counts()
    print("# %.1f s; report: %s" % (secs, os.path.relpath(os.path.join(args.out, "report.md"))))
    print("%d passed, %d failed, %d skipped" % (c["pass"], c["fail"], c["skip"]))
    return 1 if c["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
