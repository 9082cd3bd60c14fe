"""Results, and what is made of them: TAP on stdout; JUnit XML, report.md
and summary.json under --out. All of them are made from one digest of the
results (`digest`), so their numbers are the same numbers.

Statuses: pass, fail, skip, and with an expectations file xfail (a known
failure) and xpass (a known failure that passed: fails the run); error when
the harness could not judge a case (CPython in the implementation's place
failed the scenario, a peer died): the run then cannot conclude.

Counted everywhere alike: passed = pass + xfail (known deviations do not
fail a run), failed = fail + xpass + error, skipped = skip; cases = the sum.
Every skip has a reason; a skip of something the implementation does not
declare (PROTOCOL.md, `hello`) is a case "not run" for that area."""
import codecs
import json
import re
import struct
import threading
from xml.sax.saxutils import escape, quoteattr

from . import core

STATUSES = ("pass", "fail", "skip", "xfail", "xpass", "error")
BAD = ("fail", "xpass", "error")
SUITE_VERSION = "3"  # bump when cases or their verdicts change meaning
AREAS = dict(core.AREAS, harness="harness self-checks")
AREA_ORDER = ("shm", "list", "buffers", "tracker", "py38", "py39", "harness")
CAUSES_SHOWN = 15
DETAIL_LINES = 30  # of a cause's example, in report.md and summary.json


class Result:
    __slots__ = ("impl", "peer", "group", "name", "status", "detail", "seconds", "reason", "cause",
                 "area")

    def __init__(self, impl, peer, group, name, status, detail="", seconds=0.0, reason=None,
                 cause=None, area=None):
        self.impl, self.peer, self.group, self.name = impl, peer, group, name
        self.status, self.detail, self.seconds = status, detail, seconds
        self.reason = reason or (_first(detail) if status == "skip" else None)
        self.cause, self.area = cause, area

    @property
    def case_id(self):
        return "%s/%s" % (self.group, self.name)

    @property
    def id(self):
        return "%s/%s/%s/%s" % (self.impl, self.peer, self.group, self.name)

    def why(self):
        """The one line this result is grouped by: its cause (failures),
        its expectation (known deviations) or its reason (skips)."""
        if self.status == "skip":
            return self.reason or "no reason given"
        if self.status == "xpass":
            return "a known deviation that passes (update the expectations file)"
        if self.status in BAD or self.status == "xfail":
            return self.cause or blur(_first(self.detail.split("\nsteps before it")[0]
                                             .split("\nlast exchanges")[0]))
        return ""


def _first(text):
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    return lines[0].strip() if lines else ""


def blur(text):
    """A line free of a run's names and a peer's exact version."""
    text = re.sub(r"\bcnf[0-9a-f]+_[0-9a-f]+_*", "NAME", text)
    text = re.sub(r"\b(psm|wnsm)_[0-9a-f]{8}\b", "NAME", text)
    text = re.sub(r"\$\d+", "NAME", text)
    text = re.sub(r"cpython-\d+\.\d+\.\d+", "CPython", text)
    return text[:200]


# A value word of the protocol (PROTOCOL.md, "Values") whose hex a reader
# cannot read at sight, possibly cut ("...") by a report's clipping.
_VALUE_WORD = re.compile(r"\b(str|bytes|float):([0-9a-fA-F]*)(\.\.\.)?")


def _value_repr(kind, hexdigits, cut):
    """Python's repr of a value word's value; None when it has none (a
    float of other than 16 digits). A cut word shows the repr of its whole
    bytes, then "..."."""
    data = bytes.fromhex(hexdigits[:len(hexdigits) - len(hexdigits) % 2])
    if kind == "float":
        if cut or len(hexdigits) != 16:
            return None
        return repr(struct.unpack(">d", data)[0])
    if kind == "bytes":
        return repr(data) + ("..." if cut else "")
    # str: as the harness reads it (values.parse): bytes that are not UTF-8
    # show as \udcXX; a cut word drops a character cut in two.
    dec = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    return repr(dec.decode(data, final=not cut)) + ("..." if cut else "")


def annotate(text):
    """text with Python's repr beside each str, bytes and float value word:
    `str:c3a9 ('é')`, `float:bff0000000000000 (-1.0)`, `bytes:00ff (b'\\x00\\xff')`."""
    def one(m):
        r = _value_repr(m.group(1), m.group(2), bool(m.group(3)))
        return m.group(0) if r is None else "%s (%s)" % (m.group(0), r)
    return _VALUE_WORD.sub(one, text)


def _junit_word(s):
    """JUnit tools split class names at dots: none inside a label."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", s)


def tally(results):
    c = dict.fromkeys(STATUSES, 0)
    for r in results:
        c[r.status] += 1
    return c


def numbers(results):
    """The counts every output shows."""
    c = tally(results)
    return {"cases": len(results), "passed": c["pass"] + c["xfail"], "known": c["xfail"],
            "failed": c["fail"] + c["xpass"] + c["error"], "skipped": c["skip"],
            "errors": c["error"], "unexpected_passes": c["xpass"],
            # cases of the implementation itself that ran (the harness's
            # self-checks alone are no verdict on it)
            "executed": sum(1 for r in results if r.status != "skip" and r.impl != "harness")}


def peer_key(label):
    """Peers in version order (cpython-3.8.18 before cpython-3.10.13), others last."""
    tail = label.rsplit("-", 1)[-1]
    try:
        return tuple(int(x) for x in tail.split("."))
    except ValueError:
        return (999,)


def _grouped(results, statuses):
    """[{cause, cases, peers, example, ids, detail}] by cause, most cases first."""
    groups = {}
    for r in results:
        if r.status in statuses:
            groups.setdefault(r.why(), []).append(r)
    out = []
    for why, rs in groups.items():
        peers = sorted({r.peer for r in rs}, key=peer_key)
        ids = sorted({r.case_id for r in rs})
        out.append({"cause": why, "cases": len(rs), "peers": peers,
                    "example": "%s on %s" % (rs[0].case_id, rs[0].peer), "ids": ids,
                    "detail": rs[0].detail})
    return sorted(out, key=lambda g: (-g["cases"], g["cause"]))


def digest(run, results):
    """Everything the outputs say, computed once."""
    n = numbers(results)
    covered, not_run = {}, {}
    for r in results:
        if r.status == "skip":
            if r.area:
                not_run[r.area] = not_run.get(r.area, 0) + 1
        else:
            a = "harness" if r.impl == "harness" else (r.area or "shm")
            covered[a] = covered.get(a, 0) + 1
    skips = {}
    for r in results:
        if r.status == "skip":
            skips[r.why()] = skips.get(r.why(), 0) + 1
    return {
        "numbers": n,
        "covered": [(a, covered[a]) for a in AREA_ORDER if a in covered],
        "not_run": [(a, not_run[a]) for a in AREA_ORDER if a in not_run],
        "causes": _grouped(results, BAD),
        "known": _grouped(results, ("xfail",)),
        "skips": sorted(skips.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def verdict(n):
    """A run's verdict from its numbers: "cannot" (no case executed, or
    cases the harness could not judge), "fail" or "pass". The statement,
    the pages and run.py's exit status all go by it."""
    if not n["executed"] or n["errors"]:
        return "cannot"
    return "fail" if n["failed"] else "pass"


def statement(run, d):
    """The sentence a validator quotes: the verdict, what was covered and
    what was not, the counts, and the first cause of failure."""
    n = d["numbers"]
    words = {"pass": "conforms to", "fail": "does NOT conform to",
             "cannot": "CANNOT BE JUDGED (%s) for" % (
                 "%d harness errors" % n["errors"] if n["executed"] else "no case executed")}
    s = "**%s %s CPython %s, profile %s,** for %s" % (
        run["implementation"], words[verdict(n)], run["matches_label"], run["profile"],
        ", ".join("%s (%s)" % (AREAS[a], plural(k, "case")) for a, k in d["covered"]) or "nothing")
    for a, k in d["not_run"]:
        s += "; %s not implemented (%s not run)" % (AREAS[a], plural(k, "case"))
    s += ": %s, %d passed" % (plural(n["cases"], "case"), n["passed"])
    if n["known"]:
        s += " (%d known deviations, %s)" % (n["known"], run.get("expectations") or "-")
    s += ", %s%d failed%s, %d skipped" % ("**" if n["failed"] else "", n["failed"],
                                          "**" if n["failed"] else "", n["skipped"])
    if d["causes"]:
        top = d["causes"][0]
        s += "; cause: %s (%s, e.g. %s%s)" % (
            top["cause"], plural(top["cases"], "case"), top["example"],
            "; and %s" % plural(len(d["causes"]) - 1, "other cause") if len(d["causes"]) > 1 else "")
    return s + ". Peers: %s." % (", ".join(run["peers"]) or "none")


def plural(k, word):
    return "%d %s%s" % (k, word, "" if k == 1 else "s")


def plain(text):
    return text.replace("**", "")


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def tap(out, results, verbose):
    """TAP for every result, in a stable order (after expectations)."""
    out.write("TAP version 13\n")
    listed = 0
    for n, r in enumerate(results, 1):
        if r.status in ("pass", "xfail"):
            if verbose:
                out.write("ok %d - %s%s\n" % (n, r.id, " # TODO known failure" if r.status == "xfail" else ""))
                listed += 1
        elif r.status == "skip":
            if verbose:
                out.write("ok %d - %s # SKIP %s\n" % (n, r.id, r.why()))
                listed += 1
        else:
            out.write("not ok %d - %s%s\n" % (n, r.id, {"xpass": " (expected to fail, passed)",
                                                       "error": " (could not be judged)"}.get(r.status, "")))
            for line in r.detail.splitlines()[:40]:
                out.write("  # %s\n" % line)
            listed += 1
    if not verbose:
        out.write("# %d passing, known-failing and skipped cases not listed (-v lists them)\n"
                  % (len(results) - listed))
    out.write("1..%d\n" % len(results))
    out.flush()


def causes_text(d, limit=CAUSES_SHOWN):
    """For the terminal: the causes of failure and the reasons for skips."""
    lines = []
    for g in d["causes"][:limit]:
        lines.append("cause: %s -- %d cases on %s; e.g. %s" % (
            g["cause"], g["cases"], ", ".join(g["peers"]), g["example"]))
    if len(d["causes"]) > limit:
        lines.append("... and %d more causes (report.md)" % (len(d["causes"]) - limit))
    for why, k in d["skips"][:limit]:
        lines.append("skipped: %s -- %d cases" % (why, k))
    return lines


def summary_line(d):
    n = d["numbers"]
    return "%d passed, %d failed, %d skipped" % (n["passed"], n["failed"], n["skipped"])


def junit(path, results):
    suites = {}
    for r in results:
        suites.setdefault((r.impl, r.peer, r.group), []).append(r)
    n = numbers(results)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<testsuites tests="%d" failures="%d" skipped="%d">' % (n["cases"], n["failed"], n["skipped"])]
    for (impl, peer, group), rs in sorted(suites.items()):
        cls = "conformance.%s.%s.%s" % (_junit_word(impl), _junit_word(peer), group)
        k = numbers(rs)
        lines.append('  <testsuite name=%s tests="%d" failures="%d" skipped="%d" time="%.3f">' % (
            quoteattr(cls), k["cases"], k["failed"], k["skipped"], sum(r.seconds for r in rs)))
        for r in rs:
            lines.append('    <testcase classname=%s name=%s time="%.3f">' % (
                quoteattr(cls), quoteattr(r.name), r.seconds))
            if r.status in BAD:
                lines.append('      <failure message=%s>%s</failure>' % (
                    quoteattr(r.why()), escape(r.detail)))
            elif r.status == "skip":
                lines.append('      <skipped message=%s>%s</skipped>' % (
                    quoteattr(r.why()), escape(r.detail)))
            elif r.status == "xfail":
                lines.append('      <system-out>%s</system-out>' % escape(r.detail))
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def markdown(path, run, results, groups, d):
    """Opens with the statement, the causes and the reasons for skips (the
    part before the second `## ` heading is what CI summaries show); the
    details follow."""
    out = [statement(run, d), ""]
    for note in run["notes"]:
        out.append("- " + note)
    out += ["", "## Causes", ""]
    if d["causes"]:
        out += ["| cause | cases | peers | example |", "|---|---|---|---|"]
        for g in d["causes"][:CAUSES_SHOWN]:
            out.append("| %s | %d | %s | `%s` |" % (_cell(g["cause"]), g["cases"], ", ".join(g["peers"]),
                                                   g["example"]))
        if len(d["causes"]) > CAUSES_SHOWN:
            out.append("| ... %d more causes, below | | | |" % (len(d["causes"]) - CAUSES_SHOWN))
    else:
        out.append("No unexpected result.")
    out.append("")
    if d["skips"]:
        out += ["| skipped because | cases |", "|---|---|"]
        out += ["| %s | %d |" % (_cell(why), k) for why, k in d["skips"][:CAUSES_SHOWN]]
        if len(d["skips"]) > CAUSES_SHOWN:
            out.append("| ... %d more reasons (summary.json) | |" % (len(d["skips"]) - CAUSES_SHOWN))
        out.append("")
    if d["known"]:
        out.append("Known deviations: %d cases, %d distinct (listed below)." % (
            d["numbers"]["known"], len(d["known"])))
        out.append("")
    out += ["## By group and peer", "",
            "Cells: passed / failed / skipped (known deviations in brackets). %.1f s." % run["seconds"], ""]
    peers = sorted({r.peer for r in results}, key=peer_key)
    out.append("| group | " + " | ".join(peers) + " |")
    out.append("|---|" + "---|" * len(peers))
    for g in groups:
        cells = []
        for p in peers:
            rs = [r for r in results if r.peer == p and r.group == g]
            if not rs:
                cells.append("-")
                continue
            k = numbers(rs)
            cell = "%d / %d / %d" % (k["passed"] - k["known"], k["failed"], k["skipped"])
            if k["known"]:
                cell += " [%d]" % k["known"]
            cells.append("**%s**" % cell if k["failed"] else cell)
        if any(x != "-" for x in cells):
            out.append("| %s | %s |" % (g, " | ".join(cells)))
    out.append("")
    for title, items in (("Unexpected results, by cause", d["causes"]),
                         ("Known deviations, by cause", d["known"])):
        if not items:
            continue
        out += ["## %s" % title, ""]
        for g in items:
            ids = g["ids"]
            out.append("### %s" % annotate(g["cause"]))
            out.append("")
            out.append("%d cases on %s: %s%s" % (
                g["cases"], ", ".join(g["peers"]), ", ".join("`%s`" % i for i in ids[:10]),
                " and %d more (summary.json lists them)" % (len(ids) - 10) if len(ids) > 10 else ""))
            out.append("")
            out.append("For example, `%s`:" % g["example"])
            out.append("")
            out += ["    " + annotate(ln) for ln in g["detail"].splitlines()[:DETAIL_LINES]]
            out.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def _cause_entry(g):
    """A cause as summary.json gives it: its cases, and the example's
    transcript as report.md shows it (without the values' reprs)."""
    e = {k: g[k] for k in ("cause", "cases", "peers", "example", "ids")}
    e["detail"] = g["detail"].splitlines()[:DETAIL_LINES]
    return e


def summary(path, run, results, d):
    per_group = {}
    for r in results:
        per_group.setdefault(r.group, dict.fromkeys(STATUSES, 0))[r.status] += 1
    cases = {}
    for r in results:
        cases.setdefault(r.case_id, {})[r.peer] = r.status
    data = dict(run)
    data.update({
        "suite_version": SUITE_VERSION,
        "statement": plain(statement(run, d)),
        "numbers": d["numbers"],
        "counts": tally(results),
        "covered": {AREAS[a]: k for a, k in d["covered"]},
        "not_implemented": {AREAS[a]: k for a, k in d["not_run"]},
        "causes": [_cause_entry(g) for g in d["causes"]],
        "known_causes": [_cause_entry(g) for g in d["known"]],
        "skipped": [{"reason": why, "cases": k} for why, k in d["skips"]],
        "cases": cases,
        "results": [dict(case=r.case_id, peer=r.peer, impl=r.impl, status=r.status,
                         **({"why": r.why()} if r.status != "pass" else {})) for r in results],
        "groups": per_group,
        "failing": sorted({"%s on %s" % (r.case_id, r.peer) for r in results if r.status == "fail"}),
        "unexpected_passes": sorted({"%s on %s" % (r.case_id, r.peer) for r in results
                                     if r.status == "xpass"}),
        "known_deviations": sorted({"%s on %s" % (r.case_id, r.peer) for r in results
                                    if r.status == "xfail"}),
    })
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


class Reporter:
    """The results of a run, added from the threads that judge cases."""

    def __init__(self):
        self.results = []
        self.lock = threading.Lock()

    def add(self, r):
        with self.lock:
            self.results.append(r)
