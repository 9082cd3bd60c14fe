"""A CPython consumer for the handoff benchmarks: attaches each block it is
told about by name, reads every byte of it in place, closes it and answers
with the checksum and its own timings.

usage: consumer.py crc32|numpy
Protocol (the one bench/c/handoff.c speaks), one line each way:
  in:  "NAME SIZE"   ("quit" ends)
  out: "CHECKSUM ATTACH_NS READ_NS CLOSE_NS"
crc32: pure Python, zlib.crc32 over a memoryview of the block.
numpy: a zero-copy numpy view of the block, summed as 64-bit words.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multiprocessing.shared_memory import SharedMemory  # noqa: E402

import common  # noqa: E402


def read_crc32(shm, size):
    view = shm.buf[:size]
    try:
        return common.crc32(view)
    finally:
        view.release()  # a live export would make close() fail


def read_numpy(shm, size):
    return common.sum64(shm.buf, size // 8)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "crc32"
    read = {"crc32": read_crc32, "numpy": read_numpy}[mode]
    if mode == "numpy":
        import numpy  # noqa: F401  (imported before any timing)
    ns = common.time.perf_counter_ns
    for line in sys.stdin:
        if line.startswith("quit"):
            break
        name, size = line.split()
        size = int(size)
        t0 = ns()
        shm = SharedMemory(name=name)
        common.untrack(shm)
        t1 = ns()
        checksum = read(shm, size)
        t2 = ns()
        shm.close()
        t3 = ns()
        sys.stdout.write("%d %d %d %d\n" % (checksum, t1 - t0, t2 - t1, t3 - t2))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
