"""A CPython peer for the lifecycle driver (lifecycle.c explains the protocol).

Runs on CPython 3.8 and later, standard library only. Handles are
multiprocessing.shared_memory.SharedMemory objects; on 3.13 and later they
are made with track=False, so no resource tracker is involved at all.

Before 3.13 every create and attach registers the block with this
interpreter's resource tracker, which would unlink it when the interpreter
exits. The peer plays fair with the scenarios by forgetting, at the end of
each one, every registration that CPython itself has not dropped (its
unlink() unregisters; close() does not).
"""
import os
import struct
import sys
from multiprocessing import shared_memory

TRACK_PARAM = sys.version_info >= (3, 13)
if not TRACK_PARAM:
    from multiprocessing import resource_tracker

# ShareableList([7]) in the py39 layout: N, offsets[0..1], the item,
# its format and its back-transform code.
IMAGE = struct.pack("qqqq8sb", 1, 0, 8, 7, b"q", 0)

handles = [None, None, None]
registered = set()  # tracker entries this process holds (before 3.13)


def open_block(name, create):
    kw = {"track": False} if TRACK_PARAM else {}
    if create:
        shm = shared_memory.SharedMemory(name, create=True, size=len(IMAGE), **kw)
        shm.buf[: len(IMAGE)] = IMAGE
    else:
        shm = shared_memory.SharedMemory(name, **kw)
    if not TRACK_PARAM:
        registered.add(shm._name)
    return shm


def check():
    fds = len(os.listdir("/proc/self/fd")) - 1  # listdir's own descriptor
    with open("/proc/self/maps") as f:
        maps = sum(1 for line in f if " /dev/shm/" in line)
    return "ok %d %d" % (fds, maps)


def handle(words):
    cmd = words[0]
    if cmd == "check":
        return check()
    if cmd == "end":
        for name in registered:
            resource_tracker.unregister(name, "shared_memory")
        registered.clear()
        for i in range(len(handles)):
            handles[i] = None
        return "ok"
    if cmd == "attachfail":
        open_block(words[1], False).close()
        return "ok"
    h = int(words[1])
    if cmd in ("create", "attach"):
        handles[h] = open_block(words[2], cmd == "create")
        return "ok"
    shm = handles[h]
    if cmd == "close":
        shm.close()
        return "ok"
    if cmd == "unlink":
        shm.unlink()  # before 3.13 this also unregisters
        registered.discard(shm._name)
        return "ok"
    if cmd == "use":
        return "ok %d" % struct.unpack_from("q", shm.buf, 24)[0]
    return "err bad-request"


def main():
    for line in sys.stdin:
        try:
            reply = handle(line.split())
        except Exception as e:  # the class name is the answer
            reply = "err " + type(e).__name__
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
