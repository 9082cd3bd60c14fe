"""Results, and what is made of them: TAP on stdout as they arrive; at the
end JUnit XML, report.md (opening with a conformance statement) and
summary.json.

Statuses: pass, fail, skip, and with an expectations file xfail (a known
failure) and xpass (a known failure that passed: fails the run); error when
the harness could not judge a case (CPython in the implementation's place
failed the scenario, a peer died): the run then cannot conclude."""
import json
import re
import sys
import threading
from xml.sax.saxutils import escape, quoteattr

STATUSES = ("pass", "fail", "skip", "xfail", "xpass", "error")
BAD = ("fail", "xpass", "error")
SUITE_VERSION = "2"  # bump when cases or their verdicts change meaning


class Result:
    __slots__ = ("impl", "peer", "group", "name", "status", "detail", "seconds")

    def __init__(self, impl, peer, group, name, status, detail="", seconds=0.0):
        self.impl, self.peer, self.group, self.name = impl, peer, group, name
        self.status, self.detail, self.seconds = status, detail, seconds

    @property
    def case_id(self):
        return "%s/%s" % (self.group, self.name)

    @property
    def id(self):
        return "%s/%s/%s/%s" % (self.impl, self.peer, self.group, self.name)


def _junit_word(s):
    """JUnit tools split class names at dots: none inside a label."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", s)


class Reporter:
    def __init__(self, out=sys.stdout, verbose=False):
        self.out, self.verbose = out, verbose
        self.results = []
        self.lock = threading.Lock()

    def add(self, r):
        with self.lock:
            self.results.append(r)

    def tap(self):
        """TAP for every result, in a stable order (after expectations)."""
        out = self.out
        out.write("TAP version 13\n")
        listed = 0
        for n, r in enumerate(self.results, 1):
            if r.status == "pass" or r.status == "xfail":
                if self.verbose:
                    out.write("ok %d - %s%s\n" % (n, r.id, " # TODO known failure" if r.status == "xfail" else ""))
                    listed += 1
            elif r.status == "skip":
                if self.verbose:
                    out.write("ok %d - %s # SKIP %s\n" % (n, r.id, r.detail.splitlines()[0] if r.detail else ""))
                    listed += 1
            else:
                out.write("not ok %d - %s%s\n" % (n, r.id, {"xpass": " (expected to fail, passed)",
                                                           "error": " (could not be judged)"}.get(r.status, "")))
                for line in r.detail.splitlines()[:40]:
                    out.write("  # %s\n" % line)
                listed += 1
        if not self.verbose:
            out.write("# %d passing, known-failing and skipped cases not listed (-v lists them)\n"
                      % (len(self.results) - listed))
        out.write("1..%d\n" % len(self.results))
        out.flush()

    def counts(self, rs=None):
        c = dict.fromkeys(STATUSES, 0)
        for r in self.results if rs is None else rs:
            c[r.status] += 1
        return c

    def junit(self, path):
        suites = {}
        for r in self.results:
            suites.setdefault((r.impl, r.peer, r.group), []).append(r)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
        for (impl, peer, group), rs in sorted(suites.items()):
            cls = "conformance.%s.%s.%s" % (_junit_word(impl), _junit_word(peer), group)
            lines.append('  <testsuite name=%s tests="%d" failures="%d" skipped="%d" time="%.3f">' % (
                quoteattr(cls), len(rs), sum(r.status in BAD for r in rs),
                sum(r.status == "skip" for r in rs), sum(r.seconds for r in rs)))
            for r in rs:
                lines.append('    <testcase classname=%s name=%s time="%.3f">' % (
                    quoteattr(cls), quoteattr(r.name), r.seconds))
                if r.status in BAD:
                    lines.append('      <failure message=%s>%s</failure>' % (
                        quoteattr(r.detail.splitlines()[0] if r.detail else "failed"), escape(r.detail)))
                elif r.status in ("skip", "xfail"):
                    lines.append('      <skipped message=%s/>' % quoteattr(r.detail.splitlines()[0]
                                                                       if r.detail else r.status))
                lines.append("    </testcase>")
            lines.append("  </testsuite>")
        lines.append("</testsuites>")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


def _cause(detail):
    """The first line of a failure, with the peer-specific numbers blurred,
    so one cause seen on several peers is listed once."""
    first = detail.split("\nsteps before it")[0].split("\nlast exchanges")[0]
    return re.sub(r"cpython-\d+\.\d+\.\d+", "CPython", first).strip()


def grouped_failures(results, statuses=BAD):
    """[(case id, cause, [peers], status)] in case order."""
    groups = {}
    for r in results:
        if r.status in statuses:
            key = (r.case_id, _cause(r.detail), r.status)
            groups.setdefault(key, []).append(r.peer)
    return [(k[0], k[1], peers, k[2]) for k, peers in groups.items()]


def statement(run):
    """The sentence a validator quotes."""
    c = run["counts"]
    verdict = "conforms to" if c["fail"] + c["xpass"] == 0 else "does NOT conform to"
    if not run.get("judged", True):
        verdict = "CANNOT BE JUDGED (no case executed) for"
    elif c["error"]:
        verdict = "CANNOT BE JUDGED (%d harness errors) for" % c["error"]
    s = "**%s %s CPython %s (profile %s)** against CPython peers %s: %d cases, %d passed" % (
        run["implementation"], verdict, run["matches_label"], run["profile"],
        ", ".join(run["peers"]) or "(none)", sum(c.values()), c["pass"])
    if c["xfail"]:
        s += ", %d known deviations (%s)" % (c["xfail"], run["expectations"] or "-")
    if c["fail"]:
        s += ", **%d unexpected failures**" % c["fail"]
    if c["xpass"]:
        s += ", **%d known deviations that passed** (update the expectations file)" % c["xpass"]
    if c["skip"]:
        s += ", %d skipped" % c["skip"]
    return s + "."


def markdown(path, run, results, groups):
    out = ["# Conformance report", "", statement(run), ""]
    for note in run["notes"]:
        out.append("- " + note)
    if run["notes"]:
        out.append("")
    peers = sorted({r.peer for r in results}, key=_vkey)
    out.append("Cells: passed / failed / skipped (known deviations in brackets). %.1f s." % run["seconds"])
    out.append("")
    out.append("| group | " + " | ".join(peers) + " |")
    out.append("|---|" + "---|" * len(peers))
    for g in groups:
        cells = []
        for p in peers:
            rs = [r for r in results if r.peer == p and r.group == g]
            if not rs:
                cells.append("-")
                continue
            k = dict.fromkeys(STATUSES, 0)
            for r in rs:
                k[r.status] += 1
            bad = k["fail"] + k["xpass"] + k["error"]
            cell = "%d / %d / %d" % (k["pass"], bad, k["skip"])
            if k["xfail"]:
                cell += " [%d]" % k["xfail"]
            cells.append("**%s**" % cell if bad else cell)
        if any(x != "-" for x in cells):
            out.append("| %s | %s |" % (g, " | ".join(cells)))
    out.append("")
    for title, statuses in (("Unexpected results", BAD), ("Known deviations", ("xfail",))):
        items = grouped_failures(results, statuses)
        if not items:
            continue
        out += ["## %s" % title, "", "Grouped by case and cause, with the peers each occurs on.", ""]
        for case_id, cause, ps, status in items[:300]:
            out.append("- `%s`%s on %s" % (case_id, " (expected to fail, passed)" if status == "xpass" else "",
                                           ", ".join(sorted(ps, key=_vkey))))
            out += ["  " + ln for ln in ("```\n" + cause[:1500] + "\n```").splitlines()]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def summary(path, run, results):
    per_group = {}
    for r in results:
        per_group.setdefault(r.group, dict.fromkeys(STATUSES, 0))[r.status] += 1
    cases = {}
    for r in results:
        cases.setdefault(r.case_id, {})[r.peer] = r.status
    data = dict(run)
    data.update({
        "cases": cases,
        "suite_version": SUITE_VERSION,
        "groups": per_group,
        "failing": sorted({"%s on %s" % (r.case_id, r.peer) for r in results if r.status == "fail"}),
        "unexpected_passes": sorted({"%s on %s" % (r.case_id, r.peer) for r in results
                                     if r.status == "xpass"}),
        "known_deviations": sorted({"%s on %s" % (r.case_id, r.peer) for r in results
                                    if r.status == "xfail"}),
        "statement": statement(run).replace("**", ""),
    })
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def _vkey(label):
    tail = label.rsplit("-", 1)[-1]
    try:
        return tuple(int(x) for x in tail.split("."))
    except ValueError:
        return (999,)
