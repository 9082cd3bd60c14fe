#!/usr/bin/env python3
"""Runs the conformance suite: an implementation, through its adapter,
against every CPython found as a peer; its verdicts are what CPython itself
does in the implementation's place.

  python3 conformance/run.py [--impl CMD] [--profile cpython|strict]
                             [--expect FILE] [--match VERSION] [--peers SEL]
                             [--groups a,b] [--exclude-groups a,b] [--case TEXT]
                             [--pythons "P1 P2"] [--blocks auto|private|shared]
                             [--out DIR] [-v]

The implementation says in `hello` which CPython it matches (or --match);
that CPython is run in its place on every scenario, against the same peer,
and the implementation passes a case when everything observed is the same.
Profile `cpython` (the default) expects exactly CPython, defects included;
`strict` expects the SPEC's decisions where CPython has a known defect.
With --expect, the run passes when its failures are exactly those listed.

The adapter's hello declares the features the implementation has
(PROTOCOL.md, version 2): cases of the others are not run, and the
statement names them with their counts; `err Unsupported` to a declared
feature is a failure. The blocks present after every step, and the errno
and filename of every OSError, are compared too (harness/space.py).

Output: TAP on stdout, the causes of failure and the statement, and
`N passed, N failed, N skipped`; junit.xml, report.md (the statement, then
the causes) and summary.json under --out, all with the same counts. Exit
status 0 when the run conforms, 1 when it does not, 2 when it could not
judge (no peer, a peer that cannot run, an adapter of another protocol
version, an unknown group or case, no case executed).
"""
import argparse
import os
import shlex
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from harness import core, discover, expectations, runner, selftest, space, vectors, versions  # noqa: E402
from harness import report as R  # noqa: E402
from harness.proc import Adapter, AdapterDied, WrongProtocol  # noqa: E402

CPYTHON_ADAPTER = os.path.join(HERE, "adapters", "cpython", "adapter.py")
ALL_GROUPS = core.GROUPS + ["selftest"]


class Unjudgeable(Exception):
    """The run cannot give a verdict; the message says why."""


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description="The conformance suite for Python's multiprocessing.shared_memory.",
        epilog="Exit status: 0 conforms, 1 does not conform, 2 cannot judge. "
               "See conformance/README.md and PROTOCOL.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--impl", default=os.environ.get("IMPL"), metavar="CMD",
                    help="the implementation's adapter command (default: the reference, "
                         "build/conformance/ref-adapter)")
    ap.add_argument("--impl-name", metavar="NAME",
                    help="the implementation's name in reports (default: from its hello)")
    ap.add_argument("--match", metavar="VERSION",
                    help="the CPython version the implementation claims to behave as, e.g. 3.9 "
                         "(default: from its hello; a range such as 3.8-3.13 means each peer's own)")
    ap.add_argument("--profile", choices=("cpython", "strict"), default="cpython",
                    help="cpython: expect exactly what CPython does, defects included (default); "
                         "strict: expect the SPEC's decisions where CPython has a known defect")
    ap.add_argument("--expect", metavar="FILE",
                    help="known failures (conformance/expectations/NAME.txt); the run passes when "
                         "its failures are exactly these")
    ap.add_argument("--pythons", default=os.environ.get("PYTHONS"), metavar='"P1 P2"',
                    help="the CPython commands to use as peers and oracles (default: python3, "
                         "python3.X on PATH and every pyenv version); each must run")
    ap.add_argument("--peers", metavar="SEL",
                    help="only these peers, by version: 3.9, 3.9+, 3.8-3.12, py38, comma-separated")
    ap.add_argument("--groups", help="only these groups, comma-separated: " + ",".join(ALL_GROUPS))
    ap.add_argument("--exclude-groups", help="all groups but these, comma-separated")
    ap.add_argument("--case", help="only cases whose name contains TEXT")
    ap.add_argument("--vectors", default=os.path.join(HERE, "vectors"), metavar="DIR",
                    help="the golden vectors' directory")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "conformance"), metavar="DIR",
                    help="where junit.xml, report.md and summary.json go")
    ap.add_argument("--blocks", choices=space.MODES, default="auto",
                    help="where cases' blocks live: private (a /dev/shm of the run's own, in a mount "
                         "namespace: every block is judged), shared (the machine's: blocks the case "
                         "named or a reply reported, and others that appear at the same step when "
                         "the case runs again), auto (private where the OS "
                         "allows it; the default)")
    ap.add_argument("-j", "--jobs", type=int, default=0, help="peers judged at once")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every case in the TAP output")
    ap.add_argument("-q", "--quiet", action="store_true", help="list only failures (the default)")
    return ap.parse_args(argv)


def chosen_groups(args):
    def split(s):
        return [g for g in (s or "").split(",") if g]
    for g in split(args.groups) + split(args.exclude_groups):
        if g not in ALL_GROUPS:
            raise Unjudgeable("unknown group %r (groups: %s)" % (g, ", ".join(ALL_GROUPS)))
    groups = set(split(args.groups) or ALL_GROUPS) - set(split(args.exclude_groups))
    if not groups:
        raise Unjudgeable("no group left to run")
    return groups


def find_peers(args, notes):
    found, refused = discover.interpreters(args.pythons)
    if args.pythons and refused:
        raise Unjudgeable("; ".join("peer %s cannot run: %s" % (" ".join(c), why) for c, why in refused))
    shims = [c for c, why in refused if why.startswith(discover.SHIM)]
    for cmd, why in refused:
        if not why.startswith(discover.SHIM):
            notes.append("not a peer: %s cannot run: %s" % (" ".join(cmd), why))
    if shims:
        notes.append("%d pyenv shims skipped (their version is not selected; the interpreters "
                     "themselves are found under `pyenv root`): %s" % (
                         len(shims), " ".join(os.path.basename(c[0]) for c in shims)))
    if not found:
        raise Unjudgeable("no CPython 3.8+ found to be a peer (give --pythons)")
    peers = found
    if args.peers:
        try:
            sel = versions.selectors(args.peers)
        except ValueError as e:
            raise Unjudgeable(str(e))
        peers = [p for p in found if sel(p[0])]
        if not peers:
            raise Unjudgeable("no peer matches --peers %s (found %s)" % (
                args.peers, ", ".join(versions.label(v) for v, _ in found)))
    return found, peers


def describe_impl(argv, args):
    """(label, layouts, matches) from the adapter's hello and the options."""
    try:
        ad = Adapter(argv, "the implementation's adapter").start()
    except WrongProtocol as e:
        raise Unjudgeable(str(e))
    except (AdapterDied, OSError) as e:
        raise Unjudgeable("the implementation's adapter does not start: %s" % e)
    ident, layouts, matches, features = ad.ident, ad.layouts, ad.matches, ad.features
    ad.stop()
    matches = args.match or matches
    try:
        if matches:
            for part in matches.split("-", 1):
                versions.parse(part)
    except ValueError:
        raise Unjudgeable("not a CPython version: %r (e.g. 3.9, 3.9.16 or 3.8-3.13)" % matches)
    if not matches:
        raise Unjudgeable("%s does not say which CPython it matches (the third word of its hello "
                          "reply, PROTOCOL.md); give --match VERSION" % ident)
    if args.impl_name:
        label = args.impl_name
    elif ident == "cpython-" + matches:
        label = ident
    else:
        label = "%s (python %s)" % (ident, matches)
    return label, layouts, matches, features


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    notes = []
    try:
        groups = chosen_groups(args)
        impl_argv = shlex.split(args.impl) if args.impl else [
            os.path.join(ROOT, "build", "conformance", "ref-adapter")]
        mode, why_not = space.choose(args.blocks)
        notes.append(BLOCKS_NOTE[mode] + (" (no private /dev/shm: %s)" % why_not if why_not else ""))
        label, layouts, matches, features = describe_impl(impl_argv, args)
        cpythons, peers = find_peers(args, notes)
        cases = [c for c in runner.load_cases() if c.group in groups and
                 (not args.case or args.case in c.name)]
        vec_only = (lambda g, n: args.case in n) if args.case else None
        n_vectors = 0
        if "vectors" in groups:
            n_vectors = sum(1 for f in os.listdir(args.vectors) if f.endswith(".vec") and
                            (not vec_only or vec_only("vectors", f[:-4])))
        if args.case and not cases and not n_vectors:
            raise Unjudgeable("no case name contains %r" % args.case)
        entries = expectations.load(args.expect) if args.expect else []
        if entries:
            expectations.check_known(entries, [c.id for c in runner.load_cases()] + [
                "vectors/" + f[:-4] for f in os.listdir(args.vectors) if f.endswith(".vec")])
        oracles = {}
        for pv, pcmd in peers:
            o = versions.choose_oracle(matches, pv, cpythons)
            if o is None:
                raise Unjudgeable("no CPython of the %s layout found to take the place of %s "
                                  "(matches %s)" % (versions.generation(versions.parse(matches.split("-")[0])),
                                                    label, matches))
            oracles[pv] = o
            if o[2] and o[2] not in notes:
                notes.append(o[2])
    except (Unjudgeable, ValueError, OSError, space.SpaceError) as e:
        print("conformance: cannot judge: %s" % e, file=sys.stderr)
        return 2

    os.makedirs(args.out, exist_ok=True)
    reporter = R.Reporter()
    print("# implementation: %s (%s), declares %s, layouts %s" % (
        label, " ".join(impl_argv), ",".join(sorted(features)) or "nothing", ",".join(layouts) or "none"))
    for pv, pcmd in peers:
        ov = oracles[pv][0]
        print("# peer %s (%s); CPython %s in the implementation's place" % (
            runner.peer_label(pv), " ".join(pcmd), versions.label(ov)))
    for n in notes:
        print("# " + n)
    print("# profile %s%s" % (args.profile, ", expectations " + args.expect if args.expect else ""))
    sys.stdout.flush()

    cache = runner.OracleCache(CPYTHON_ADAPTER)
    jobs = args.jobs or max(1, min(len(peers), 4))
    with ThreadPoolExecutor(jobs) as ex:
        futs = []
        if cases:
            for pv, pcmd in peers:
                ov, ocmd, _ = oracles[pv]
                futs.append(ex.submit(runner.judge, label, impl_argv, (pv, pcmd), (ov, ocmd),
                                      cases, args.profile, cache, reporter.add))
        if n_vectors:
            futs.append(ex.submit(vectors.run, impl_argv, label, args.vectors, args.profile,
                                  reporter.add, vec_only))
        for f in futs:
            f.result()
    if "selftest" in groups and not args.case:
        py39 = [p for p in peers if p[0] >= (3, 9)] or [p for p in cpythons if p[0] >= (3, 9)]
        if py39:
            selftest.run(py39[-1], cache, reporter)
            selftest.blind_case_check(py39[-1], cache, reporter, groups - {"vectors", "selftest"})
    # Blocks of this run left in the machine's /dev/shm (a private space
    # takes its blocks with it; each case's own leftovers are already
    # judged, as the blocks present at its end).
    machine = space.Space()
    left = sorted(n for n in machine.everything() or () if n.startswith(core.NAME_PREFIX))
    for n in left:
        machine.unlink(n)
    reporter.add(R.Result("harness", "all", "selftest", "no-blocks-left-behind",
                          "fail" if left else "pass",
                          "left behind (now removed): %s" % " ".join(left) if left else "",
                          cause="the run left blocks in /dev/shm" if left else None, area="harness"))
    unused = expectations.apply(entries, reporter.results, peer_version,
                                lambda label: oracles[peer_version(label)][0]
                                if peer_version(label) in oracles else None)
    secs = time.time() - t0

    results = reporter.results
    run = {
        "implementation": label, "adapter": impl_argv, "profile": args.profile,
        "matches": matches, "peers": [runner.peer_label(v) for v, _ in peers],
        "matches_label": matches_label(matches, oracles),
        "oracles": {runner.peer_label(pv): runner.peer_label(o[0]) for pv, o in oracles.items()},
        "declared": {"features": sorted(features), "layouts": list(layouts)},
        "blocks": space.mode(),
        "expectations": args.expect, "notes": notes, "seconds": round(secs, 1),
    }
    d = R.digest(run, results)
    n = d["numbers"]
    run["judged"] = bool(n["executed"])
    R.tap(sys.stdout, results, args.verbose)
    for e in unused:
        print("# expectation matched no result (its case did not run here): %s %s" % (
            e.where, e.pattern))
    R.junit(os.path.join(args.out, "junit.xml"), results)
    R.markdown(os.path.join(args.out, "report.md"), run, results, ALL_GROUPS, d)
    R.summary(os.path.join(args.out, "summary.json"), run, results, d)
    for line in R.causes_text(d):
        print("# " + line)
    print("# " + R.plain(R.statement(run, d)))
    print("# %.1f s; report: %s" % (secs, os.path.relpath(os.path.join(args.out, "report.md"))))
    print(R.summary_line(d))
    v = R.verdict(n)
    if v == "cannot":
        print("conformance: cannot judge: " + (
            "%d cases could not be judged (see `could not be judged`)" % n["errors"]
            if n["executed"] else "no case was executed (all skipped)"), file=sys.stderr)
        return 2
    return 1 if v == "fail" else 0


BLOCKS_NOTE = {
    "private": "blocks: every run of cases had a /dev/shm of its own (a mount namespace): every "
               "block present after each step is compared",
    "shared": "blocks: the machine's /dev/shm, shared with other processes: the blocks compared "
              "after each step are those the case named or a reply reported, and those that "
              "appear during a step of the implementation each time the case runs",
    "probe": "blocks: no /dev/shm listing here: the blocks compared after each step are those the "
             "case named or a reply reported, each probed with shm_open",
}


def matches_label(matches, oracles):
    if "-" in matches:
        return "%s (each peer's own version)" % matches
    used = sorted({versions.label(o[0]) for o in oracles.values()})
    return "%s (CPython %s in its place)" % (versions.label(versions.parse(matches)[:2]),
                                             ", ".join(used))


def peer_version(label):
    if label.startswith("cpython-"):
        return versions.parse(label[len("cpython-"):])
    return None


if __name__ == "__main__":
    sys.exit(main())
