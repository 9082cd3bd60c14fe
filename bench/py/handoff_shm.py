"""Handoff through CPython's SharedMemory: the producer creates a block,
writes the payload into it, and passes only the name to a consumer process,
which attaches by name and reads every byte in place (bench/py/consumer.py,
or any program speaking its protocol).

usage: handoff_shm.py --label L --check crc32|numpy SIZE... -- CONSUMER...

Timed exactly as bench/c/handoff.c times the C producer: "total" from
before the block is created until the consumer's answer, "handoff" from
passing the name until the answer. Unlinking follows, off the clock.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multiprocessing.shared_memory import SharedMemory  # noqa: E402

import common  # noqa: E402


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        raise SystemExit("usage: handoff_shm.py [options] SIZE... -- CONSUMER...")
    split = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", default="cpython-shm")
    ap.add_argument("--check", choices=["crc32", "numpy"], default="crc32")
    common.add_repeat_args(ap)
    args = ap.parse_args(argv[:split])
    read = common.checksum(args.check)

    child = subprocess.Popen(argv[split + 1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             universal_newlines=True, bufsize=1)
    result = {"kind": "handoff", "method": args.label, "producer": "cpython",
              "version": common.version(), "check": args.check, "sizes": []}
    ns = common.time.perf_counter_ns

    def make_once(size, payload, expect):
        def once():
            t0 = ns()
            shm = SharedMemory(create=True, size=size)
            try:
                t1 = ns()
                shm.buf[:size] = payload
                t2 = ns()
                child.stdin.write("%s %d\n" % (shm.name, size))
                child.stdin.flush()
                answer = child.stdout.readline().split()
                t3 = ns()
            finally:
                shm.close()
                shm.unlink()
            if len(answer) != 4:
                raise SystemExit("handoff_shm: the consumer did not answer")
            checksum, attach, read_ns, close = (int(x) for x in answer)
            if checksum != expect:
                raise SystemExit("handoff_shm: checksum mismatch at size %d" % size)
            return {"total": (t3 - t0) * 1e-9, "handoff": (t3 - t2) * 1e-9,
                    "create": (t1 - t0) * 1e-9, "write": (t2 - t1) * 1e-9,
                    "attach": attach * 1e-9, "read": read_ns * 1e-9, "close": close * 1e-9}
        return once

    try:
        result["sizes"] = common.time_sizes(args, read, make_once)
    finally:
        child.stdin.write("quit\n")
        child.stdin.close()
        child.wait()
    common.write_json(result, args.out)


if __name__ == "__main__":
    main()
