"""The results pages of several runs side by side (matrix.py): matrix.html
and matrix.md, and a page per run (runs/ID.html, with its report.md beside
it as runs/ID.md). Made from each run's summary.json alone, so that pages
can be made again from recorded runs (conformance/tests/test_matrix_pages.py).

A status is a symbol and a word as well as a colour (each colour pair has
WCAG AA contrast, 4.5:1), headers stay in view while a table scrolls, every
cell links to the run's page at that case, and values are shown as their
protocol word and Python's repr of it (report.annotate)."""
import html
import json
import os
from urllib.parse import quote

from . import report as R
from .report import annotate

# status: (symbol, what it means, text colour, background)
STATUS = {
    "pass": ("\u2713", "passes", "#14532d", "#e3f3e6"),
    "xfail": ("\u2248", "a known deviation, listed in the implementation's expectations file",
              "#4d3800", "#fdf0c4"),
    "fail": ("\u2717", "fails", "#ffffff", "#b3261e"),
    "xpass": ("!", "a known deviation that passes (fails the run: the expectations file is out "
                   "of date)", "#ffffff", "#6a1b9a"),
    "error": ("?", "could not be judged (CPython failed the scenario in the implementation's "
                   "place)", "#ffffff", "#202020"),
    "skip": ("\u2013", "skipped, with a reason (not implemented, or a peer cannot take part)",
             "#3d3d3d", "#ececec"),
    "none": ("\u00b7", "not in this run", "#595959", "#ffffff"),
}
# Worst first: the status a cell shows for a case over several peers.
RANK = ("error", "fail", "xpass", "xfail", "pass", "skip")
TEXT, LINK, MUTED, PAGE = "#1a1a1a", "#0b57d0", "#595959", "#ffffff"
PROFILES = ("cpython", "strict")

KINDS = {
    "cpython": "CPython as the implementation, through conformance/adapters/cpython",
    "pypy": "PyPy, through the CPython adapter",
    "ref": "the reference C library, through conformance/adapters/ref",
    "module": "the pyshm Python module, through ref/python/adapter.py",
    "other": "another implementation, through its adapter",
}


class PageError(Exception):
    """A recorded run the pages cannot be made from; the message names it."""


# What the pages read of a summary.json, and the type of each.
_REQUIRED = {"implementation": str, "profile": str, "statement": str, "numbers": dict,
             "causes": list, "known_causes": list, "skipped": list, "results": list,
             "cases": dict, "peers": list, "oracles": dict}
_NUMBERS = ("cases", "passed", "known", "failed", "skipped", "errors", "executed")
_CAUSE = ("cause", "cases", "peers", "example", "ids")


def load_summary(path):
    """A run's summary.json, checked for what the pages use."""
    try:
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        raise PageError("%s: cannot be read: %s" % (path, e))
    what = "%s: not a summary.json of this suite (run.py, protocol 2)" % path
    if not isinstance(s, dict):
        raise PageError("%s: not a JSON object" % what)
    for k, t in _REQUIRED.items():
        if not isinstance(s.get(k), t):
            raise PageError("%s: %r is %s, not a %s" % (what, k, "missing" if k not in s else
                                                         type(s[k]).__name__, t.__name__))
    for k in _NUMBERS:
        if not isinstance(s["numbers"].get(k), int):
            raise PageError("%s: numbers.%s is missing or not an int" % (what, k))
    for field in ("causes", "known_causes"):
        for i, c in enumerate(s[field]):
            if not isinstance(c, dict) or any(k not in c for k in _CAUSE):
                raise PageError("%s: %s[%d] lacks one of %s" % (what, field, i, ", ".join(_CAUSE)))
    for i, r in enumerate(s["results"]):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in ("case", "peer", "status")):
            raise PageError("%s: results[%d] lacks case, peer or status" % (what, i))
        if r["status"] not in STATUS or r["status"] == "none":
            raise PageError("%s: results[%d] has an unknown status %r" % (what, i, r["status"]))
    return s


def verdict(s):
    """(status, words) of a run as a whole."""
    if s is None:
        return "error", "could not be judged"
    return {"cannot": ("error", "cannot be judged"), "fail": ("fail", "does not conform"),
            "pass": ("pass", "conforms")}[R.verdict(s["numbers"])]


def counts(s):
    """As the statement counts: known deviations are among the passed."""
    n = s["numbers"]
    parts = ["%d passed" % n["passed"] + (" (%s)" % R.plural(n["known"], "known deviation") if n["known"] else "")]
    parts.append("%d failed" % n["failed"])
    parts.append("%d skipped" % n["skipped"])
    return parts


def short(run):
    """The implementation's name without its claim: pypy-7.3.11."""
    s = run["summary"]
    return (s["implementation"] if s else run["row"]).split(" ")[0]


def title(run):
    return "%s \u00b7 %s" % (short(run), run["profile"])


def worst(statuses):
    return min(statuses, key=RANK.index) if statuses else "none"


def case_anchor(case):
    return "case-" + case


def case_href(case):
    return "#" + quote(case_anchor(case), safe="/-_.")


def _e(text):
    return html.escape(str(text), quote=True)


def _v(text):
    """Text for a page: values with their repr, escaped."""
    return _e(annotate(str(text)))


def _badge(status, words):
    sym = STATUS[status][0]
    return '<span class="badge s-%s">%s %s</span>' % (status, sym, _e(words))


def css():
    rules = [
        "body{font:14px/1.45 'DejaVu Sans',Verdana,sans-serif;color:%s;background:%s;"
        "margin:0 24px 32px}" % (TEXT, PAGE),
        "a{color:%s}" % LINK,
        "h1{font-size:22px;margin:18px 0 2px}h2{font-size:18px;margin:26px 0 8px}",
        ".meta,.muted{color:%s}" % MUTED,
        "code,pre{font:12.5px/1.4 'DejaVu Sans Mono',monospace}",
        "pre{background:#f6f6f6;border:1px solid #d0d0d0;padding:8px;overflow-x:auto;"
        "white-space:pre-wrap;word-break:break-all}",
        "table{border-collapse:separate;border-spacing:0}",
        "th,td{border-right:1px solid #c8c8c8;border-bottom:1px solid #c8c8c8;padding:4px 7px;"
        "text-align:left;vertical-align:top}",
        "tr>:first-child{border-left:1px solid #c8c8c8}thead th{border-top:1px solid #c8c8c8}",
        # Headers stay in view: the header row while a table scrolls down,
        # the first column while it scrolls sideways.
        "thead th{position:sticky;top:0;z-index:2;background:#f0f0f0}",
        "tbody th{position:sticky;left:0;z-index:1;background:%s;font-weight:normal}" % PAGE,
        "thead th:first-child{left:0;z-index:3}",
        "[id]{scroll-margin-top:14em}",
        ".badge{display:inline-block;padding:1px 7px;border-radius:3px;font-weight:bold;"
        "white-space:nowrap}",
        "td.run{min-width:330px}td.run .counts{margin:3px 0}",
        "details>summary{cursor:pointer}details ol,details ul{margin:4px 0;padding-left:22px}",
        ".ids{font-size:12.5px}.ids a{white-space:nowrap}",
        "table.grid td{text-align:center;padding:2px 0;width:26px;font-weight:bold}",
        "table.grid td a{display:block;text-decoration:none}",
        "table.grid thead th.v{writing-mode:vertical-rl;transform:rotate(180deg);"
        "white-space:nowrap;padding:6px 3px;font-weight:normal}",
        "table.grid tbody th{white-space:nowrap;font-size:13px}",
        "dl.legend dt{font-weight:bold;margin-top:4px}dl.legend dd{margin:0 0 0 18px;max-width:1100px}",
        "ul.symbols{list-style:none;padding:0;margin:8px 0;max-width:1200px}"
        "ul.symbols li{display:inline-block;margin:2px 18px 2px 0}ul.symbols .badge{margin-right:6px}",
        "details.cause{margin:4px 0}details.cause>summary{padding:2px 0}",
    ]
    for k, (_, _, fg, bg) in STATUS.items():
        rules.append(".s-%s{color:%s;background:%s}.s-%s a{color:inherit}" % (k, fg, bg, k))
    return "".join(rules)


def _head(title_text):
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            "<title>%s</title><style>%s</style></head><body>" % (_e(title_text), css()))


def _symbols():
    return '<ul class="symbols">%s</ul>' % "".join(
        '<li><span class="badge s-%s">%s</span>%s</li>' % (k, sym, _e(words))
        for k, (sym, words, _, _) in STATUS.items())


def _causes_by_case(s):
    """{case: {why: [peers]}} of the results that did not pass."""
    out = {}
    for r in s["results"]:
        if r["status"] in ("fail", "xpass", "error", "xfail"):
            out.setdefault(r["case"], {}).setdefault(r.get("why") or "", []).append(r["peer"])
    return out


def _anchors(s):
    """{why: anchor id} of the run's causes and known deviations."""
    a = {}
    for i, c in enumerate(s["causes"], 1):
        a.setdefault(c["cause"], "cause-%d" % i)
    for i, c in enumerate(s["known_causes"], 1):
        a.setdefault(c["cause"], "known-%d" % i)
    return a


def cause_list_id(run, field):
    """The id of a cell's list of causes (a link to it opens its details)."""
    return "%s-%s" % (field.replace("_", "-"), run["id"])


def _cause_list(run, field, prefix, href_base):
    """<ol> of a run's causes (or known deviations), each with its cases."""
    s = run["summary"]
    items = []
    for i, c in enumerate(s[field], 1):
        ids = ", ".join('<a href="%s%s">%s</a>' % (href_base, case_href(x), _e(x)) for x in c["ids"])
        items.append('<li><a href="%s#%s-%d">%s</a> \u2014 %s on %s<div class="ids">%s</div></li>' % (
            href_base, prefix, i, _v(c["cause"]), R.plural(c["cases"], "case"), _e(", ".join(c["peers"])), ids))
    return '<ol id="%s">%s</ol>' % (_e(cause_list_id(run, field)), "".join(items))


def _run_cell(run):
    s = run["summary"]
    status, words = verdict(s)
    if s is None:
        return '<td class="run">%s<div class="counts">%s</div></td>' % (
            _badge(status, words), _e(run.get("why") or "no summary.json was written"))
    page = "runs/%s.html" % run["id"]
    h = ['<td class="run"><a href="%s">%s</a>' % (page, _badge(status, words))]
    h.append('<div class="counts">%s</div>' % _e(" \u00b7 ".join(counts(s))))
    if run["kind"] == "cpython" and run["profile"] == "strict" and status == "fail":
        h.append('<div class="muted">expected: strict refuses CPython\u2019s known defects</div>')
    n = s["numbers"]
    if s["causes"]:
        h.append("<details><summary>%s in %s, %s</summary>%s</details>" % (
            R.plural(n["failed"], "failure"), R.plural(len({x for c in s["causes"] for x in c["ids"]}), "case"),
            R.plural(len(s["causes"]), "cause"),
            _cause_list(run, "causes", "cause", page)))
    if s["known_causes"]:
        h.append("<details><summary>%s in %s, %s</summary>%s</details>" % (
            R.plural(n["known"], "known deviation"), R.plural(len({x for c in s["known_causes"] for x in c["ids"]}), "case"),
            R.plural(len(s["known_causes"]), "reason"),
            _cause_list(run, "known_causes", "known", page)))
    h.append('<div class="muted"><a href="%s">page</a> \u00b7 <a href="runs/%s.md">report.md</a> '
             '\u00b7 %.0f s</div>' % (page, run["id"], run.get("seconds") or 0))
    h.append("</td>")
    return "".join(h)


def _rows(runs):
    """[(row key, {profile: run})] in the runs' order."""
    rows = []
    for r in runs:
        for key, cells in rows:
            if key == r["row"]:
                cells[r["profile"]] = r
                break
        else:
            rows.append((r["row"], {r["profile"]: r}))
    return rows


def _grid(runs):
    """The cases some run did not pass, and each run's worst status on each."""
    cols = [r for r in runs if r["summary"]]
    grid = {}
    for i, r in enumerate(cols):
        for case, peers in r["summary"]["cases"].items():
            grid.setdefault(case, {})[i] = (worst(list(peers.values())), peers)
    rows = sorted(c for c, v in grid.items() if any(st not in ("pass", "skip") for st, _ in v.values()))
    return cols, grid, rows


def _grid_cell(run, case, entry):
    if entry is None:
        sym, words = STATUS["none"][:2]
        return '<td class="s-none" title="%s">%s</td>' % (_e(words), sym)
    st, peers = entry
    sym = STATUS[st][0]
    bad = sorted((p for p, x in peers.items() if x == st), key=R.peer_key)
    tip = "%s on %s" % (st, "every peer (%d)" % len(peers) if len(bad) == len(peers) else "%s (%d of %d peers)" % (
        ", ".join(p.replace("cpython-", "") for p in bad), len(bad), len(peers)))
    if st in ("pass", "skip"):
        return '<td class="s-%s" title="%s">%s</td>' % (st, _e(tip), sym)
    return '<td class="s-%s" title="%s"><a href="runs/%s.html%s">%s</a></td>' % (
        st, _e(tip), run["id"], case_href(case), sym)


LEGEND = (
    "<dl class=\"legend\">"
    "<dt>profile cpython</dt><dd>Each scenario runs twice against the same CPython peer: with the "
    "implementation, and with CPython of the version it claims in its place. A case passes when "
    "everything observed is the same: every reply, every image byte, the errno and filename of "
    "each OSError, the blocks present after each step. CPython\u2019s defects are expected too; "
    "known deviations are those the implementation\u2019s expectations file lists.</dd>"
    "<dt>profile strict</dt><dd>The same, except where CPython has a known defect: there the "
    "decision of <a href=\"%(spec)s\">SPEC.md</a> sections 4\u20135 is expected.</dd>"
    "<dt>why CPython fails strict</dt><dd>Strict refuses exactly CPython\u2019s known defects: a "
    "non-ASCII str cut to its character count (cpython#88336, #145261), a failed create that "
    "leaves its block, a failed int write that zeroes its slot, indexes below \u2212N, corrupt images "
    "answered with MemoryError, KeyError, struct.error or garbage instead of ValueError, a "
    "\u2018/\u2019 in a name, and (3.8\u20133.12) a resource tracker that unlinks a block a process "
    "only attached. So every CPython fails its strict column, by its own defects: the causes in "
    "those cells are the list of them.</dd></dl>")


def matrix_html(runs, meta, out_dir):
    h = [_head("pyshm conformance matrix"), "<h1>pyshm conformance matrix</h1>"]
    h.append('<p class="meta">%s</p>' % _e(meta_line(runs, meta)))
    h.append(LEGEND % {"spec": _e(os.path.relpath(meta["spec"], out_dir))})
    h.append(_symbols())
    h.append('<h2 id="verdicts">Verdicts</h2><table class="verdicts"><thead><tr><th>implementation</th>'
             + "".join("<th>profile %s</th>" % p for p in PROFILES) + "</tr></thead><tbody>")
    for key, cells in _rows(runs):
        any_run = next(iter(cells.values()))
        label = any_run["summary"]["implementation"] if any_run["summary"] else key
        h.append('<tr><th scope="row"><b>%s</b><div class="muted">%s</div></th>' % (
            _e(label), _e(KINDS.get(any_run["kind"], ""))))
        for p in PROFILES:
            h.append(_run_cell(cells[p]) if p in cells else '<td class="muted">not run</td>')
        h.append("</tr>")
    h.append("</tbody></table>")
    cols, grid, rows = _grid(runs)
    h.append('<h2 id="cases">Cases some implementation does not pass (%d)</h2>' % len(rows))
    h.append("<p>A cell is the run\u2019s worst result for the case over its peers (hover for "
             "which); it links to the case in the run\u2019s page. Cases every run passes or skips "
             "are left out.</p>")
    h.append('<table class="grid"><thead><tr><th>case</th>')
    for r in cols:
        h.append('<th class="v"><a href="runs/%s.html">%s</a></th>' % (r["id"], _e(title(r))))
    h.append("</tr></thead><tbody>")
    for case in rows:
        h.append('<tr id="%s"><th scope="row">%s</th>' % (_e("row-" + case), _e(case)))
        h.extend(_grid_cell(r, case, grid[case].get(i)) for i, r in enumerate(cols))
        h.append("</tr>")
    h.append("</tbody></table></body></html>\n")
    return "".join(h), rows


def meta_line(runs, meta):
    judged = [r for r in runs if r["summary"]]
    peers = sorted({p for r in judged for p in r["summary"]["peers"]}, key=R.peer_key)
    return "Made by make conformance-matrix on %s (%s), %d runs in %.1f min; suite version %s; " \
           "peers: %s." % (meta["date"], meta["platform"], len(runs), meta["seconds"] / 60.0,
                           ", ".join(sorted({str(r["summary"].get("suite_version", "?")) for r in judged}))
                           or "?", ", ".join(peers) or "none")


def run_html(run, out_dir):
    s = run["summary"]
    status, words = verdict(s)
    anchors = _anchors(s)
    h = [_head("%s \u00b7 profile %s" % (s["implementation"], run["profile"]))]
    h.append('<p><a href="../matrix.html">conformance matrix</a> \u203a %s \u00b7 <a href="%s.md">'
             "report.md</a></p>" % (_e(title(run)), run["id"]))
    h.append("<h1>%s \u00b7 profile %s</h1>" % (_e(s["implementation"]), _e(run["profile"])))
    h.append('<p>%s &nbsp;%s</p>' % (_badge(status, words), _e(" \u00b7 ".join(counts(s)))))
    h.append("<p>%s</p>" % _v(s["statement"]))
    facts = [("what", KINDS.get(run["kind"], "")), ("adapter", " ".join(s.get("adapter") or [])),
             ("claims", "CPython %s; declares %s; layouts %s" % (
                 s.get("matches", "?"), ", ".join((s.get("declared") or {}).get("features", [])) or "-",
                 ", ".join((s.get("declared") or {}).get("layouts", [])) or "-")),
             ("peers", ", ".join("%s (%s in its place)" % (p, s["oracles"].get(p, "?"))
                                 for p in s["peers"])),
             ("time", "%.1f s" % s.get("seconds", 0))]
    h.append("<table class=\"facts\"><tbody>")
    for k, v in facts:
        h.append("<tr><th scope=\"row\">%s</th><td>%s</td></tr>" % (k, _e(v)))
    if s.get("expectations"):
        target = run["expect_path"]
        h.append('<tr><th scope="row">expectations</th><td><a href="%s">%s</a></td></tr>' % (
            _e(os.path.relpath(target, os.path.join(out_dir, "runs"))), _e(s["expectations"])))
    h.append("</tbody></table>")
    if s.get("notes"):
        h.append("<ul>%s</ul>" % "".join("<li>%s</li>" % _e(n) for n in s["notes"]))
    for field, prefix, head, none in (
            ("causes", "cause", "Causes of failure", "No unexpected result."),
            ("known_causes", "known", "Known deviations", "None.")):
        items = s[field]
        h.append('<h2 id="%s">%s (%d)</h2>' % (prefix + "s", head, len(items)))
        if not items:
            h.append("<p>%s</p>" % none)
        for i, c in enumerate(items, 1):
            h.append('<details class="cause" id="%s-%d"%s><summary><b>%s</b> \u2014 %s on %s</summary>' % (
                prefix, i, " open" if i == 1 else "", _v(c["cause"]), R.plural(c["cases"], "case"),
                _e(", ".join(c["peers"]))))
            h.append('<div class="ids">%s</div>' % ", ".join(
                '<a href="%s">%s</a>' % (case_href(x), _e(x)) for x in c["ids"]))
            if c.get("detail"):
                h.append("<p>For example, <code>%s</code>:</p><pre>%s</pre>" % (
                    _e(c["example"]), _v("\n".join(c["detail"]))))
            h.append("</details>")
    h.append('<h2 id="skipped">Skipped (%d)</h2>' % s["numbers"]["skipped"])
    if s["skipped"]:
        h.append("<table><thead><tr><th>because</th><th>cases</th></tr></thead><tbody>%s</tbody></table>"
                 % "".join("<tr><td>%s</td><td>%d</td></tr>" % (_v(x.get("reason", "")), x.get("cases", 0))
                           for x in s["skipped"]))
    by_case = _causes_by_case(s)
    cases = sorted(by_case)
    peers = s["peers"] + sorted({p for c in cases for p in s["cases"].get(c, {})} - set(s["peers"]))
    h.append('<h2 id="not-passing">Cases that do not pass on some peer (%d)</h2>' % len(cases))
    if cases:
        h.append("<table><thead><tr><th>case</th>%s<th>why</th></tr></thead><tbody>" % "".join(
            "<th>%s</th>" % _e(p) for p in peers))
        for c in cases:
            row = s["cases"].get(c, {})
            cells = []
            for p in peers:
                st = row.get(p, "none")
                cells.append('<td class="s-%s" title="%s">%s</td>' % (st, _e(st if st != "none" else
                                                                           STATUS["none"][1]), STATUS[st][0]))
            whys = "".join('<div><a href="#%s">%s</a>%s</div>' % (
                anchors.get(w, "causes"), _v(w or "(no cause given)"),
                "" if len(ps) == len(row) else " <span class=\"muted\">(%s)</span>" % _e(", ".join(ps)))
                for w, ps in sorted(by_case[c].items()))
            h.append('<tr id="%s"><th scope="row">%s</th>%s<td>%s</td></tr>' % (
                _e(case_anchor(c)), _e(c), "".join(cells), whys))
        h.append("</tbody></table>")
    h.append("</body></html>\n")
    return "".join(h)


def matrix_md(runs, meta, out_dir):
    out = ["# Conformance matrix", "", meta_line(runs, meta), "",
           "Profile `cpython`: the implementation passes a case when everything observed is what "
           "CPython of the version it claims does in its place, defects included (known deviations: "
           "those its expectations file lists). Profile `strict`: the decisions of "
           "[SPEC.md](%s) sections 4\u20135 where CPython has a known defect; CPython fails "
           "it by its own defects, which is expected. Each cell links to its run's report."
           % os.path.relpath(meta["spec"], out_dir), "",
           "| implementation | profile cpython | profile strict |", "|---|---|---|"]
    for key, cells in _rows(runs):
        any_run = next(iter(cells.values()))
        label = any_run["summary"]["implementation"] if any_run["summary"] else key
        row = []
        for p in PROFILES:
            r = cells.get(p)
            if r is None:
                row.append("-")
                continue
            status, words = verdict(r["summary"])
            text = "%s %s" % (STATUS[status][0], words)
            if r["summary"] is None:
                row.append("%s: %s" % (text, (r.get("why") or "").replace("|", "\\|")))
                continue
            cell = "[%s](runs/%s.md): %s" % ("**%s**" % text if status != "pass" else text, r["id"],
                                              ", ".join(counts(r["summary"])))
            if r["summary"]["causes"]:
                cell += "; %s" % R.plural(len(r["summary"]["causes"]), "cause")
            if r["kind"] == "cpython" and r["profile"] == "strict" and status == "fail":
                cell += " (expected: CPython's known defects)"
            row.append(cell)
        out.append("| %s | %s |" % (label, " | ".join(row)))
    out += ["", "Every run's failing cases and causes, and each case against each run: "
            "[matrix.html](matrix.html)%s" % (
                "; as Chromium shows it:\n\n![the matrix page](matrix.png)\n\n"
                "The same page with a cell's causes opened, [matrix-cell.png](matrix-cell.png), and "
                "scrolled down the cases, its header in view, [matrix-cases.png](matrix-cases.png)."
                if meta.get("screenshots")
                else "."), "", "## Statements", ""]
    for r in runs:
        if r["summary"]:
            out.append("- [%s](runs/%s.md): %s" % (title(r), r["id"], r["summary"]["statement"]))
    return "\n".join(out) + "\n"


def write(runs, meta, out_dir, tidy=lambda text: text):
    """Writes matrix.html, matrix.md and each judged run's page and report
    under out_dir (tidy: what each report.md goes through on its way);
    removes the pages (and screenshots) of runs no longer there, and all
    screenshots when there are to be none. The paths of the pages, and the
    cases of the matrix's grid."""
    runs_dir = os.path.join(out_dir, "runs")
    os.makedirs(runs_dir, exist_ok=True)
    keep = set()
    pages = []
    for r in runs:
        if not r["summary"]:
            continue
        if not r.get("report") or not os.path.isfile(r["report"]):
            raise PageError("run %s: no report.md beside its summary.json (%s)" % (r["id"], r.get("report")))
        with open(r["report"], encoding="utf-8") as f:
            report = f.read()
        for name, text in (("%s.html" % r["id"], run_html(r, out_dir)), ("%s.md" % r["id"], tidy(report))):
            _put(os.path.join(runs_dir, name), text)
            keep.add(name)
        pages += [os.path.join(runs_dir, "%s.html" % r["id"]), os.path.join(runs_dir, "%s.md" % r["id"])]
        if meta.get("screenshots"):
            keep.add("%s.png" % r["id"])
    for f in os.listdir(runs_dir):
        if f not in keep and f.endswith((".html", ".md", ".png")):
            os.unlink(os.path.join(runs_dir, f))
    if not meta.get("screenshots"):
        for f in ("matrix.png", "matrix-cases.png", "matrix-cell.png"):
            if os.path.exists(os.path.join(out_dir, f)):
                os.unlink(os.path.join(out_dir, f))
    page, rows = matrix_html(runs, meta, out_dir)
    _put(os.path.join(out_dir, "matrix.html"), page)
    _put(os.path.join(out_dir, "matrix.md"), matrix_md(runs, meta, out_dir))
    return [os.path.join(out_dir, "matrix.html"), os.path.join(out_dir, "matrix.md")] + pages, rows


def _put(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
