"""The harness tests itself: deliberately wrong adapters must FAIL, with a
message that explains the difference. Each is a case of group "selftest"
that passes only when the wrong adapter is caught."""
import os

from . import runner
from .report import Result

HERE = os.path.dirname(os.path.abspath(__file__))
WRONG = os.path.join(HERE, "..", "adapters", "wrong", "adapter.py")

# mode -> (cases to run, words the failure (its cause or detail) must contain)
MODES = {
    "nul": ({"layout/str-trailing-nul-8", "layout/bytes-nuls-9", "layout/all-types"},
            "trailing NULs not stripped"),
    "header": ({"layout/int-1", "layout/str-len-9", "layout/all-types"}, "offsets[0]"),
    # ShareableList declared, `err Unsupported` to it: a failure, not a skip.
    "listless": ({"errors/get-index-3", "cross/int-to-str-by-impl"},
                 "declares ShareableList but answers `err Unsupported`"),
    # A failed create that leaves its block: the blocks after each step.
    "leaky": ({"errors/shm-create-size-0"}, "leaves a block CPython does not leave"),
}


def blind_case_check(peer, oracles, reporter, groups):
    """An adapter that answers `ok` to everything must fail every case it
    takes part in: a case it passes checks nothing."""
    label = runner.peer_label(peer[0])
    cases = [c for c in runner.load_cases() if c.group in groups]
    rs = []
    runner.judge("wrong-blind", peer[1] + [WRONG, "blind"], peer, peer, cases, "cpython",
                 oracles, rs.append)
    passed = [r.case_id for r in rs if r.status == "pass"]
    judged = [r for r in rs if r.status != "skip"]
    reporter.add(Result("harness", label, "selftest", "every-case-catches-a-blind-adapter",
                        "fail" if passed or not judged else "pass",
                        "cases a blind adapter passes (they check nothing): %s" % ", ".join(passed)
                        if passed else "%d of %d cases caught it (%d skipped)" % (
                            len(judged), len(rs), len(rs) - len(judged))))


def run(peer, oracles, reporter):
    """peer: (version, argv) of a CPython 3.9+; the wrong adapters run under
    the interpreter running the harness, with that same CPython as oracle."""
    label = runner.peer_label(peer[0])
    cases = runner.load_cases()
    for mode, (names, must_say) in MODES.items():
        rs = []
        picked = [c for c in cases if c.id in names]
        runner.judge("wrong-" + mode, peer[1] + [WRONG, mode], peer, peer, picked, "cpython",
                     oracles, rs.append)
        fails = [r for r in rs if r.status == "fail"]
        explained = [r for r in fails if must_say in r.why() + "\n" + r.detail]
        name = "wrong-adapter-%s-is-caught" % mode
        if explained and len(rs) == len(names):
            first = explained[0]
            res = Result("harness", label, "selftest", name, "pass",
                         "caught in %d of %d cases; e.g. %s:\n%s" % (
                             len(fails), len(rs), first.name, first.detail.split("\nsteps before")[0]))
        else:
            res = Result("harness", label, "selftest", name, "fail",
                         "the wrong adapter (%s) was not caught with an explanation containing %r; "
                         "results: %s" % (mode, must_say,
                                          "; ".join("%s=%s %s" % (r.name, r.status, r.detail[:300])
                                                    for r in rs)))
        reporter.add(res)
