#!/usr/bin/env python3
"""Differential replay: the reference's reading of ShareableList images
against CPython's own, image by image.

Images: the CPython-written seeds (py38-*.bin, py39-*.bin), deterministic
mutants of them (mutate.py), and fuzz findings (any files; their
generation is the detected one). Each image is read by ref_decode (built
from the reference) and by cpython_decode.py under every CPython of the
image's generation found (3.8 for py38; 3.9 and later for py39). The two
canonical lines must agree (the same values, or both refuse) or differ in
one of the excused classes of classify.py; any other disagreement fails.

Then repr: images of random values written by CPython 3.11 (gen_values.py;
the reference's str.isprintable follows 3.11's Unicode database), read by
both sides again, must give the same repr() for every item both read.

    differential.py --ref BUILD/fuzz/ref-decode --work DIR [--seeds DIR] [--findings DIR]...
Interpreters: the newest CPython 3.8+ of each minor version that
ci/pythons.py finds ($PYSHM_PYTHONS overrides), else this interpreter.
"""
import argparse
import collections
import glob
import os
import select
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ci"))
import classify  # noqa: E402
import mutate  # noqa: E402
import pythons  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER_TIMEOUT = 30


def interpreters():
    """[(X.Y, command, generation)]: the newest CPython of each minor
    version found (ci/pythons.py), 3.8 reading py38 images, later ones py39."""
    found = pythons.interpreters(one_per_minor=True) or [(sys.version_info[:3], sys.executable)]
    return [("%d.%d" % v[:2], exe, "py38" if v[:2] == (3, 8) else "py39") for v, exe in found]


def collect(args):
    """[(origin, generation, bytes)] of every image to compare."""
    images = []
    seeds = glob.glob(os.path.join(args.seeds, "py3[89]-*.bin")) if args.seeds else []
    for path in sorted(seeds):
        gen = os.path.basename(path)[:4]
        with open(path, "rb") as f:
            img = f.read()
        images.append((os.path.basename(path), gen, img))
        for k, (kind, m) in enumerate(mutate.mutants(img, gen, args.per_kind,
                                                     seed=args.seed + len(images))):
            images.append(("%s~%s%d" % (os.path.basename(path), kind, k), gen, m))
    found = []
    for d in args.findings:
        for path in sorted(glob.glob(os.path.join(d, "*"))):
            if os.path.isfile(path):
                found.append(path)
    for path in found[:args.max_findings]:
        with open(path, "rb") as f:
            img = f.read()
        images.append((path, classify.detect(img), img))
    return images


def run_ref(ref, paths, *flags):
    proc = subprocess.run([ref] + list(flags), input="".join(p + "\n" for p in paths), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(paths):
        bad = paths[len(lines)] if len(lines) < len(paths) else "?"
        sys.exit("differential: ref-decode failed on %s\n%s" % (bad, proc.stderr[-4000:]))
    return lines


def unlink_quietly(name):
    try:
        import _posixshmem
        _posixshmem.shm_unlink("/" + name)
    except (ImportError, OSError):
        pass


class Worker:
    """cpython_decode.py under one interpreter, restarted when it dies."""

    def __init__(self, exe, *flags):
        self.exe = exe
        self.flags = list(flags)
        self.prefix = "pyshm_fz%d_" % os.getpid()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.exe, os.path.join(HERE, "cpython_decode.py"), self.prefix]
                                     + self.flags,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     universal_newlines=True, bufsize=1)

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def decode(self, k, path):
        if self.proc is None:
            self.start()
        try:
            self.proc.stdin.write("%d %s\n" % (k, path))
            self.proc.stdin.flush()
            ready, _, _ = select.select([self.proc.stdout], [], [], WORKER_TIMEOUT)
            line = self.proc.stdout.readline() if ready else ""
        except (BrokenPipeError, OSError):
            line = ""
        if line:
            return line.strip()
        self.stop()  # hung or died: its block may be left behind
        unlink_quietly(self.prefix + str(k))
        return "- !worker:%s" % ("timeout" if not ready else "died")


def repr_peer(peers):
    """3.11 if present (its Unicode database is the reference's), else the
    newest: then only reprs without non-ASCII str are compared."""
    py39 = [p for p in peers if p[2] == "py39"]
    exact = [p for p in py39 if p[0] == "3.11"]
    return (exact[0], True) if exact else ((py39[-1], False) if py39 else (None, False))


def make_values(peer, outdir, count, seed):
    subprocess.run([peer[1], os.path.join(HERE, "gen_values.py"), outdir, str(count), str(seed)],
                   check=True)
    return sorted(glob.glob(os.path.join(outdir, "*.bin")))


def compare_reprs(rt, ct, exact_unicode):
    """The indexes of items both sides read (tokens rt, ct) whose reprs differ."""
    bad = []
    for i, (a, b) in enumerate(zip(rt, ct)):
        if a.startswith("r") and b.startswith("r") and a != b:
            text = bytes.fromhex(b[1:])
            if exact_unicode or text[:1] not in (b"'", b'"') or text.isascii():
                bad.append(i)
    return bad


def check_reprs(args, peer, exact_unicode, paths):
    ref_lines = run_ref(args.ref, paths, "repr")
    worker = Worker(peer[1], "repr")
    compared = mismatched = 0
    report = []
    try:
        for k, path in enumerate(paths):
            _, rt = classify.parse(ref_lines[k])
            _, ct = classify.parse(worker.decode(k, path))
            bad = compare_reprs(rt, ct, exact_unicode)
            compared += sum(1 for t in rt if t.startswith("r"))
            mismatched += len(bad)
            for i in bad:
                report.append("repr\t%s\t%s item %d\n  ref:     %r\n  cpython: %r\n"
                              % (peer[0], path, i, bytes.fromhex(rt[i][1:]),
                                 bytes.fromhex(ct[i][1:])))
    finally:
        worker.stop()
    return compared, mismatched, report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seeds", help="CPython-written images, replayed with their mutants")
    ap.add_argument("--findings", action="append", default=[])
    ap.add_argument("--per-kind", type=int, default=6)
    ap.add_argument("--max-findings", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--values", type=int, default=200, help="random-value images for repr")
    args = ap.parse_args()

    peers = interpreters()
    if not peers:
        print("differential: SKIP (no CPython 3.8+ found)")
        return 0
    images = [im for im in collect(args) if im[2]]  # CPython cannot map 0 bytes
    shutil.rmtree(args.work, ignore_errors=True)
    rpeer, exact_unicode = repr_peer(peers)
    values = make_values(rpeer, os.path.join(args.work, "values"), args.values, args.seed) \
        if rpeer else []
    for path in values:
        with open(path, "rb") as f:
            images.append((os.path.basename(path), rpeer[2], f.read()))
    imgdir = os.path.join(args.work, "images")
    os.makedirs(imgdir)
    paths = []
    for k, (_, _, img) in enumerate(images):
        paths.append(os.path.join(imgdir, "%05d.bin" % k))
        with open(paths[-1], "wb") as f:
            f.write(img)
    ref_lines = run_ref(args.ref, paths)

    tally = collections.Counter()
    report = []
    for version, exe, gen in peers:
        worker = Worker(exe)
        try:
            for k, (origin, igen, img) in enumerate(images):
                if igen != gen:
                    continue
                cpy = worker.decode(k, paths[k])
                cls = classify.compare(img, gen, ref_lines[k], cpy)
                tally["compared"] += 1
                tally[cls or "agreed"] += 1
                if cls:
                    report.append("%s\t%s\t%s\t%s\n  ref:     %s\n  cpython: %s\n"
                                  % (cls, version, paths[k], origin, ref_lines[k], cpy))
        finally:
            worker.stop()

    # Where the layouts differ (class 8) the values differ too; skip those.
    repr_paths = [paths[k] for k, im in enumerate(images)
                  if rpeer and im[1] == "py39" and classify.detect(im[2]) == "py39"]
    rcompared, rbad, rreport = check_reprs(args, rpeer, exact_unicode, repr_paths) \
        if rpeer else (0, 0, [])
    report += rreport
    with open(os.path.join(args.work, "report.txt"), "w") as f:
        f.writelines(sorted(report))
    excused = {c: tally[c] for c in classify.CLASSES if tally[c]}
    print("differential: %d images, CPython %s: %d compared, %d agreed, %d excused %s, "
          "%d unclassified" % (len(images), " ".join(p[0] for p in peers), tally["compared"],
                               tally["agreed"], sum(excused.values()), excused,
                               tally["unclassified"]))
    if rpeer:
        print("differential: repr of %d items against CPython %s%s: %d differ"
              % (rcompared, rpeer[0], "" if exact_unicode else " (str: ASCII only)", rbad))
    if tally["unclassified"] or rbad:
        print("differential: FAILED, see %s" % os.path.join(args.work, "report.txt"))
        for kind in ("unclassified", "repr"):
            for line in sorted(report):
                if line.startswith(kind):
                    print(line, end="")
                    break
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
