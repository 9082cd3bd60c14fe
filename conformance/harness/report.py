"""TAP on stdout as results arrive; JUnit XML and a Markdown matrix at the end."""
import sys
import threading
from xml.sax.saxutils import escape, quoteattr


class Result:
    __slots__ = ("impl", "peer", "group", "name", "status", "detail", "seconds")

    def __init__(self, impl, peer, group, name, status, detail="", seconds=0.0):
        self.impl, self.peer, self.group, self.name = impl, peer, group, name
        self.status, self.detail, self.seconds = status, detail, seconds

    @property
    def id(self):
        return "%s/%s/%s/%s" % (self.impl, self.peer, self.group, self.name)


class Reporter:
    def __init__(self, out=sys.stdout, verbose=True):
        self.out, self.verbose = out, verbose
        self.results = []
        self.lock = threading.Lock()

    def add(self, r):
        with self.lock:
            self.results.append(r)
            n = len(self.results)
            if r.status == "pass":
                if self.verbose:
                    self.out.write("ok %d - %s\n" % (n, r.id))
                    for line in r.detail.splitlines()[:12]:  # e.g. what a self-test caught
                        self.out.write("  # %s\n" % line)
            elif r.status == "skip":
                if self.verbose:
                    self.out.write("ok %d - %s # SKIP %s\n" % (n, r.id, r.detail.splitlines()[0] if r.detail else ""))
            else:
                self.out.write("not ok %d - %s\n" % (n, r.id))
                for line in r.detail.splitlines()[:40]:
                    self.out.write("  # %s\n" % line)
            self.out.flush()

    def counts(self):
        c = {"pass": 0, "fail": 0, "skip": 0}
        for r in self.results:
            c[r.status] += 1
        return c

    def finish_tap(self):
        n = len(self.results)
        if not self.verbose:
            self.out.write("# %d passing and skipped cases not listed (-v lists them)\n"
                           % sum(r.status != "fail" for r in self.results))
        self.out.write("1..%d\n" % n)

    def junit(self, path):
        suites = {}
        for r in self.results:
            suites.setdefault((r.impl, r.peer, r.group), []).append(r)
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
        for (impl, peer, group), rs in sorted(suites.items()):
            lines.append('  <testsuite name=%s tests="%d" failures="%d" skipped="%d" time="%.3f">' % (
                quoteattr("%s.%s.%s" % (impl, peer, group)), len(rs),
                sum(r.status == "fail" for r in rs), sum(r.status == "skip" for r in rs),
                sum(r.seconds for r in rs)))
            for r in rs:
                lines.append('    <testcase classname=%s name=%s time="%.3f">' % (
                    quoteattr("%s.%s.%s" % (impl, peer, group)), quoteattr(r.name), r.seconds))
                if r.status == "fail":
                    lines.append('      <failure message=%s>%s</failure>' % (
                        quoteattr(r.detail.splitlines()[0] if r.detail else "failed"), escape(r.detail)))
                elif r.status == "skip":
                    lines.append('      <skipped message=%s/>' % quoteattr(r.detail))
                lines.append("    </testcase>")
            lines.append("  </testsuite>")
        lines.append("</testsuites>")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def markdown(self, path, groups, seconds):
        peers = sorted({(r.impl, r.peer) for r in self.results}, key=lambda p: (p[0], _vkey(p[1])))
        out = ["# Conformance report", "",
               "Cells: passed / failed / skipped. %d cases in %.1f s." % (len(self.results), seconds), ""]
        impls = sorted({p[0] for p in peers})
        for impl in impls:
            cols = [p[1] for p in peers if p[0] == impl]
            out.append("## %s" % impl)
            out.append("")
            out.append("| group | " + " | ".join(cols) + " |")
            out.append("|---|" + "---|" * len(cols))
            for g in groups:
                cells = []
                for c in cols:
                    rs = [r for r in self.results if r.impl == impl and r.peer == c and r.group == g]
                    if not rs:
                        cells.append("-")
                        continue
                    k = {s: sum(r.status == s for r in rs) for s in ("pass", "fail", "skip")}
                    cell = "%d / %d / %d" % (k["pass"], k["fail"], k["skip"])
                    cells.append("**%s**" % cell if k["fail"] else cell)
                if any(x != "-" for x in cells):
                    out.append("| %s | %s |" % (g, " | ".join(cells)))
            out.append("")
        fails = [r for r in self.results if r.status == "fail"]
        if fails:
            out += ["## Failures", ""]
            for r in fails[:200]:
                out.append("- `%s`" % r.id)
                out += ["  " + ln for ln in ("```\n" + r.detail + "\n```").splitlines()]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")


def _vkey(label):
    tail = label.rsplit("-", 1)[-1]
    try:
        return tuple(int(x) for x in tail.split("."))
    except ValueError:
        return (999,)
