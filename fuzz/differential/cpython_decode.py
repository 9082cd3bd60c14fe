"""CPython's own reading of ShareableList images, one canonical line each
(the format of ref_decode.c). Runs under the interpreter being compared
(3.8 or later, standard library only).

Reads lines "<k> <path>" on stdin; for each, puts the bytes in a new
SharedMemory block named <prefix><k>, attaches ShareableList(name=...),
reads len() and every item, and unlinks the block. A corrupt header can
make CPython allocate without bound or loop for long, so the address space
is capped and each image has an alarm; MemoryError and the timeout become
error tokens like any other exception.

    python3.X cpython_decode.py PREFIX [repr]
With "repr", a value's token is r<hex of the UTF-8 of repr(value)>.
"""
import resource
import signal
import struct
import sys
from multiprocessing import resource_tracker, shared_memory



def untracked():
    """Keeps CPython's resource tracker out: this process (and gen_values.py,
    which imports this) unlinks every block it creates itself, and the
    tracker would only add a process and warnings about blocks attached twice."""
    resource_tracker.register = lambda *args, **kwargs: None
    resource_tracker.unregister = lambda *args, **kwargs: None


MEMORY_LIMIT = 1 << 30
SECONDS = 5


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


SHOW_REPR = False


def token(v):
    if SHOW_REPR:
        return "r" + repr(v).encode("utf-8", "surrogatepass").hex()
    if v is None:
        return "n"
    if isinstance(v, bool):
        return "b%d" % v
    if isinstance(v, int):
        return "i%d" % v
    if isinstance(v, float):
        return "f%016x" % struct.unpack("=Q", struct.pack("=d", v))[0]
    if isinstance(v, str):
        return "s" + v.encode("utf-8", "surrogatepass").hex()
    if isinstance(v, bytes):
        return "y" + v.hex()
    return "?" + type(v).__name__


def error(e):
    name = type(e).__name__
    return "struct.error" if name == "error" else name


def read(name):
    try:
        sl = shared_memory.ShareableList(name=name)
    except BaseException as e:  # noqa: B902 -- any exception is an answer
        if isinstance(e, KeyboardInterrupt):
            raise
        return "- !attach:" + error(e)
    try:
        n = len(sl)
        out = ["N=%d" % n]
        for i in range(max(n, 0)):
            try:
                out.append(token(sl[i]))
            except Exception as e:
                out.append("!" + error(e))
        return " ".join(out)
    finally:
        sl.shm.close()


def decode(name, data):
    shm = shared_memory.SharedMemory(name=name, create=True, size=len(data))
    try:
        shm.buf[:len(data)] = data
        signal.alarm(SECONDS)
        try:
            return read(name)
        except Exception as e:
            return "- !attach:" + error(e)
        finally:
            signal.alarm(0)
    finally:
        shm.close()
        shm.unlink()


def main():
    global SHOW_REPR
    prefix = sys.argv[1]
    SHOW_REPR = sys.argv[2:] == ["repr"]
    untracked()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.signal(signal.SIGALRM, on_alarm)
    for line in sys.stdin:
        k, path = line.rstrip("\n").split(" ", 1)
        with open(path, "rb") as f:
            data = f.read()
        print(decode(prefix + k, data), flush=True)


if __name__ == "__main__":
    main()
