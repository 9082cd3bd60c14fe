"""Writes ShareableList images of random values, for comparing the
reference's repr() of each item with CPython's: floats from random bits
(every NaN payload, subnormals, integers past 2**53), ints at every
magnitude, str from all Unicode planes (controls, combining marks,
unassigned and private-use code points, quotes and backslashes), bytes
with every byte value. Runs under the interpreter being compared.

    python3.X gen_values.py OUTDIR COUNT SEED
"""
import os
import random
import struct
import sys
from multiprocessing import shared_memory

sys.dont_write_bytecode = True  # keep the source tree clean
from cpython_decode import untracked  # noqa: E402

RANGES = [(0x20, 0x7E), (0x00, 0x1F), (0x7F, 0xA0), (0xA0, 0x2FF), (0x300, 0x36F),
          (0x370, 0x1FFF), (0x2000, 0x206F), (0x2070, 0xD7FF), (0xE000, 0xF8FF),
          (0xF900, 0xFFFF), (0x10000, 0x1FFFF), (0x20000, 0x3FFFF), (0xE0000, 0xE01EF),
          (0xF0000, 0x10FFFF)]


def rand_str(rng):
    out = []
    for _ in range(rng.randint(0, 12)):
        r = rng.random()
        if r < 0.15:
            out.append(rng.choice("'\"\\\t\n\r"))
        else:
            lo, hi = rng.choice(RANGES)
            out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def rand_float(rng):
    r = rng.random()
    if r < 0.5:
        return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
    if r < 0.7:
        return rng.choice([0.0, -0.0, 0.1, 1e16, 1e-5, 1e-4, 123456789012345678.0, 1e22, 1e23,
                           2.0**63, -2.0**63, 2.0**53 + 2, 5e-324, 1.7976931348623157e308,
                           float("inf"), -float("inf"), float("nan")])
    return rng.uniform(-10, 10) * 10 ** rng.randint(-30, 30)


def rand_value(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return rand_float(rng)
    if kind == 1:
        return rng.randint(-2**63, 2**63 - 1) >> rng.randrange(64)
    if kind == 2:
        return rand_str(rng)
    if kind == 3:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12)))
    return rng.choice([True, False, None])


def main():
    outdir, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    untracked()
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    for k in range(count):
        sl = shared_memory.ShareableList([rand_value(rng) for _ in range(20)])
        try:
            with open(os.path.join(outdir, "values-%04d.bin" % k), "wb") as f:
                f.write(bytes(sl.shm.buf))
        finally:
            sl.shm.close()
            sl.shm.unlink()


if __name__ == "__main__":
    main()
