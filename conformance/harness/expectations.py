"""Expectations files: the cases an implementation is known to fail, each
with a reason, as web-platform-tests and test262 keep them per engine.

    # comment
    GROUP/CASE [on SELECTORS] -- reason

CASE may use shell wildcards for a family of cases (`layout/random-*`,
`lifecycle/order-*`, `defects/image-format-*`); a pattern that names no
case of the suite is an error. SELECTORS (versions.py) name the CPython
*peers* the entry applies to (`on 3.8-3.12`, `on py39`), not the version
the implementation claims: the same case may fail against some peers only;
without them, every peer. Vectors (group `vectors`) have no peer: `on` is
ignored.
A run with expectations passes when its failures are exactly these: a new
failure fails it, and so does an expected failure that passed."""
import fnmatch
import re

from . import versions

LINE = re.compile(r"^(?P<case>\S+)(?:\s+on\s+(?P<on>\S+))?\s+--\s+(?P<why>.+)$")


class Entry:
    def __init__(self, pattern, on, why, where):
        self.pattern, self.on_text, self.why, self.where = pattern, on, why, where
        self.on = versions.selectors(on) if on else (lambda v: True)
        self.used = False

    def matches(self, case_id, peer_version):
        if not fnmatch.fnmatchcase(case_id, self.pattern):
            return False
        return peer_version is None or self.on(peer_version)


def load(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = LINE.match(line)
            if not m:
                raise ValueError("%s:%d: expected `GROUP/CASE [on VERSIONS] -- reason`, got %r"
                                 % (path, n, line))
            try:
                entries.append(Entry(m.group("case"), m.group("on"), m.group("why"),
                                     "%s:%d" % (path, n)))
            except ValueError as e:
                raise ValueError("%s:%d: %s" % (path, n, e))
    return entries


def check_known(entries, case_ids):
    """Every entry must name at least one case the suite has (a misspelt id
    would otherwise expect nothing, silently)."""
    bad = [e for e in entries if not any(fnmatch.fnmatchcase(c, e.pattern) for c in case_ids)]
    if bad:
        raise ValueError("; ".join("%s: %s names no case of the suite" % (e.where, e.pattern)
                                   for e in bad))


def apply(entries, results, peer_version_of):
    """Marks results: a failure an entry expects becomes "xfail"; a pass it
    expected to fail becomes "xpass" (which fails the run)."""
    for r in results:
        if r.status not in ("pass", "fail"):
            continue
        pv = peer_version_of(r.peer)
        hit = next((e for e in entries if e.matches("%s/%s" % (r.group, r.name), pv)), None)
        if hit is None:
            continue
        hit.used = True
        if r.status == "fail":
            r.status = "xfail"
            r.detail = "expected (%s): %s\n%s" % (hit.where, hit.why, r.detail)
        else:
            r.status = "xpass"
            r.detail = "expected to fail (%s: %s) but passed" % (hit.where, hit.why)
    return [e for e in entries if not e.used]
