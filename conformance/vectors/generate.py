#!/usr/bin/env python3
"""Regenerates the golden vectors (conformance/vectors/*.vec) with CPython.

  python3 conformance/vectors/generate.py --all     # finds a 3.8 and a 3.9+ and
                                                    # runs itself under each
  python3.X conformance/vectors/generate.py DIR     # this interpreter's generation only

Each vector is an image CPython itself wrote and the values it read back,
so an implementation can be checked where no Python runs (vectors/README.md
and SPEC.md describe the format). Images written on a little-endian host.
"""
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from harness import corpus, crafted  # noqa: E402
from harness import values as V  # noqa: E402

GEN = "py38" if sys.version_info < (3, 9) else "py39"
VECTOR_RANDOM = 80
VECTOR_SETS = 40
TOO_BIG = ("list-10000", "bytes-1MiB", "bytes-1MiB-plus-mixed")


def quiet_tracker():
    # Vectors are made and unlinked here; the tracker has nothing to do.
    from multiprocessing import resource_tracker
    reg, unreg = resource_tracker.register, resource_tracker.unregister
    resource_tracker.register = lambda n, t: None if t == "shared_memory" else reg(n, t)
    resource_tracker.unregister = lambda n, t: None if t == "shared_memory" else unreg(n, t)


def vline(kind, v):
    """A vector value: TYPE VALUE (no value for none; '-' for empty hex)."""
    if v is None:
        return "%s none" % kind
    if isinstance(v, bool):
        return "%s bool %d" % (kind, v)
    if isinstance(v, int):
        return "%s int %d" % (kind, v)
    if isinstance(v, float):
        return "%s float %016x" % (kind, V.bits_of(v))
    raw = v.encode() if isinstance(v, str) else v
    return "%s %s %s" % (kind, "str" if isinstance(v, str) else "bytes", raw.hex() or "-")


def image_size(items):
    hdr = len(items) + 1 if GEN == "py39" else len(items)
    return 8 + 8 * hdr + sum(V.alloc_of(v) for v in items) + 9 * len(items)


def make(items, sets):
    """CPython writes the list, applies the sets, reads everything back."""
    from multiprocessing.shared_memory import ShareableList
    sl = ShareableList(items)
    try:
        for i, v in sets:
            sl[i] = v
        img = bytes(sl.shm.buf)[:image_size(items)]
        back = [sl[i] for i in range(len(items))]
    finally:
        sl.shm.close()
        sl.shm.unlink()
    return img, back


def write(d, name, comment, items, sets, back, img, error=None):
    lines = ["# " + c for c in comment.splitlines()]
    lines.append("layout " + GEN)
    lines += [vline("item", v) for v in items]
    lines += ["set %d %s" % (i, vline("", v).strip()) for i, v in sets]
    lines += ["expect %d %s" % (i, vline("", v).strip()) for i, v in enumerate(back)]
    if error:
        lines.append("error " + error)
    lines.append("image " + (img.hex() or "-"))
    # File names must be portable: Windows (and git checkouts there) refuse
    # ? * : < > | " and backslash, so anything but [A-Za-z0-9._-] is spelled xHH.
    name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "x%02x" % ord(c)
                   for c in name)
    with open(os.path.join(d, "%s-%s.vec" % (GEN, name)), "w") as f:
        f.write("\n".join(lines) + "\n")


def fits(v, alloc):
    raw = v.encode() if isinstance(v, str) else v
    return not isinstance(v, (str, bytes)) or len(raw) <= alloc


def main(d):
    quiet_tracker()
    assert sys.byteorder == "little", "vectors are stored little-endian"
    origin = "CPython %d.%d.%d" % sys.version_info[:3]
    n = 0
    seqs = [s for s in corpus.hand_picked() if s[0] not in TOO_BIG]
    seqs += corpus.random_sequences()[:VECTOR_RANDOM]
    for name, items in seqs:
        img, back = make(items, [])
        write(d, name, "%s wrote this image of ShareableList(items) and read back the expect values."
              % origin, items, [], back, img)
        n += 1
    r = random.Random(corpus.SEED + 2)
    for name, items in [s for s in corpus.random_sequences() if s[1]][:VECTOR_SETS]:
        sets = [(i, v) for i, v in corpus.random_sets(items, r, 8) if fits(v, V.alloc_of(items[i]))]
        img, back = make(items, sets)
        write(d, "sets-" + name, "%s: ShareableList(items), then l[INDEX] = VALUE for each set line."
              % origin, items, sets, back, img)
        n += 1
    for key, (build, _cp, im) in crafted.CASES.items():
        want = im[GEN] if isinstance(im, dict) else im
        if any(op.startswith("set") for op, _ in want):
            continue  # vectors cannot express a refused set
        refused = [res for _, res in want if res in ("refused", "UnicodeDecodeError")]
        if not refused:
            continue
        err = "ValueError" if refused[0] == "refused" else refused[0]
        write(d, "refuse-" + key, "A hand-made image (not written by CPython) the reference must refuse;\n"
              "see SPEC.md, \"Where the reference refuses what CPython reads\".",
              [], [], [], build(GEN), err)
        n += 1
    print("%s: %d vectors in %s" % (GEN, n, d))


def run_all(d):
    from harness import discover
    found, _ = discover.interpreters()
    olds = [c for v, c in found if v < (3, 9)]
    news = [c for v, c in found if v >= (3, 9)]
    if not olds or not news:
        sys.exit("need a CPython 3.8 and a 3.9+ (found %s)" % [v for v, _ in found])
    for f in os.listdir(d):
        if f.endswith(".vec"):
            os.remove(os.path.join(d, f))
    for cmd in (olds[0], news[-1]):
        subprocess.run(cmd + [os.path.abspath(__file__), d], check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--all":
        run_all(sys.argv[2] if len(sys.argv) > 2 else HERE)
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit(__doc__)
