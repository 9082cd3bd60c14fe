#!/usr/bin/env python3
"""Runs the suite for several implementations and puts the verdicts side by
side: every CPython found as the implementation, PyPy, the reference, the
pyshm Python module; profiles as columns. Writes matrix.md, matrix.html and
a page per run (runs/: its failing cases and causes, and its report.md)
under --out; with --screenshot, opens every page in a headless Chromium,
keeps a screenshot of each and checks every link of the DOM it built
(without, the links are checked on the files).

  python3 conformance/matrix.py --self-only --out DIR     every CPython as
      the implementation under profile cpython; exit 1 unless each passes
      its own suite 100% (run by `make check`)
  python3 conformance/matrix.py --ref ADAPTER --pypy pypy3 --module "CMD"
      --out DIR [--screenshot [--browser CMD]] [--peers SEL] [--groups G]
  python3 conformance/matrix.py --pages-from WORK --out DIR [--screenshot]
      the pages alone, from the runs recorded under WORK (its matrix.json)

A line is printed as each run starts and ends (with its time and its
statement); each run's own output is in WORK/ID/run.log. Exit status 0 when
every run made could be judged and every page, screenshot and link is
sound, 1 otherwise, 2 when nothing could be run.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from harness import browser, discover, links, pages, versions  # noqa: E402

RUN = os.path.join(HERE, "run.py")
CPY = os.path.join(HERE, "adapters", "cpython", "adapter.py")
EXPECT = os.path.join(HERE, "expectations")
SPEC = os.path.join(HERE, "SPEC.md")
INDEX = "matrix.json"

# Known deviations by implementation and profile, as each is judged on its
# own (make conformance, conformance-pypy, conformance-python).
EXPECTATIONS = {("pypy", "cpython"): "pypy.txt", ("ref", "cpython"): "ref.txt",
                ("module", "cpython"): "pyshm-python.txt",
                ("module", "strict"): "pyshm-python-strict.txt"}

_print_lock = threading.Lock()


def say(*lines):
    with _print_lock:
        for ln in lines:
            print("matrix: " + ln, flush=True)


def plan(args):
    """[{id, row, kind, profile, impl, expect}] in the order of the page."""
    found, _ = discover.interpreters(args.pythons)
    impls = [("cpython-%s" % versions.label(v), "cpython", " ".join(cmd + [CPY])) for v, cmd in found]
    if not args.self_only:
        if args.pypy:
            impls.append(("pypy", "pypy", "%s %s" % (args.pypy, CPY)))
        if args.ref:
            impls.append(("pyshm", "ref", args.ref))
        if args.module:
            impls.append(("pyshm-python", "module", args.module))
    profiles = ("cpython",) if args.self_only else pages.PROFILES
    jobs = []
    for row, kind, cmd in impls:
        for p in profiles:
            e = EXPECTATIONS.get((kind, p))
            jobs.append({"id": "%s-%s" % (row, p), "row": row, "kind": kind, "profile": p,
                         "impl": cmd, "expect": os.path.relpath(os.path.join(EXPECT, e), ROOT) if e else None})
    return jobs


def judge(job, args, n, total):
    """Runs run.py for one job; its output goes to WORK/ID/run.log."""
    d = os.path.join(args.work, job["id"])
    os.makedirs(d, exist_ok=True)
    for f in ("summary.json", "report.md", "junit.xml"):  # never read an earlier run's
        if os.path.exists(os.path.join(d, f)):
            os.unlink(os.path.join(d, f))
    cmd = [sys.executable, RUN, "--impl", job["impl"], "--profile", job["profile"], "--out", d,
           "--exclude-groups", ",".join(["selftest"] + ([args.exclude_groups] if args.exclude_groups else []))]
    for opt, val in (("--expect", job["expect"]), ("--pythons", args.pythons), ("--peers", args.peers),
                     ("--groups", args.groups)):
        if val:
            cmd += [opt, val]
    what = "[%*d/%d] %%s %s, profile %s" % (len(str(total)), n, total, job["row"], job["profile"])
    say(what % "start")
    t0 = time.time()
    log = os.path.join(d, "run.log")
    with open(log, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT).returncode
    secs = time.time() - t0
    summary = os.path.join(d, "summary.json")
    with open(log, errors="replace") as f:
        tail = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
    why = None
    if rc in (0, 1) and os.path.exists(summary):
        with open(summary) as f:
            said = json.load(f).get("statement", "")
    else:
        why = "could not be judged (run.py exited %d): %s" % (rc, tail[-1] if tail else "no output")
        said = why + " (log: %s)" % os.path.relpath(log)
    say((what % "done ") + ", %.1f s: %s" % (secs, said))
    return dict(job, rc=rc, seconds=round(secs, 1), why=why)


def load(work, index, tidy):
    """The runs of an index, each with its summary (None when it could not
    be judged; its texts tidied) and the paths the pages need."""
    runs = []
    for r in index["runs"]:
        r = dict(r)
        d = os.path.join(work, r["id"])
        r["summary"] = tidied(pages.load_summary(os.path.join(d, "summary.json")), tidy) \
            if r["rc"] in (0, 1) else None
        r["why"] = tidy(r["why"]) if r.get("why") else None
        r["report"] = os.path.join(d, "report.md")
        r["expect_path"] = os.path.join(ROOT, r["expect"]) if r.get("expect") else None
        runs.append(r)
    return runs


def tidier():
    """Paths of this machine out of what the pages show: the project's own
    relative, pyenv's as `$(pyenv root)`, the home directory as ~."""
    subs = [(ROOT + os.sep, "")]
    root = discover.pyenv_root()
    if root:
        subs.append((root.rstrip(os.sep), "$(pyenv root)"))
    home = os.path.expanduser("~")
    if home not in ("", os.sep, "~"):
        subs.append((home.rstrip(os.sep) + os.sep, "~/"))

    def tidy(text):
        for a, b in subs:
            text = text.replace(a, b)
        return text
    return tidy


def tidied(value, tidy):
    """Every string of a JSON value through tidy."""
    if isinstance(value, str):
        return tidy(value)
    if isinstance(value, list):
        return [tidied(v, tidy) for v in value]
    if isinstance(value, dict):
        return {k: tidied(v, tidy) for k, v in value.items()}
    return value


def check_pages(args, paths, rows, runs):
    """Screenshots (with --screenshot) and links; the problems found."""
    problems, dom = [], {}
    worst = max((r for r in runs if r["summary"]), key=lambda r: len(r["summary"]["causes"]), default=None)
    cell = pages.cause_list_id(worst, "causes") if worst and worst["summary"]["causes"] else None
    if args.screenshot:
        argv = browser.find(args.browser)
        html = [p for p in paths if p.endswith(".html")]
        say("checking %d pages in %s: a screenshot of each, the links of the DOM it builds"
            % (len(html), argv[0]))

        def one(page):
            try:
                big = os.path.basename(page) == "matrix.html"
                d = browser.render(argv, page, page[:-len(".html")] + ".png",
                                   size=(1400, 1800) if big else (1280, 1000))
                if big and rows:
                    # The grid scrolled to a case half-way down: its header
                    # row must still be in view.
                    browser.render(argv, page, os.path.join(os.path.dirname(page), "matrix-cases.png"),
                                   size=(1400, 900), fragment="row-" + rows[len(rows) // 2])
                if big and cell:
                    # The cell of the run with the most causes, its list
                    # opened (a link into a closed <details> opens it).
                    browser.render(argv, page, os.path.join(os.path.dirname(page), "matrix-cell.png"),
                                   size=(1400, 1000), fragment=cell)
                return page, d, None
            except browser.BrowserError as e:
                return page, None, str(e)
        with ThreadPoolExecutor(2) as ex:
            for page, d, err in ex.map(one, html):
                if err:
                    problems.append(err)
                else:
                    dom[page] = d
    bad, n = links.check(paths, dom)
    say("links: %d checked on %d pages (%s), %d to other sites not followed, %d broken" % (
        n["links"], len(paths), "the DOM Chromium built" if dom else "as written", n["external"], len(bad)))
    return problems + bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--self-only", action="store_true")
    ap.add_argument("--ref", help="the reference's adapter")
    ap.add_argument("--pypy", help="the PyPy to judge (through the CPython adapter)")
    ap.add_argument("--module", help="the pyshm module's adapter command (ref/python/adapter.py with "
                                     "the module on its PYTHONPATH)")
    ap.add_argument("--pythons", default=os.environ.get("PYTHONS"))
    ap.add_argument("--peers", help="run.py --peers: only these peers")
    ap.add_argument("--groups", help="run.py --groups: only these groups")
    ap.add_argument("--exclude-groups", help="run.py --exclude-groups (selftest always is)")
    ap.add_argument("--out", required=True, help="matrix.md, matrix.html, runs/, screenshots")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "conformance", "matrix"),
                    help="where each run's reports go, and matrix.json, their index")
    ap.add_argument("--pages-from", metavar="WORK", help="make the pages from the runs recorded there")
    ap.add_argument("--screenshot", action="store_true",
                    help="open every page in a headless Chromium: screenshots, links of its DOM")
    ap.add_argument("--browser", default=os.environ.get("MATRIX_BROWSER") or None,
                    help="the browser's command (default: chromium, chromium-browser or google-chrome)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="runs at once")
    args = ap.parse_args(argv)
    args.work = os.path.abspath(args.pages_from or args.work)
    os.makedirs(args.out, exist_ok=True)
    if args.screenshot:
        try:
            browser.find(args.browser)  # before minutes of runs, not after
        except browser.BrowserError as e:
            print("matrix: %s" % e, file=sys.stderr)
            return 2

    if args.pages_from:
        try:
            with open(os.path.join(args.work, INDEX)) as f:
                index = json.load(f)
        except (OSError, ValueError) as e:
            print("matrix: no index of runs: %s" % e, file=sys.stderr)
            return 2
    else:
        jobs = plan(args)
        if not jobs:
            print("matrix: no CPython found", file=sys.stderr)
            return 2
        say("%d runs of the suite, %d at a time; each run's output in %s/ID/run.log" % (
            len(jobs), args.jobs, os.path.relpath(args.work)))
        t0 = time.time()
        with ThreadPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(judge, j, args, i, len(jobs)) for i, j in enumerate(jobs, 1)]
            done = [f.result() for f in futs]
        index = {"date": datetime.date.today().isoformat(),
                 "platform": "%s %s" % (platform.system(), platform.machine()),
                 "seconds": round(time.time() - t0, 1),
                 "runs": [{k: r[k] for k in ("id", "row", "kind", "profile", "expect", "rc", "seconds",
                                             "why")} for r in done]}
        os.makedirs(args.work, exist_ok=True)
        with open(os.path.join(args.work, INDEX), "w") as f:
            json.dump(index, f, indent=1)
            f.write("\n")
        unjudged = [r for r in done if r["rc"] not in (0, 1)]
        say("%d runs in %.1f min, %d could not be judged" % (len(done), index["seconds"] / 60.0,
                                                            len(unjudged)))
        if args.self_only:
            bad = [r for r in done if r["rc"] != 0]
            for r in bad:
                with open(os.path.join(args.work, r["id"], "run.log"), errors="replace") as f:
                    print(f.read()[-3000:])
            print("%d passed, %d failed" % (len(done) - len(bad), len(bad)))
            return 1 if bad else 0

    try:
        tidy = tidier()
        runs = load(args.work, index, tidy)
        meta = {"date": index["date"], "platform": index["platform"], "seconds": index["seconds"],
                "spec": SPEC, "screenshots": args.screenshot}
        paths, rows = pages.write(runs, meta, args.out, tidy)
    except (pages.PageError, KeyError) as e:
        print("matrix: the pages cannot be made: %s" % (e if not isinstance(e, KeyError) else
                                                        "matrix.json lacks %s" % e), file=sys.stderr)
        return 1
    say("pages: %s and %d run pages (%d cases some implementation does not pass)" % (
        os.path.relpath(os.path.join(args.out, "matrix.html")), len(paths) // 2 - 1, len(rows)))
    problems = check_pages(args, paths, rows, runs)
    for p in problems:
        print("matrix: %s" % p, file=sys.stderr)
    unjudged = [r["id"] for r in runs if r["summary"] is None]
    if unjudged and not args.pages_from:  # made now: this run's failure
        print("matrix: could not be judged: %s" % ", ".join(unjudged), file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
