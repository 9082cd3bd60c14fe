"""The harness tests itself: deliberately wrong adapters must FAIL, with a
message that explains the difference. Each is a case of group "selftest"
that passes only when the wrong adapter is caught."""
import os
import sys

from . import runner
from .report import Result

HERE = os.path.dirname(os.path.abspath(__file__))
WRONG = os.path.join(HERE, "..", "adapters", "wrong", "adapter.py")

# mode -> (cases to run, words the failure must contain)
MODES = {
    "nul": ({"str-trailing-nul-8", "bytes-nuls-9", "all-types"}, "trailing NULs not stripped"),
    "header": ({"int-1", "str-len-9", "all-types"}, "offsets[0]"),
}


def run(peer_argv, version, reporter):
    results = []
    label = runner.peer_label(version)
    for mode, (names, must_say) in MODES.items():
        rs = runner.run_pair([sys.executable, WRONG, mode], "wrong-" + mode, peer_argv, version,
                             None, groups={"layout"}, only=lambda g, n: n in names)
        fails = [r for r in rs if r.status == "fail"]
        explained = [r for r in fails if must_say in r.detail]
        if explained:
            first = explained[0]
            res = Result("harness", label, "selftest", "wrong-adapter-%s-is-caught" % mode, "pass",
                         "caught in %d of %d cases; e.g. %s:\n%s" % (
                             len(fails), len(rs), first.name, first.detail.split("\nlast exchanges")[0]))
        else:
            res = Result("harness", label, "selftest", "wrong-adapter-%s-is-caught" % mode, "fail",
                         "the wrong adapter (%s) was not caught with an explanation containing %r; "
                         "results: %s" % (mode, must_say,
                                          "; ".join("%s=%s %s" % (r.name, r.status, r.detail[:200]) for r in rs)))
        results.append(res)
        reporter.add(res)
    return results
