"""Handoff by pickling: the producer sends a bytes payload to a consumer
process through multiprocessing.Pipe or multiprocessing.Queue; the consumer
unpickles it and reads every byte. This is the baseline zero-copy sharing
is measured against.

usage: handoff_pickle.py --transport pipe|queue --check crc32|numpy SIZE...

A handoff is timed in the producer from the call that sends the payload
until the consumer's answer (checksum) comes back, so it covers pickling,
the transfer, unpickling and the read. The consumer process is started
once, before any payload exists.
"""
import argparse
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def consumer(transport, check, data, replies):
    read = common.checksum(check)
    ns = common.time.perf_counter_ns
    while True:
        t0 = ns()
        payload = data.get() if transport == "queue" else data.recv()
        if payload is None:
            break
        t1 = ns()
        checksum = read(payload)
        t2 = ns()
        del payload
        replies.send((checksum, t1 - t0, t2 - t1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--transport", choices=["pipe", "queue"], default="pipe")
    ap.add_argument("--check", choices=["crc32", "numpy"], default="crc32")
    ap.add_argument("--label")
    common.add_repeat_args(ap)
    args = ap.parse_args()
    read = common.checksum(args.check)

    # spawn: the consumer starts clean and shares no pages with the producer.
    ctx = multiprocessing.get_context("spawn")
    reply_recv, reply_send = ctx.Pipe(duplex=False)
    if args.transport == "queue":
        data = ctx.Queue()
        send = data.put
        child_data = data
    else:
        parent, child_data = ctx.Pipe()
        send = parent.send
    proc = ctx.Process(target=consumer, args=(args.transport, args.check, child_data, reply_send))
    proc.start()

    result = {"kind": "handoff", "method": args.label or "pickle-" + args.transport, "producer": "cpython",
              "version": common.version(), "check": args.check, "sizes": []}
    ns = common.time.perf_counter_ns

    def make_once(size, payload, expect):
        def once():
            t0 = ns()
            send(payload)
            t1 = ns()
            checksum, recv_ns, read_ns = reply_recv.recv()
            t2 = ns()
            if checksum != expect:
                raise SystemExit("pickle: checksum mismatch at size %d" % size)
            return {"total": (t2 - t0) * 1e-9, "send": (t1 - t0) * 1e-9,
                    "receive": recv_ns * 1e-9, "read": read_ns * 1e-9}
        return once

    try:
        result["sizes"] = common.time_sizes(args, read, make_once)
    finally:
        send(None)
        proc.join()
    common.write_json(result, args.out)


if __name__ == "__main__":
    main()
