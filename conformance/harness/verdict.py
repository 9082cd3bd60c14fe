"""The verdict under the `cpython` profile: the implementation's transcript
against CPython's, run in its place on the same scenario and peer."""
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


def compare(oracle, got, oracle_label, gen):
    """None when the transcripts agree, else a description of the first
    difference: the step, what CPython answered, what the implementation
    did, and the steps before it."""
    for k in range(max(len(oracle), len(got))):
        w = oracle[k] if k < len(oracle) else None
        g = got[k] if k < len(got) else None
        if w is not None and g is not None and w.key() == g.key():
            continue
        lines = []
        if w is None:
            lines.append("the implementation went on after CPython's scenario ended: %r" % g)
        elif g is None:
            lines.append("the scenario ended after step %d; %s went on with %r" % (k, oracle_label, w))
        elif (w.who, w.request) != (g.who, g.request):
            lines.append("step %d: %s asked %s> %s, the implementation's run asked %s> %s" % (
                k + 1, oracle_label, w.who, w.request[:120], g.who, g.request[:120]))
        else:
            subject = "the implementation" if w.who == "impl" else (
                "the peer" if w.who == "peer" else "the harness")
            lines.append("step %d, %s> %s" % (k + 1, w.who, w.request[:160]))
            lines.append("  with %s in its place: %s" % (oracle_label, w.reply[:200]))
            lines.append("  with the implementation (%s saw): %s" % (subject, g.reply[:200]))
            why = _explain(w, g, gen)
            if why:
                lines += ["  " + ln for ln in why.splitlines()]
        lines.append("steps before it:")
        lines += ["  " + ln for s in got[max(0, k - 4):k] for ln in repr(s).splitlines()]
        return "\n".join(lines)
    return None
