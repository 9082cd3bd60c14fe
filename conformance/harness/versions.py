"""CPython versions: what an implementation claims to match, which CPython
takes its place, and version selectors (`3.9`, `3.9+`, `3.8-3.12`, `py38`)."""


def parse(text):
    """'3.9.16' -> (3, 9, 16); '3.9' -> (3, 9)."""
    return tuple(int(x) for x in text.split("."))


def minor(v):
    return tuple(v[:2])


def generation(v):
    return "py38" if minor(v) < (3, 9) else "py39"


def label(v):
    return ".".join(map(str, v))


class Selector:
    """One selector: an exact version, `X.Y+`, a range `X.Y-X.Z`, or a
    layout generation `py38`/`py39`. Matches by minor version."""

    def __init__(self, text):
        self.text = text = text.strip()
        try:
            if text in ("py38", "py39"):
                self.kind, self.arg = "gen", text
            elif text.endswith("+"):
                self.kind, self.arg = "from", minor(parse(text[:-1]))
            elif "-" in text:
                lo, hi = text.split("-", 1)
                self.kind, self.arg = "range", (minor(parse(lo)), minor(parse(hi)))
            else:
                self.kind, self.arg = "exact", parse(text)
        except ValueError:
            raise ValueError("not a version selector: %r (use 3.9, 3.9.18, 3.9+, 3.8-3.12, "
                             "py38 or py39)" % text)

    def __call__(self, v):
        if self.kind == "gen":
            return generation(v) == self.arg
        if self.kind == "from":
            return minor(v) >= self.arg
        if self.kind == "range":
            return self.arg[0] <= minor(v) <= self.arg[1]
        return tuple(v[:len(self.arg)]) == self.arg

    def __repr__(self):
        return self.text


def selectors(text):
    """A comma-separated list of selectors; matches when any does."""
    sels = [Selector(t) for t in text.split(",") if t.strip()]
    return lambda v: any(s(v) for s in sels)


def choose_oracle(matches, peer_version, cpythons):
    """The CPython that takes the implementation's place against a peer:
    (version, argv, note). matches: what `hello` claims ('3.9.16', '3.9',
    or a range '3.8-3.13' meaning whichever the peer is). The exact minor
    version when found; otherwise the nearest one of the same layout
    generation, with a note saying so; None when there is none."""
    if not matches:
        return None
    if "-" in matches:
        lo, hi = (minor(parse(x)) for x in matches.split("-", 1))
        pm = minor(peer_version)
        want = pm if lo <= pm <= hi else (lo if pm < lo else hi)
    else:
        want = minor(parse(matches))
    same = [(v, c) for v, c in cpythons if minor(v) == want]
    if same:
        v, c = same[-1]
        return v, c, None
    gen = generation(want)
    near = sorted(((abs(minor(v)[1] - want[1]), v, c) for v, c in cpythons if generation(v) == gen),
                  key=lambda t: (t[0], t[1]))
    if not near:
        return None
    _, v, c = near[0]
    return v, c, "no CPython %s found: CPython %s (same %s layout) takes its place" % (
        label(want), label(v), gen)
