"""Runs the registered cases for one adapter against one peer, and turns
runs into verdicts: the implementation's transcript against CPython's in
its place (profile `cpython`), or a case's strict check (profile `strict`)."""
import threading
import time
import traceback

from . import core, space, verdict, versions
from .proc import Adapter, AdapterDied
from .report import Result


def load_cases():
    if core.CASES:
        return core.CASES
    from . import (cases_buffers, cases_cross, cases_defects, cases_errors, cases_layout,
                   cases_lifecycle, cases_tracker)
    for m in (cases_layout, cases_cross, cases_lifecycle, cases_errors, cases_defects,
              cases_tracker, cases_buffers):
        m.register()
    return core.CASES


def peer_label(version):
    return "cpython-%s" % ".".join(map(str, version))


class Outcome:
    """How one run of one case ended: status "ran" (with its transcript),
    "pass" (a strict check held), "skip" (with a groupable reason, and the
    area when the implementation does not declare it), or "fail" (with why,
    and the cause reports group it by). `area`: what the case covers."""
    __slots__ = ("status", "trace", "detail", "seconds", "reason", "area", "cause")

    def __init__(self, status, trace=None, detail="", seconds=0.0, reason=None, area=None, cause=None):
        self.status, self.trace, self.detail, self.seconds = status, trace, detail, seconds
        self.reason, self.area, self.cause = reason, area, cause


def _start(ad):
    try:
        ad.start()
        return None
    except (AdapterDied, OSError) as e:
        return str(e)


def primary_area(used):
    return next((f for f in core.AREA_ORDER if f in used), "shm")


def run_cases(impl_argv, peer_argv, version, cases, strict=False, label="impl"):
    """{case id: Outcome}: each case's scenario (or, with strict, its strict
    check) with one long-lived adapter process per side, both inside one
    space (harness/space.py) that only they use."""
    gen = versions.generation(version)
    sp = space.new()
    impl_argv, peer_argv = sp.prefix + list(impl_argv), sp.prefix + list(peer_argv)
    impl = Adapter(impl_argv, label)
    peer = Adapter(peer_argv, "peer " + peer_label(version))
    out = {}
    why = _start(impl) or _start(peer)
    if why:
        for c in cases:
            out[c.id] = Outcome("fail", detail="adapter did not start: %s" % why,
                                cause="an adapter does not start")
        impl.stop()
        peer.stop()
        sp.close()
        return out
    for c in cases:
        fn = c.strict if strict else c.fn
        ctx = core.Ctx(impl, peer, gen, peer_argv, impl_argv, sp)
        t0 = time.time()
        try:
            fn(ctx)
            o = Outcome("pass" if strict else "ran", ctx.trace)
        except core.Stop:
            if strict:  # a step the check needed failed: that is its verdict
                last = ctx.trace[-1] if ctx.trace else None
                o = Outcome("fail", ctx.trace, "a step the check needed failed: %r" % (last,))
            else:
                o = Outcome("ran", ctx.trace)
        except core.Skip as e:
            o = Outcome("skip", detail=str(e), reason=e.reason, area=e.area)
        except core.Fail as e:
            o = Outcome("fail", ctx.trace, str(e), cause=e.cause)
        except AdapterDied as e:
            o = Outcome("fail", ctx.trace, "adapter died: %s" % e, cause="the adapter died")
        except Exception:
            o = Outcome("fail", ctx.trace, "harness error:\n" + traceback.format_exc(),
                        cause="harness error")
        if o.status == "ran":
            ctx.observe_end()
        if o.area is None and o.status != "skip":  # a skip's area: only "not implemented"
            o.area = primary_area(ctx.used)
        if o.status == "fail" and ctx.trace:
            o.detail += "\nlast exchanges:\n" + "\n".join(map(repr, ctx.trace[-6:]))
        for ad in (impl, peer):
            try:
                if ad.alive():
                    ad.call("reset")
                else:
                    ad.restart()
            except (AdapterDied, OSError) as e:
                try:
                    ad.restart()
                except (AdapterDied, OSError):
                    o.detail += "\ncould not restart %s: %s" % (ad.label, e)
        ctx.cleanup()
        o.seconds = time.time() - t0
        out[c.id] = o
    impl.stop()
    peer.stop()
    sp.close()
    return out


class OracleCache:
    """CPython's transcripts, computed once per (oracle, peer) and shared by
    every implementation judged in the same run."""

    def __init__(self, adapter_path):
        self.adapter_path = adapter_path
        self.lock = threading.Lock()
        self.runs = {}
        self.locks = {}

    def get(self, oracle, peer, cases):
        (over, ocmd), (pver, pcmd) = oracle, peer
        key = (over, pver)
        with self.lock:
            lk = self.locks.setdefault(key, threading.Lock())
        with lk:
            done = self.runs.setdefault(key, {})
            missing = [c for c in cases if c.id not in done]
            if missing:
                done.update(run_cases(ocmd + [self.adapter_path], pcmd + [self.adapter_path],
                                      pver, missing, label="oracle " + peer_label(over)))
            return done


def confirm_unreported(case, oracle, got, impl_argv, peer_argv, version, oracle_label):
    """None, or (cause, description) when, in a shared /dev/shm, blocks no
    reply named appeared during a step of the implementation, appear at
    that same step again when the case runs a second time, and outnumber,
    among those still there after both runs, the ones that appeared at that
    step with CPython in its place: they are the implementation's then
    (another process's would not come back at the same step and stay), and
    are removed."""
    suspects = verdict.unreported_blocks(oracle, got)
    if not suspects:
        return None
    again = run_cases(impl_argv, peer_argv, version, [case])[case.id]
    seen = verdict.unreported_blocks(oracle, again.trace) if again.status == "ran" else {}
    sp = space.Space()

    def staying(names):
        # A block left behind is still there; another process's
        # short-lived block that happened to appear at that step is not.
        return [n for n in names if sp.exists(n)]
    confirmed = []
    for k, (names, cpython_names) in sorted(suspects.items()):
        if k not in seen:
            continue
        first, second, cpython = staying(names), staying(seen[k][0]), staying(cpython_names)
        if len(first) > len(cpython) and len(second) > len(cpython):
            confirmed.append((k, first, second, cpython))
    if not confirmed:
        return None
    for _, first, second, _ in confirmed:
        for n in first + second:
            sp.unlink(n)
    k, first, second, cpython = confirmed[0]
    lines = ["step %d, impl> %s" % (k + 1, got[k].request[:160]),
             "  blocks no reply named appeared during it and stayed: %s; when the case ran again: "
             "%s (both now removed); with %s in its place: %s" % (
                 " ".join(first), " ".join(second), oracle_label, " ".join(cpython) or "none"),
             "steps before it:"]
    lines += ["  " + ln for s in got[max(0, k - 4):k] for ln in repr(s).splitlines()]
    return verdict.unreported_cause(got, k), "\n".join(lines)


def judge(impl_label, impl_argv, peer, oracle, cases, profile, oracles, emit):
    """Runs the cases for one implementation against one peer and emits a
    Result per case. oracle: (version, argv) of the CPython that takes the
    implementation's place."""
    pver, pcmd = peer
    peer_argv = pcmd + [oracles.adapter_path]
    plabel = peer_label(pver)
    olabel = peer_label(oracle[0])
    strict_cases = [c for c in cases if c.strict] if profile == "strict" else []
    compared = [c for c in cases if c not in strict_cases]
    mine = run_cases(impl_argv, peer_argv, pver, compared) if compared else {}
    ran = [c for c in compared if mine[c.id].status == "ran"]
    theirs = oracles.get(oracle, peer, ran) if ran else {}
    strict_runs = run_cases(impl_argv, peer_argv, pver, strict_cases, strict=True) if strict_cases else {}
    gen = versions.generation(pver)

    def result(c, o, status, detail, reason=None, cause=None):
        # A skipped case has an area only when the implementation did not
        # declare it; one CPython in its place could not run was judged on
        # nothing, and is no "not implemented".
        area = o.area if status != "skip" or o.status == "skip" else None
        return Result(impl_label, plabel, c.group, c.name, status, detail, o.seconds,
                      reason=reason, cause=cause, area=area)

    for c in cases:
        if c.id in strict_runs:
            o = strict_runs[c.id]
            status = {"pass": "pass", "skip": "skip"}.get(o.status, "fail")
            detail = o.detail if status != "pass" else ""
            if status == "fail":
                detail = "profile strict (SPEC decision): " + detail
            emit(result(c, o, status, detail, o.reason if status == "skip" else None,
                        o.cause if status == "fail" else None))
            continue
        m = mine[c.id]
        t = theirs.get(c.id)
        if m.status == "skip":
            emit(result(c, m, "skip", m.detail, m.reason))
        elif m.status == "fail":
            emit(result(c, m, "fail", m.detail, cause=m.cause))
        elif t.status == "skip":
            emit(result(c, m, "skip", "%s cannot take part: %s" % (olabel, t.detail),
                        "CPython in the implementation's place cannot take part: %s" % t.reason))
        elif t.status == "fail":
            emit(result(c, m, "error", "the scenario failed with %s in the implementation's place "
                                       "(a harness problem, not a verdict): %s" % (olabel, t.detail),
                        cause="the scenario fails with CPython in the implementation's place"))
        else:
            d = verdict.compare(t.trace, m.trace, olabel, gen) or \
                confirm_unreported(c, t.trace, m.trace, impl_argv, peer_argv, pver, olabel)
            if d is None:
                emit(result(c, m, "pass", ""))
            else:
                emit(result(c, m, "fail", d[1], cause=d[0]))
