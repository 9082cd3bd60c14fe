#!/usr/bin/env python3
"""The results pages (matrix.py), made from recorded runs in a second:
every link resolves, each cell links to its run's page and lists its
failing cases and causes, statuses read without colour (symbols, and
colours of WCAG AA contrast), headers are sticky, the legend explains the
profiles, the pyshm module has its row, values show their repr; and the
checks themselves fail on a broken summary.json and on a broken link.

  python3 conformance/tests/test_matrix_pages.py            the tests
  python3 conformance/tests/test_matrix_pages.py --record   records the
      fixtures again (fixtures/matrix/): real runs of every kind of
      implementation, narrowed to one peer (3.12) and three groups, and one run
      that cannot be judged (an adapter of protocol version 1)
"""
import argparse
import contextlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

CONF = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(CONF)
sys.path.insert(0, CONF)
import matrix  # noqa: E402
from harness import discover, links, pages, report  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "matrix")


def make_pages(work, out, *extra):
    """matrix.py --pages-from: (exit status, its stdout and stderr)."""
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        rc = matrix.main(["--pages-from", work, "--out", out] + list(extra))
    return rc, o.getvalue() + e.getvalue()


def verdict_cells(text):
    """{row label: [the HTML of each cell]} of matrix.html's verdict table."""
    table = text[text.index('<table class="verdicts">'):]
    table = table[:table.index("</table>")]
    rows = {}
    for row in table.split("<tr>")[2:]:
        label = re.search(r'<th scope="row"><b>(.*?)</b>', row).group(1)
        rows[html.unescape(label)] = re.findall(r'<td class="[^"]*">(.*?)</td>', row)
    return rows


class Pages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="matrix-pages-")
        cls.out = os.path.join(cls.tmp, "out")
        rc, cls.said = make_pages(FIXTURES, cls.out)
        if rc != 0:
            raise AssertionError("matrix.py --pages-from the fixtures exited %d:\n%s" % (rc, cls.said))
        with open(os.path.join(FIXTURES, matrix.INDEX)) as f:
            cls.index = json.load(f)
        with open(os.path.join(cls.out, "matrix.html"), encoding="utf-8") as f:
            cls.html = f.read()
        cls.runs = matrix.load(FIXTURES, cls.index, lambda t: t)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def all_pages(self):
        return [os.path.join(d, f) for d, _, fs in os.walk(self.out) for f in sorted(fs)
                if f.endswith((".html", ".md"))]

    def test_fixtures_hold_every_kind_of_run(self):
        kinds = {(r["kind"], r["profile"]) for r in self.runs if r["summary"]}
        for k in ("cpython", "pypy", "ref", "module"):
            for p in pages.PROFILES:
                self.assertIn((k, p), kinds)
        self.assertTrue([r for r in self.runs if r["summary"] is None], "no run that cannot be judged")
        statuses = {st for r in self.runs if r["summary"] for x in r["summary"]["results"]
                    for st in [x["status"]]}
        self.assertTrue({"pass", "fail", "xfail", "skip"} <= statuses, statuses)

    def test_every_link_resolves(self):
        problems, n = links.check(self.all_pages())
        self.assertEqual(problems, [])
        judged = [r for r in self.runs if r["summary"]]
        self.assertGreater(n["links"], 40 * len(judged))
        self.assertIn("0 broken", self.said)

    def test_each_cell_links_to_its_run_and_lists_its_failing_cases_and_causes(self):
        rows = verdict_cells(self.html)
        for r in self.runs:
            s = r["summary"]
            label = s["implementation"] if s else r["row"]
            self.assertIn(label, rows)
            cell = rows[label][pages.PROFILES.index(r["profile"])]
            if s is None:
                self.assertIn("could not be judged", cell)
                self.assertIn("protocol version 1", cell)
                continue
            self.assertIn('href="runs/%s.html"' % r["id"], cell)
            self.assertIn('href="runs/%s.md"' % r["id"], cell)
            for field in ("causes", "known_causes"):
                if s[field]:
                    self.assertIn("<details>", cell)
                for i, c in enumerate(s[field], 1):
                    self.assertIn(pages._v(c["cause"]), cell)
                    self.assertIn('runs/%s.html#%s-%d"' % (r["id"], "cause" if field == "causes" else "known", i),
                                  cell)
                    for case in c["ids"]:
                        self.assertIn('href="runs/%s.html%s"' % (r["id"], pages.case_href(case)), cell)

    def test_run_pages_name_each_failing_case_with_its_cause(self):
        for r in self.runs:
            s = r["summary"]
            if not s:
                continue
            text = self.page("runs/%s.html" % r["id"])
            self.assertIn(pages._e(s["statement"]).split(" (")[0], text)
            for x in s["results"]:
                if x["status"] in ("fail", "xfail", "xpass", "error"):
                    self.assertIn('id="%s"' % pages._e(pages.case_anchor(x["case"])), text)
                    self.assertIn(pages._v(x["why"]), text)

    def test_statuses_read_without_colour(self):
        symbols = [v[0] for v in pages.STATUS.values()]
        self.assertEqual(len(set(symbols)), len(symbols), "two statuses share a symbol")
        cells = re.findall(r'<td class="s-(\w+)"[^>]*>(?:<a [^>]*>)?([^<]*)', self.html)
        self.assertTrue(cells)
        for status, text in cells:
            self.assertEqual(text, pages.STATUS[status][0], status)
        for sym, words, _, _ in pages.STATUS.values():
            self.assertIn("%s</span>%s" % (sym, pages._e(words)), self.html)  # the legend

    def test_colours_have_wcag_aa_contrast(self):
        pairs = [(fg, bg) for _, _, fg, bg in pages.STATUS.values()]
        pairs += [(pages.TEXT, pages.PAGE), (pages.LINK, pages.PAGE), (pages.MUTED, pages.PAGE),
                  (pages.TEXT, "#f0f0f0"), (pages.LINK, "#f0f0f0")]  # header cells
        for fg, bg in pairs:
            self.assertGreaterEqual(contrast(fg, bg), 4.5, "%s on %s" % (fg, bg))

    def test_headers_are_sticky(self):
        css = pages.css()
        self.assertRegex(css, r"thead th\{position:sticky;top:0")
        self.assertRegex(css, r"tbody th\{position:sticky;left:0")
        self.assertIn("<thead>", self.html)

    def test_legend_says_what_the_profiles_are_and_why_cpython_fails_strict(self):
        for words in ("profile cpython", "profile strict", "why CPython fails strict",
                      "known defects", "cpython#88336"):
            self.assertIn(words, self.html)
        self.assertIn('href="%s"' % os.path.relpath(matrix.SPEC, self.out), self.html)

    def test_the_module_has_a_row_of_its_own_judged_with_its_expectations(self):
        mod = [r for r in self.runs if r["kind"] == "module"]
        self.assertEqual(sorted(r["profile"] for r in mod), sorted(pages.PROFILES))
        for r in mod:
            self.assertTrue(r["summary"]["implementation"].startswith("pyshm-python-"))
            self.assertTrue(r["expect"].startswith("conformance/expectations/pyshm-python"))
            self.assertIn("ref/python/adapter.py", " ".join(r["summary"]["adapter"]))
        self.assertIn(pages.KINDS["module"], self.html)

    def test_values_are_shown_as_python_repr_beside_their_hex(self):
        text = "".join(self.page("runs/%s.html" % r["id"]) for r in self.runs if r["summary"])
        self.assertRegex(text, r"str:(?:[0-9a-f]{2})+ \(&#x27;")
        self.assertRegex(text, r"bytes:(?:[0-9a-f]{2})* \(b&#x27;")
        md = "".join(self.page("runs/%s.md" % r["id"]) for r in self.runs if r["summary"])
        self.assertRegex(md, r"str:(?:[0-9a-f]{2})+ \('")
        cases = {
            "str:c3a9c3a9": "str:c3a9c3a9 ('\u00e9\u00e9')",
            "float:bff0000000000000": "float:bff0000000000000 (-1.0)",
            "float:8000000000000000": "float:8000000000000000 (-0.0)",
            "float:7ff8000000000001": "float:7ff8000000000001 (nan)",
            "bytes:00ff": "bytes:00ff (b'\\x00\\xff')",
            "str:ff": "str:ff ('\\udcff')",
            "str:": "str: ('')",
            "str:61c3... cut": "str:61c3... ('a'...) cut",
            "int:5 none bool:1": "int:5 none bool:1",
            "float:12": "float:12",
        }
        for word, want in cases.items():
            self.assertEqual(report.annotate(word), want)

    def test_markdown_matrix_links_each_cell_to_its_report(self):
        md = self.page("matrix.md")
        for r in self.runs:
            if r["summary"]:
                self.assertIn("](runs/%s.md)" % r["id"], md)
        self.assertNotIn("matrix.png", md)  # no screenshot taken here

    def test_no_path_of_the_recording_machine(self):
        for p in self.all_pages():
            with open(p, encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"/(root|home)/[^ ]*\.pyenv", p)


class TheChecksCanFail(unittest.TestCase):
    """The page generation and the link check, on broken inputs."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="matrix-broken-")
        self.work = os.path.join(self.tmp, "work")
        shutil.copytree(FIXTURES, self.work)
        self.out = os.path.join(self.tmp, "out")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def a_judged_run(self):
        with open(os.path.join(self.work, matrix.INDEX)) as f:
            return next(r for r in json.load(f)["runs"] if r["rc"] in (0, 1) and r["kind"] == "pypy")

    def test_a_summary_without_its_numbers_is_refused_naming_file_and_key(self):
        r = self.a_judged_run()
        path = os.path.join(self.work, r["id"], "summary.json")
        with open(path) as f:
            s = json.load(f)
        del s["numbers"]
        with open(path, "w") as f:
            json.dump(s, f)
        rc, said = make_pages(self.work, self.out)
        self.assertEqual(rc, 1, said)
        self.assertIn(path, said)
        self.assertIn("'numbers' is missing", said)

    def test_a_summary_of_an_unknown_status_is_refused(self):
        r = self.a_judged_run()
        path = os.path.join(self.work, r["id"], "summary.json")
        with open(path) as f:
            s = json.load(f)
        s["results"][0]["status"] = "passed"
        with open(path, "w") as f:
            json.dump(s, f)
        rc, said = make_pages(self.work, self.out)
        self.assertEqual(rc, 1, said)
        self.assertIn("unknown status 'passed'", said)

    def test_a_missing_run_page_is_a_broken_link(self):
        self.assertEqual(make_pages(self.work, self.out)[0], 0)
        r = self.a_judged_run()
        os.unlink(os.path.join(self.out, "runs", "%s.html" % r["id"]))
        problems, _ = links.check([os.path.join(self.out, "matrix.html"), os.path.join(self.out, "matrix.md")])
        self.assertTrue(any("runs/%s.html: no such file" % r["id"] in p for p in problems), problems)

    def test_a_link_to_a_missing_case_is_a_broken_link(self):
        self.assertEqual(make_pages(self.work, self.out)[0], 0)
        page = os.path.join(self.out, "matrix.html")
        with open(page, encoding="utf-8") as f:
            text = f.read()
        broken = re.sub(r'(href="runs/[^"#]+\.html#case-)', r"\1no-such-", text, count=1)
        self.assertNotEqual(broken, text)
        with open(page, "w", encoding="utf-8") as f:
            f.write(broken)
        problems, _ = links.check([page])
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("has no element with id 'case-no-such-", problems[0])

    def test_a_missing_report_is_refused(self):
        r = self.a_judged_run()
        os.unlink(os.path.join(self.work, r["id"], "report.md"))
        rc, said = make_pages(self.work, self.out)
        self.assertEqual(rc, 1, said)
        self.assertIn("no report.md", said)


def contrast(fg, bg):
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def lum(c):
        rgb = [int(c[i:i + 2], 16) / 255.0 for i in (1, 3, 5)]
        lin = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def record():
    """Real runs, narrowed, into fixtures/matrix/: summary.json (compact)
    and report.md of each, and the index; paths of this machine tidied."""
    found, _ = discover.interpreters()
    py = {v[:2]: cmd for v, cmd in found}
    if (3, 12) not in py:
        sys.exit("record: needs CPython 3.12")
    pythons = " ".join(py[(3, 12)])
    ref = os.path.join(ROOT, "build", "conformance", "ref-adapter")
    module = os.path.join(ROOT, "build", "python", "3.12")
    if not os.path.exists(ref) or not os.path.isdir(module):
        sys.exit("record: build the reference's adapter and the module first "
                 "(make build/conformance/ref-adapter; PYSHM_ONLY=3.12 make python)")
    work = tempfile.mkdtemp(prefix="matrix-record-")
    try:
        rc = subprocess.run([sys.executable, os.path.join(CONF, "matrix.py"), "--ref", os.path.relpath(ref, ROOT),
                             "--pypy", "pypy3", "--module", "env PYTHONPATH=%s %s ref/python/adapter.py" % (
                                 os.path.relpath(module, ROOT), " ".join(py[(3, 12)])),
                             "--pythons", pythons, "--groups", "defects,errors,buffers", "--work", work,
                             "--out", os.path.join(work, "pages")], cwd=ROOT).returncode
        if rc != 0:
            sys.exit("record: matrix.py exited %d" % rc)
        with open(os.path.join(work, matrix.INDEX)) as f:
            index = json.load(f)
        # A run that cannot be judged, as it comes: an adapter of protocol 1.
        args = argparse.Namespace(
            work=work, exclude_groups=None, pythons=pythons, peers=None, groups="errors")
        wrong = os.path.join(CONF, "adapters", "wrong", "adapter.py")
        index["runs"].append({k: v for k, v in matrix.judge(
            {"id": "wrong-v1-cpython", "row": "wrong-v1", "kind": "other", "profile": "cpython",
             "impl": "%s %s v1" % (sys.executable, wrong), "expect": None}, args, 1, 1).items()
            if k in ("id", "row", "kind", "profile", "expect", "rc", "seconds", "why")})
        tidy = matrix.tidier()
        shutil.rmtree(FIXTURES, ignore_errors=True)
        os.makedirs(FIXTURES)
        for r in index["runs"]:
            if r["why"]:
                r["why"] = tidy(r["why"])
            if r["rc"] not in (0, 1):
                continue
            os.makedirs(os.path.join(FIXTURES, r["id"]))
            with open(os.path.join(work, r["id"], "summary.json")) as f:
                s = matrix.tidied(json.load(f), tidy)
            with open(os.path.join(FIXTURES, r["id"], "summary.json"), "w") as f:
                json.dump(s, f, separators=(",", ":"), sort_keys=True)
                f.write("\n")
            with open(os.path.join(work, r["id"], "report.md")) as f:
                text = tidy(f.read())
            with open(os.path.join(FIXTURES, r["id"], "report.md"), "w") as f:
                f.write(text)
        with open(os.path.join(FIXTURES, matrix.INDEX), "w") as f:
            json.dump(index, f, indent=1)
            f.write("\n")
        print("record: %d runs into %s" % (len(index["runs"]), os.path.relpath(FIXTURES)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        unittest.main()
