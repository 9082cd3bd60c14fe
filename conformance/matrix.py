#!/usr/bin/env python3
"""Runs the suite for several implementations and puts the verdicts side by
side: every CPython found as the implementation, PyPy, the reference;
profiles as columns. Writes matrix.md and matrix.html (one static page, in
the manner of JSONTestSuite's results) under --out, and with --screenshot a
PNG of the page taken by headless Chromium.

  python3 conformance/matrix.py --self-only --out DIR     every CPython as
      the implementation under profile cpython; exit 1 unless each passes
      its own suite 100% (run by `make check`)
  python3 conformance/matrix.py --ref ADAPTER --pypy pypy3 --out DIR [--screenshot]
"""
import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import discover, versions  # noqa: E402

RUN = os.path.join(HERE, "run.py")
CPY = os.path.join(HERE, "adapters", "cpython", "adapter.py")
EXPECT = os.path.relpath(os.path.join(HERE, "expectations"))
COLORS = {"pass": "#2e7d32", "xfail": "#f9a825", "fail": "#c62828", "xpass": "#6a1b9a", "skip": "#9e9e9e",
          "error": "#000000"}


def judge(name, impl, profile, expect, work, pythons, reuse=False):
    d = os.path.join(work, "%s-%s" % (name, profile))
    path = os.path.join(d, "summary.json")
    if reuse and os.path.exists(path):
        return {"name": name, "profile": profile, "rc": 0, "summary": json.load(open(path)),
                "tail": "", "expect": expect}
    shutil.rmtree(d, ignore_errors=True)  # never read an earlier run's summary
    cmd = [sys.executable, RUN, "--impl", impl, "--profile", profile, "--out", d,
           "--exclude-groups", "selftest"]
    if expect:
        cmd += ["--expect", expect]
    if pythons:
        cmd += ["--pythons", pythons]
    p = subprocess.run(cmd, capture_output=True, text=True)
    summary = json.load(open(path)) if os.path.exists(path) and p.returncode in (0, 1) else None
    return {"name": name, "profile": profile, "rc": p.returncode, "summary": summary,
            "tail": (p.stdout + p.stderr)[-3000:], "expect": expect}


def plan(args):
    found, _ = discover.interpreters(args.pythons)
    jobs = [("cpython-%s" % versions.label(v), " ".join(cmd + [CPY]), "cpython", None)
            for v, cmd in found]
    if not args.self_only:
        for v, cmd in found:
            jobs.append(("cpython-%s" % versions.label(v), " ".join(cmd + [CPY]), "strict", None))
        if args.pypy:
            jobs.append(("pypy", "%s %s" % (args.pypy, CPY), "cpython",
                         os.path.join(EXPECT, "pypy.txt")))
            jobs.append(("pypy", "%s %s" % (args.pypy, CPY), "strict", None))
        if args.ref:
            jobs.append(("pyshm", args.ref, "cpython", os.path.join(EXPECT, "ref.txt")))
            jobs.append(("pyshm", args.ref, "strict", None))
    return jobs


def cell(run):
    s = run["summary"]
    if not s:
        return "could not be judged: " + run["tail"].strip().splitlines()[-1][:120], "fail"
    c = s["counts"]
    bad = c["fail"] + c["xpass"] + c.get("error", 0)
    text = "%d passed" % c["pass"]
    if c["xfail"]:
        text += ", %d known" % c["xfail"]
    if bad:
        text += ", %d failed" % bad
    text += ", %d skipped" % c["skip"]
    return text, ("fail" if bad else "xfail" if c["xfail"] else "pass")


def write_markdown(path, runs):
    names = sorted({r["name"] for r in runs}, key=_order)
    out = ["# Conformance matrix", "",
           "Each implementation judged against every CPython peer found; the verdict is what "
           "CPython does in its place (profile `cpython`) or the SPEC's decisions where CPython "
           "has a known defect (profile `strict`). Known = listed in the implementation's "
           "expectations file.", "",
           "| implementation | profile cpython | profile strict |", "|---|---|---|"]
    for n in names:
        cells = []
        for prof in ("cpython", "strict"):
            r = next((x for x in runs if x["name"] == n and x["profile"] == prof), None)
            cells.append("-" if r is None else "%s%s" % ("**FAILS** " if cell(r)[1] == "fail" else "", cell(r)[0]))
        label = next((x["summary"]["implementation"] for x in runs if x["name"] == n and x["summary"]), n)
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    out += ["", "The same as one page, with every case some implementation fails: "
            "[matrix.html](matrix.html); as Chromium shows it:", "", "![the matrix page](matrix.png)",
            "", "## Statements", ""]
    for r in runs:
        if r["summary"]:
            out.append("- %s" % r["summary"]["statement"])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def _order(name):
    return (0 if name.startswith("cpython") else 1 if name == "pypy" else 2,
            versions.parse(name.split("-", 1)[1]) if name.startswith("cpython-") else ())


def write_html(path, runs):
    cols = [r for r in sorted(runs, key=lambda r: (_order(r["name"]), r["profile"])) if r["summary"]]
    # Only the cases some implementation fails (or is known to), as
    # JSONTestSuite shows the interesting rows; a cell is the worst status
    # over the peers.
    rank = {"error": 5, "fail": 4, "xpass": 3, "xfail": 2, "pass": 1, "skip": 0}
    grid = {}
    for i, r in enumerate(cols):
        for case, peers in r["summary"].get("cases", {}).items():
            worst = max(peers.values(), key=lambda s: rank[s])
            grid.setdefault(case, {})[i] = worst
    rows = sorted(c for c, v in grid.items() if any(s in ("fail", "xpass", "xfail") for s in v.values()))
    h = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>pyshm conformance matrix</title>',
         "<style>body{font:14px sans-serif;margin:24px}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:3px 6px}th.v{writing-mode:vertical-rl;"
         "transform:rotate(180deg);white-space:nowrap}td.c{width:18px;height:18px}"
         ".legend span{display:inline-block;width:14px;height:14px;margin:0 4px 0 12px;"
         "vertical-align:middle}</style></head><body>",
         "<h1>pyshm conformance matrix</h1>",
         "<p>Verdicts are what CPython does in the implementation's place (profile <b>cpython</b>) "
         "or the SPEC's decisions where CPython has a known defect (profile <b>strict</b>).</p>",
         "<table><tr><th>implementation</th><th>profile</th><th>verdict</th></tr>"]
    for r in cols:
        text, kind = cell(r)
        h.append('<tr><td>%s</td><td>%s</td><td style="color:%s">%s</td></tr>' % (
            html.escape(r["summary"]["implementation"]), r["profile"], COLORS[kind], html.escape(text)))
    h.append("</table><p class=legend>")
    for k, label in (("pass", "passes"), ("xfail", "known deviation"), ("fail", "fails"),
                     ("xpass", "known deviation that passed"), ("skip", "skipped")):
        h.append('<span style="background:%s"></span>%s' % (COLORS[k], label))
    h.append("</p><h2>Cases some implementation fails (%d)</h2><table><tr><th>case</th>" % len(rows))
    for r in cols:
        h.append('<th class=v>%s · %s</th>' % (html.escape(r["summary"]["implementation"]), r["profile"]))
    h.append("</tr>")
    for case in rows:
        h.append("<tr><td>%s</td>" % html.escape(case))
        for i in range(len(cols)):
            s = grid[case].get(i)
            h.append('<td class=c title="%s" style="background:%s"></td>' % (
                s or "not run", COLORS.get(s, "#fff")))
        h.append("</tr>")
    h.append("</table></body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(h) + "\n")


def screenshot(page, png):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit("matrix: chromium not found (make conformance-matrix installs it)")
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--user-data-dir=" + prof,
                        "--window-size=1400,2400", "--screenshot=" + os.path.abspath(png),
                        "file://" + os.path.abspath(page)],
                       check=True, capture_output=True, timeout=120)
    if not os.path.exists(png) or os.path.getsize(png) < 1000:
        raise SystemExit("matrix: chromium made no screenshot of %s" % page)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--self-only", action="store_true")
    ap.add_argument("--ref")
    ap.add_argument("--pypy")
    ap.add_argument("--pythons", default=os.environ.get("PYTHONS"))
    ap.add_argument("--out", required=True, help="matrix.md, matrix.html, matrix.png")
    ap.add_argument("--work", default=os.path.join(os.path.dirname(HERE), "build", "conformance", "matrix"),
                    help="where each run's reports go")
    ap.add_argument("--screenshot", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true",
                    help="take each run's summary from --work where present (pages only)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    jobs = plan(args)
    if not jobs:
        print("matrix: no CPython found", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(args.jobs) as ex:
        runs = list(ex.map(lambda j: judge(*j, work=args.work, pythons=args.pythons, reuse=args.reuse), jobs))
    bad = 0
    for r in runs:
        s = r["summary"]
        print("%s: %s" % ("ok" if r["rc"] == 0 else "NOT OK", s["statement"] if s else r["name"]))
        if args.self_only and r["rc"] != 0:
            bad += 1
            print(r["tail"])
    if args.self_only:
        print("%d passed, %d failed" % (len(runs) - bad, bad))
        return 1 if bad else 0
    write_markdown(os.path.join(args.out, "matrix.md"), runs)
    write_html(os.path.join(args.out, "matrix.html"), runs)
    if args.screenshot:
        screenshot(os.path.join(args.out, "matrix.html"), os.path.join(args.out, "matrix.png"))
    print("matrix: %s" % os.path.join(args.out, "matrix.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
