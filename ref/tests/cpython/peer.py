"""A CPython peer for test_cpython.py: reads one JSON command per line on
stdin, answers one JSON line on stdout. Runs on CPython 3.8 and later, and
leaves no block registered with its resource tracker (so its exit unlinks
nothing): every block it creates or attaches is unregistered at once.

Values travel tagged, exactly: ["int", i], ["float", ieee bits], ["bool", 0|1],
["none"], ["str", utf-8 hex], ["bytes", hex].
"""
import json
import struct
import sys
from multiprocessing import resource_tracker, shared_memory

SL = shared_memory.ShareableList


def tag(v):
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", int(v)]
    if isinstance(v, int):
        return ["int", v]
    if isinstance(v, float):
        return ["float", struct.unpack("<Q", struct.pack("<d", v))[0]]
    if isinstance(v, str):
        return ["str", v.encode("utf-8", "surrogatepass").hex()]
    return ["bytes", bytes(v).hex()]


def untag(t):
    k = t[0]
    if k == "none":
        return None
    if k == "bool":
        return bool(t[1])
    if k == "int":
        return t[1]
    if k == "float":
        return struct.unpack("<d", struct.pack("<Q", t[1]))[0]
    if k == "str":
        return bytes.fromhex(t[1]).decode("utf-8", "surrogatepass")
    return bytes.fromhex(t[1])


def truncates(v):
    """Whether CPython's character-count slot is too small for v's UTF-8."""
    return isinstance(v, str) and len(v.encode()) > 8 * (len(v) // 8 + 1)


def exc_name(e):
    """The exception's class name, as "struct.error" for struct's."""
    name = type(e).__name__
    if type(e).__module__ == "struct":
        return "struct." + name
    return name


def untrack(shm):
    resource_tracker.unregister(shm._name, "shared_memory")


def done(sl):
    sl.shm.close()
    untrack(sl.shm)


def read(cmd):
    sl = SL(name=cmd["name"])
    try:
        out = {"len": len(sl), "image": bytes(sl.shm.buf).hex(), "items": []}
        for i in range(len(sl)):
            try:
                v = sl[i]
                out["items"].append({"repr": repr(v), "val": tag(v)})
            except Exception as e:
                out["items"].append({"exc": exc_name(e)})
        try:
            out["list_repr"] = repr(list(sl))
        except Exception as e:
            out["list_exc"] = exc_name(e)
        try:
            out["format"] = sl.format
        except Exception as e:
            out["format_exc"] = exc_name(e)
        return out
    finally:
        done(sl)


def handle(cmd):
    op = cmd["op"]
    if op == "create":
        sl = SL([untag(t) for t in cmd["items"]])
        out = {"name": sl.shm.name, "image": bytes(sl.shm.buf).hex()}
        done(sl)
        return out
    if op == "read":
        return read(cmd)
    if op == "set":
        sl = SL(name=cmd["name"])
        out = {}
        try:
            sl[cmd["index"]] = untag(cmd["value"])
        except Exception as e:
            out["exc"] = exc_name(e)
        out["image"] = bytes(sl.shm.buf).hex()
        done(sl)
        return out
    if op == "shm_create":
        shm = shared_memory.SharedMemory(create=True, size=cmd["size"])
        shm.buf[:len(bytes.fromhex(cmd["hex"]))] = bytes.fromhex(cmd["hex"])
        out = {"name": shm.name, "size": shm.size}
        shm.close()
        untrack(shm)
        return out
    if op == "shm_read":
        try:
            shm = shared_memory.SharedMemory(name=cmd["name"])
        except Exception as e:
            return {"exc": exc_name(e)}
        out = {"size": shm.size, "hex": bytes(shm.buf).hex()}
        if "write" in cmd:
            data = bytes.fromhex(cmd["write"])
            shm.buf[:len(data)] = data
        shm.close()
        untrack(shm)
        return out
    if op == "version":
        import unicodedata
        return {"version": list(sys.version_info[:3]), "unidata": unicodedata.unidata_version}
    raise ValueError("unknown op %r" % op)


def main():
    for line in sys.stdin:
        try:
            out = handle(json.loads(line))
        except Exception as e:
            out = {"peer_error": "%s: %s" % (exc_name(e), e)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
