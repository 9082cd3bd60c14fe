"""Group "vectors": the golden vectors (conformance/vectors/*.vec, images
CPython wrote and the values it read back) through the adapter protocol, so
any implementation gets them, with no CPython peer involved.

For each vector the implementation writes the items, applies the sets and
dumps the image, which must equal CPython's byte for byte; then it attaches
CPython's image (written into a block by the harness) and reads every item.
Vectors with `error` are hand-made images that the SPEC's decisions refuse:
they are checked under the `strict` profile only."""
import os
import re
import struct
import sys
import time

from . import core, space
from . import values as V
from .proc import Adapter, AdapterDied
from .report import Result

PEER = "golden"


def parse(path):
    v = {"items": [], "sets": [], "expect": [], "error": None, "layout": None, "image": b""}
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "layout":
                v["layout"] = w[1]
            elif w[0] == "item":
                v["items"].append(_value(w[1:]))
            elif w[0] == "set":
                v["sets"].append((int(w[1]), _value(w[2:])))
            elif w[0] == "expect":
                v["expect"].append((int(w[1]), _value(w[2:])))
            elif w[0] == "error":
                v["error"] = w[1]
            elif w[0] == "image":
                v["image"] = bytes.fromhex(w[1]) if len(w) > 1 else b""
    return v


def _value(w):
    kind = w[0]
    if kind == "none":
        return None
    raw = w[1]
    if kind in ("str", "bytes"):
        data = b"" if raw == "-" else bytes.fromhex(raw)
        return data.decode("utf-8", "surrogatepass") if kind == "str" else data
    if kind == "float":
        return V.fbits(int(raw, 16))
    if kind == "bool":
        return raw == "1"
    return int(raw)


def native(img, layout):
    """The vectors hold little-endian images; on a big-endian host the int64
    header words and the 8-byte q/d slots are swapped."""
    if sys.byteorder == "little" or len(img) < 8:
        return img
    b = bytearray(img)
    n = struct.unpack_from("<q", b, 0)[0]
    hdr = n + 1 if layout == "py39" else n
    if n < 0 or 8 + 8 * hdr > len(b):
        return img
    words = struct.unpack_from("<%dq" % hdr, b, 8)
    struct.pack_into(">q", b, 0, n)
    struct.pack_into(">%dq" % hdr, b, 8, *words)
    data = 8 + 8 * hdr
    offs = list(words) if layout == "py39" else [sum(words[:i]) for i in range(n + 1)]
    fmts = data + offs[n] if n else data
    for i in range(n):
        f = bytes(b[fmts + 8 * i:fmts + 8 * i + 8]).rstrip(b"\0")
        if f in (b"q", b"d"):
            p = data + offs[i]
            b[p:p + 8] = b[p:p + 8][::-1]
    return bytes(b)


class _Block:
    """A block the harness writes an image into, itself (no peer)."""

    def __init__(self, space, data):
        self.space = space
        self.name = core.new_name()
        space.write_block(self.name, data)

    def close(self):
        self.space.unlink(self.name)


def check(ad, v, profile, space):
    """None when the vector holds, else why not; raises core.Skip, and
    core.Fail for `err Unsupported` to something declared
    (core.call_declared, as in the scenarios)."""
    layout = v["layout"]
    core.require(ad, "list", "list_create")
    if layout not in ad.layouts:
        raise core.not_implemented(layout, "the implementation advertises the layouts %s" % (
            ",".join(ad.layouts) or "-"))
    img = native(v["image"], layout)
    if v["error"]:
        if profile != "strict":
            raise core.Skip("a hand-made image: refusing it is the SPEC's decision (profile strict)",
                            reason="a hand-made image, judged under profile strict only")
        blk = _Block(space, img)
        try:
            r = core.call_declared(ad, "list_attach g %s %s" % (blk.name, layout))
            replies = [r]
            if r.ok:
                replies += [core.call_declared(ad, "list_get g %d" % i) for i in range(int(r.text))]
        finally:
            ad.call("reset")
            blk.close()
        errs = [r.exc for r in replies if not r.ok]
        if v["error"] not in errs:
            return "expected %s on attach or a read, got %s" % (
                v["error"], ", ".join(errs) or "no error")
        return None
    # Write: the items, the sets, the image.
    name = core.new_name()
    try:
        r = core.call_declared(ad, "list_create w %s %s %s" % (name, layout, " ".join(V.word(x) for x in v["items"])))
        if not r.ok:
            return "list_create failed: %s %s" % (r.exc, V.clip(r.text, 200))
        for i, x in v["sets"]:
            r = core.call_declared(ad, "list_set w %d %s" % (i, V.word(x)))
            if not r.ok:
                return "set [%d] = %s failed: %s %s" % (i, V.short(x), r.exc, V.clip(r.text, 200))
        r = core.call_declared(ad, "list_dump w")
        got = None if not r.ok else b"" if r.text in ("", "-") else bytes.fromhex(r.text)
        if got != img:
            from .imagemap import first_diff
            return "the image written: %s" % (first_diff(img, got, layout) if got is not None
                                               else "%s %s" % (r.exc, r.text))
    finally:
        ad.call("reset")
        space.unlink(name)
    # Read CPython's image.
    blk = _Block(space, img)
    try:
        r = core.call_declared(ad, "list_attach g %s %s" % (blk.name, layout))
        if not r.ok:
            return "attaching CPython's image: %s %s" % (r.exc, V.clip(r.text, 200))
        for i, want in v["expect"]:
            r = core.call_declared(ad, "list_get g %d" % i)
            if not r.ok:
                return "item %d: %s %s, CPython read %s" % (i, r.exc, V.clip(r.text, 100), V.short(want))
            got = V.parse(r.text)
            if not V.same(got, want):
                return "item %d: CPython read %s, the implementation %s" % (
                    i, V.short(want), V.short(got))
    finally:
        ad.call("reset")
        blk.close()
    return None


def run(impl_argv, impl_label, directory, profile, emit, only=None):
    files = sorted(f for f in os.listdir(directory) if f.endswith(".vec"))
    sp = space.new()
    ad = Adapter(sp.prefix + list(impl_argv), "impl")
    try:
        ad.start()
    except (AdapterDied, OSError) as e:
        emit(Result(impl_label, PEER, "vectors", "adapter-start", "fail", str(e),
                    cause="the adapter does not start"))
        sp.close()
        return
    for f in files:
        name = f[:-4]
        if only and not only("vectors", name):
            continue
        t0 = time.time()
        reason = cause = area = None
        try:
            why = check(ad, parse(os.path.join(directory, f)), profile, sp)
            status, detail = ("pass", "") if why is None else ("fail", why)
            cause = why and "the vector: " + re.sub(r"\d+", "N", why.split(":")[0])
        except core.Skip as e:
            status, detail, reason, area = "skip", str(e), e.reason, e.area
        except core.Fail as e:
            status, detail, cause = "fail", str(e), e.cause
        except AdapterDied as e:
            status, detail, cause = "fail", "adapter died: %s" % e, "the adapter died"
            try:
                ad.restart()
            except (AdapterDied, OSError):
                pass
        except Exception as e:  # e.g. a reply that is not hex: the vector fails, the run goes on
            status, detail = "fail", "harness error on the adapter's reply: %r" % e
            cause = "a reply the harness cannot read"
        # The harness has removed the vector's blocks: in a space of the
        # run's own, any block still listed is one the implementation left.
        left = sorted(sp.listing()) if sp.kind == "private" else []
        if left:
            sp.clear()
            if status != "fail":
                status, cause = "fail", "leaves a block behind (a vector)"
                detail = "blocks the implementation left after the vector (now removed): %s" \
                    % " ".join(left)
        emit(Result(impl_label, PEER, "vectors", name, status, detail, time.time() - t0,
                    reason=reason, cause=cause, area=area if status == "skip" else "list"))
    ad.stop()
    sp.close()
