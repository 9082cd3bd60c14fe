"""The verdict under the `cpython` profile: the implementation's transcript
against CPython's, run in its place on the same scenario and peer."""
import re

from . import values as V
from .imagemap import first_diff


def _hex_of(step):
    t = step.raw_reply.text if step.raw_reply is not None else step.reply.partition(" ")[2]
    return b"" if t in ("", "-") else bytes.fromhex(t)


def _explain(want, got, gen):
    """A sentence on how two replies to the same request differ."""
    req = want.request.split()
    if want.reply.startswith("ok ") and got.reply.startswith("ok ") and req and \
            req[0] in ("list_dump", "shm_dump", "shm_read"):
        try:
            layout = gen if req[0] == "list_dump" else None
            d = first_diff(_hex_of(want), _hex_of(got), layout)
            if d:
                return d
        except ValueError:
            pass
    if want.reply.startswith("ok ") and got.reply.startswith("ok "):
        try:
            w, g = V.parse(want.reply[3:]), V.parse(got.reply[3:])
            if isinstance(g, (str, bytes)) and type(w) is type(g) and V.stripped(g) == w and g != w:
                return "trailing NULs not stripped: CPython strips them on read (cpython#96779)"
        except (ValueError, IndexError):
            pass
    return ""


def _outcome(reply):
    """`ok`, or `err CLASS`, of a normalised reply."""
    return "ok" if reply.startswith("ok") else " ".join(reply.split()[:2])


def _cause(w, g, why):
    """One line naming what differs at a step, free of the case's names and
    values, so one defect seen in many cases is one cause."""
    cmd = w.request.split(" ", 1)[0]
    if w.who == "harness":
        what = re.sub(r"\$\d+", "NAME", w.request)
        if w.reply == g.reply:
            pass
        elif len(w.reply) <= 12 and len(g.reply) <= 12:
            return "%s: %s with CPython, %s with the implementation" % (
                what, re.sub(r"\$\d+", "NAME", w.reply), re.sub(r"\$\d+", "NAME", g.reply))
        else:
            return "%s: differs" % what
    elif w.reply != g.reply:
        wo, go = _outcome(w.reply), _outcome(g.reply)
        if wo != go:
            return "`%s`: CPython answers %s, the implementation %s" % (cmd, wo, go)
        if wo != "ok":
            return "`%s` %s: errno or filename differ (CPython %s; the implementation %s)" % (
                cmd, wo.split()[1], _oserror_shape(w.reply), _oserror_shape(g.reply))
        if why:
            return "`%s`: %s" % (cmd, re.sub(r"\d+", "N", why.splitlines()[0])[:120])
        return "`%s`: a different result" % cmd
    wb, gb = set((w.blocks or "").split()), set((g.blocks or "").split())
    where = "at the end of the case" if w.who == "harness" else "after `%s`" % cmd
    if gb - wb and not wb - gb:
        return "leaves a block CPython does not leave (%s)" % where
    if wb - gb and not gb - wb:
        return "lacks a block CPython leaves (%s)" % where
    return "different blocks %s" % where


def _oserror_shape(reply):
    """errno=2 filename=str (whatever the name) or filename=none."""
    w = reply.split()[2:]
    return " ".join(x if not x.startswith("filename=str:") else "filename set" for x in w) or "-"


def _named(step):
    return " ".join(step.raw_blocks) if step.raw_blocks else "none"


def compare(oracle, got, oracle_label, gen):
    """None when the transcripts agree, else (cause, description) of the
    first difference: the step, what CPython answered, what the
    implementation did, the blocks each left, and the steps before it."""
    for k in range(max(len(oracle), len(got))):
        w = oracle[k] if k < len(oracle) else None
        g = got[k] if k < len(got) else None
        if w is not None and g is not None and w.key() == g.key():
            continue
        lines = []
        if w is None:
            cause = "goes on after CPython's scenario ends"
            lines.append("the implementation went on after CPython's scenario ended: %r" % g)
        elif g is None:
            cause = "the scenario ends early"
            lines.append("the scenario ended after step %d; %s went on with %r" % (k, oracle_label, w))
        elif (w.who, w.request) != (g.who, g.request):
            cause = "the scenario takes another path"
            lines.append("step %d: %s asked %s> %s, the implementation's run asked %s> %s" % (
                k + 1, oracle_label, w.who, V.clip(w.request, 120), g.who, V.clip(g.request, 120)))
        else:
            subject = "the implementation" if w.who == "impl" else (
                "the peer" if w.who == "peer" else "the harness")
            why = _explain(w, g, gen) if w.reply != g.reply else ""
            cause = _cause(w, g, why)
            lines.append("step %d, %s> %s" % (k + 1, w.who, V.clip(w.request, 160)))
            if w.reply != g.reply:
                lines.append("  with %s in its place: %s" % (oracle_label, V.clip(w.reply, 200)))
                lines.append("  with the implementation (%s saw): %s" % (subject, V.clip(g.reply, 200)))
                if why:
                    lines += ["  " + ln for ln in why.splitlines()]
            else:
                lines.append("  both answered: %s" % V.clip(w.reply, 200))
            if w.blocks != g.blocks:
                lines.append("  blocks present after it with %s in its place: %s" % (
                    oracle_label, w.blocks or "none"))
                lines.append("  blocks present after it with the implementation: %s (named %s)" % (
                    g.blocks or "none", _named(g)))
        lines.append("steps before it:")
        lines += ["  " + ln for s in got[max(0, k - 4):k] for ln in repr(s).splitlines()]
        return cause, "\n".join(lines)
    return None


def unreported_blocks(oracle, got):
    """{step index: (names, names with CPython in its place)}: the steps of
    the implementation during which blocks no reply named appeared (a
    shared /dev/shm only, Step.unknown). Suspects, not verdicts: another
    process may have made them (runner.confirm_unreported)."""
    return {k: (g.unknown, w.unknown) for k, (w, g) in enumerate(zip(oracle, got))
            if g.who == "impl" and g.unknown}


def unreported_cause(got, k):
    return "leaves a block no reply named (after `%s`)" % got[k].request.split(" ", 1)[0]
