"""Helpers shared by the Python benchmarks: statistics computed exactly as
the C side computes them, sizes, the payload, checksums, and the
resource-tracker detail every attaching process must handle.

Standard library only (numpy is optional and imported where used); runs on
CPython 3.8 and later.
"""
import json
import sys
import time
import zlib

now = time.perf_counter


def quantile(sorted_values, q):
    """Linear interpolation between order statistics (numpy's default),
    the same as bench/c/common.c."""
    n = len(sorted_values)
    pos = q * (n - 1)
    lo = int(pos)
    if lo + 1 >= n:
        return sorted_values[-1]
    return sorted_values[lo] + (pos - lo) * (sorted_values[lo + 1] - sorted_values[lo])


def median(values):
    return quantile(sorted(values), 0.5)


def summarize(samples):
    s = sorted(samples)
    return {"n": len(s), "median": quantile(s, 0.5), "min": s[0], "max": s[-1],
            "p25": quantile(s, 0.25), "p75": quantile(s, 0.75)}


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


def make_payload(size):
    """A payload of size bytes whose every 256-byte run differs in position,
    built at memcpy speed (no per-byte Python work)."""
    block = bytes(range(256))
    return (block * (size // 256 + 1))[:size]


def crc32(buf):
    """Reads every byte; zlib's CRC-32 is the fastest whole-buffer pass the
    standard library offers (several GB/s), so a pure-Python consumer is
    not made artificially slow by its checksum."""
    return zlib.crc32(buf)


def sum64(buf, count=-1):
    """Wrapping sum of native 64-bit words (the first count, or all), as
    the C consumer computes it, through a zero-copy view that is gone when
    this returns. numpy only: in pure Python this would take seconds per GiB."""
    import numpy as np
    words = np.frombuffer(buf, dtype=np.uint64, count=count)
    with np.errstate(over="ignore"):
        return int(words.sum(dtype=np.uint64))


def checksum(check):
    """The checksum of a --check mode: sum64 for numpy, else crc32."""
    return sum64 if check == "numpy" else crc32


def untrack(shm):
    """Stops this process's resource tracker from unlinking a block it only
    attached to. CPython 3.8-3.12 (and 3.13 unless track=False is passed)
    register a block on attach, and their tracker unlinks it, with a warning,
    when the attaching interpreter exits -- pulling it from under the owner.
    The owner unlinks its blocks itself."""
    from multiprocessing import resource_tracker
    resource_tracker.unregister(shm._name, "shared_memory")


def write_json(obj, out=None):
    text = json.dumps(obj, indent=1)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")


def version():
    return "%d.%d.%d" % sys.version_info[:3]


def repeat(once, min_time, min_reps, max_reps):
    """Calls once() for warm-up, then until min_time has been spent (at
    least min_reps, at most max_reps times), as bench/c/handoff.c does.
    once() returns a dict of timings with a "total" key."""
    once()
    samples, spent = [], 0.0
    while len(samples) < max_reps and (len(samples) < min_reps or spent < min_time):
        s = once()
        samples.append(s)
        spent += s["total"]
    return {key: summarize([s[key] for s in samples]) for key in samples[0]}


def time_sizes(args, read, make_once):
    """For each of args.sizes: the payload and its checksum read(payload),
    then repeat() over make_once(size, payload, expect), which returns the
    once() to time. Returns the stats of each size, with its "size"."""
    out = []
    for text in args.sizes:
        size = parse_size(text)
        payload = make_payload(size)
        stats = repeat(make_once(size, payload, read(payload)),
                       args.min_time, args.min_reps, args.max_reps)
        stats["size"] = size
        out.append(stats)
        del payload  # before the next, possibly large, payload is built
    return out


def add_repeat_args(parser):
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("--min-reps", type=int, default=3)
    parser.add_argument("--max-reps", type=int, default=50)
    parser.add_argument("--out")
    parser.add_argument("sizes", nargs="+")
