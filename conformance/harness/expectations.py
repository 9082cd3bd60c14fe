"""Expectations files: the cases an implementation is known to fail, each
with a reason, as web-platform-tests and test262 keep them per engine.

    # comment
    GROUP/CASE [on SELECTORS] -- reason

CASE may use shell wildcards for a family of cases (`layout/random-*`,
`lifecycle/order-*`, `defects/image-format-*`); a pattern that names no
case of the suite is an error. SELECTORS (versions.py) name the CPython
*peers* the entry applies to (`on 3.8-3.12`, `on py39`), not the version
the implementation claims: the same case may fail against some peers only;
without them, every peer. `other-layout` selects the peers whose layout
generation is not that of the CPython in the implementation's place: where
an implementation that reads both layouts parts from the CPython it claims
to be, whichever that is. Vectors (group `vectors`) have no peer: `on` is
ignored.
A run with expectations passes when its failures are exactly these: a new
failure fails it, and so does an expected failure that passed."""
import fnmatch
import re

from . import versions

LINE = re.compile(r"^(?P<case>\S+)(?:\s+on\s+(?P<on>\S+))?\s+--\s+(?P<why>.+)$")


OTHER_LAYOUT = "other-layout"


class Entry:
    def __init__(self, pattern, on, why, where):
        self.pattern, self.on_text, self.why, self.where = pattern, on, why, where
        words = [w.strip() for w in (on or "").split(",") if w.strip()]
        self.other_layout = OTHER_LAYOUT in words
        rest = ",".join(w for w in words if w != OTHER_LAYOUT)
        self.on = versions.selectors(rest) if rest else (lambda v: not words)
        self.used = False

    def matches(self, case_id, peer_version, oracle_version=None):
        if not fnmatch.fnmatchcase(case_id, self.pattern):
            return False
        if peer_version is None:
            return True
        if self.other_layout and oracle_version is not None and \
                versions.generation(peer_version) != versions.generation(oracle_version):
            return True
        return self.on(peer_version)


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


def apply(entries, results, peer_version_of, oracle_version_of=lambda label: None):
    """Marks results: a failure an entry expects becomes "xfail"; a pass it
    expected to fail becomes "xpass" (which fails the run). oracle_version_of:
    the version of the CPython in the implementation's place against a peer."""
    for r in results:
        if r.status not in ("pass", "fail"):
            continue
        pv = peer_version_of(r.peer)
        ov = oracle_version_of(r.peer)
        hit = next((e for e in entries if e.matches("%s/%s" % (r.group, r.name), pv, ov)), None)
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
