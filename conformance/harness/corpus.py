"""Sequences for the layout group: hand-picked edge cases and a seeded
random generator. Items CPython itself truncates (non-ASCII str whose UTF-8
outgrows the character-count slot) are left to the defects group."""
import random

from . import values as V

SEED = 20240601
RANDOM_SEQUENCES = 300

NAN_BITS = [0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000000001,
            0x7ff0000000000001, 0x7fffffffffffffff, 0xfff0000000dead00]
FLOAT_BITS = NAN_BITS + [0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 1,
                         0x000fffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000,
                         0x3fb999999999999a]
INTS = [0, 1, -1, 7, 8, 255, 256, -256, (1 << 31) - 1, -(1 << 31), 1 << 32,
        V.INT64_MAX, V.INT64_MIN, V.INT64_MAX - 1, V.INT64_MIN + 1]
MB = ["é", "ß", "€", "中", "😀", "\u0800", "\U0010ffff", "\x7f", "\x80"]


def fits(s):
    return not V.truncated_by_cpython(s)


def hand_picked():
    seqs = [("empty", [])]
    seqs += [("int-%d" % i, [v]) for i, v in enumerate(INTS)]
    seqs += [("float-%016x" % b, [V.fbits(b)]) for b in FLOAT_BITS]
    seqs += [("bool", [True, False]), ("none", [None]), ("none-3", [None, None, None])]
    # str and bytes around every multiple of 8 up to 72, both sides of each.
    for n in range(0, 74):
        seqs.append(("str-len-%d" % n, ["abcdefghij"[n % 10] * n]))
        seqs.append(("bytes-len-%d" % n, [bytes(range(1, n + 1))]))
    for k in (7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025):
        seqs.append(("str-trailing-nul-%d" % k, ["x" * (k - 1) + "\0"]))
        seqs.append(("bytes-nuls-%d" % k, [b"\0" * k]))
    seqs.append(("str-inner-nul", ["a\0b", "\0a"]))
    for ch in MB:
        for count in range(1, 12):
            s = ch * count
            if fits(s):
                seqs.append(("utf8-%04x-x%d" % (ord(ch), count), [s]))
            s = "a" * (8 * count - 2) + ch
            if fits(s):
                seqs.append(("utf8-%04x-after-%d" % (ord(ch), 8 * count - 2), [s]))
    seqs.append(("all-types", [1, 2.5, True, False, None, "str", b"bytes", "", b"",
                               V.INT64_MIN, V.fbits(NAN_BITS[2]), -0.0]))
    seqs.append(("long-str-1000", ["z" * 1000]))
    seqs.append(("bytes-1MiB", [bytes([0xab]) * (1 << 20)]))
    seqs.append(("bytes-1MiB-plus-mixed", [0, bytes(range(256)) * 4096 + b"\x01", "end", None]))
    seqs.append(("list-10000", ten_thousand()))
    return seqs


def ten_thousand():
    out = []
    for i in range(10000):
        k = i % 6
        out.append([i * 7919 - 5000, float(i) / 3, i % 2 == 0, None,
                    "s%d" % i, b"b" * (i % 19)][k])
    return out


def rand_str(r):
    n = r.choice([0, 1, 3, 6, 7, 8, 9, 15, 16, 17, 23, 24, 25, r.randrange(0, 90)])
    alphabet = "abc xyz\0\t\n" if r.random() < 0.6 else "aé€😀\0ßz"
    s = "".join(r.choice(alphabet) for _ in range(n))
    while not fits(s):
        s = s[:-1]  # multi-byte characters CPython would truncate
    return s


def rand_item(r):
    t = r.randrange(8)
    if t == 0:
        return r.choice(INTS + [r.randrange(V.INT64_MIN, V.INT64_MAX + 1)])
    if t == 1:
        return V.fbits(r.choice(FLOAT_BITS + [r.getrandbits(64)]))
    if t == 2:
        return r.random() < 0.5
    if t == 3:
        return None
    if t in (4, 5):
        return rand_str(r)
    n = r.choice([0, 1, 7, 8, 9, 16, 17, r.randrange(0, 200)])
    return bytes(r.getrandbits(8) if r.random() < 0.8 else 0 for _ in range(n))


def random_sequences(count=RANDOM_SEQUENCES, seed=SEED):
    r = random.Random(seed)
    out = []
    for k in range(count):
        n = r.choice([0, 1, 2, 3, 5, 8, 13, r.randrange(0, 40)])
        out.append(("random-%03d" % k, [rand_item(r) for _ in range(n)]))
    return out


def random_sets(items, r, count):
    """(index, value) pairs; roughly a third exceed their slot on purpose."""
    out = []
    for _ in range(count):
        i = r.randrange(len(items))
        if r.random() < 0.15:
            i -= len(items)  # negative index
        out.append((i, rand_item(r)))
    return out
