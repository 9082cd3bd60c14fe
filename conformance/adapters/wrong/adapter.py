#!/usr/bin/env python3
"""Deliberately wrong adapters, for the harness's self-test: the suite must
catch each of these and say why. Usage: adapter.py MODE, MODE one of
  nul     reads str/bytes without stripping trailing NULs
  header  writes py38-style sizes into a py39 header
  blind   answers `ok` to every request but hello: every case must catch it
  listless  declares everything CPython does, but answers `err Unsupported`
          to every list_* command: its ShareableList cases must fail
  shm-only  the same, but declares SharedMemory alone (honest): its
          ShareableList cases are not run, and the statement says so
  leaky   a failed `shm_create NAME 0` leaves the block NAME behind
          (CPython raises ValueError and makes nothing)
  leaky-unnamed  the same, but the block left has a random name no reply
          reports (caught by listing, or, in a shared /dev/shm, because it
          appears at the same step when the case runs again)
  leaky-list  every list_create also leaves a block of a random name no
          reply reports (the vectors, which have no CPython run to compare
          with, must catch it too)
  v1      speaks protocol version 1 (a hello without version and features)
Everything else is the CPython adapter unchanged."""
import importlib.util
import os
import struct
import sys

MODE = sys.argv[1] if len(sys.argv) > 1 else "nul"
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "cpython_adapter", os.path.join(_here, "..", "cpython", "adapter.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

if MODE == "nul":
    base.shared_memory.ShareableList._back_transforms_mapping = {
        0: lambda v: v,
        1: lambda v: v.decode("utf8"),  # the bug: no rstrip(b"\0")
        2: lambda v: v,
        3: lambda v: None,
    }


class Wrong(base.Adapter):
    def do_hello(self):
        words = super().do_hello().split()
        if MODE == "v1":
            return " ".join(words[:3])
        if MODE == "shm-only":
            return " ".join(words[:1] + ["-"] + words[2:4] + ["shm"])
        return " ".join(words)

    def do_shm_create(self, h, name, size, opt=None):
        if MODE in ("leaky", "leaky-unnamed") and name != "-" and int(size) == 0:
            import _posixshmem  # the bug: the block is made before the size is checked
            if MODE == "leaky-unnamed":  # e.g. a temporary name, never reported
                name = "psm_" + os.urandom(4).hex()
            os.close(_posixshmem.shm_open("/" + name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600))
        return super().do_shm_create(h, name, size, opt)

    def __getattribute__(self, attr):
        if MODE in ("listless", "shm-only") and attr.startswith("do_list_"):
            raise AttributeError(attr)  # main() answers `err Unsupported`
        return object.__getattribute__(self, attr)

    def do_list_create(self, h, name, layout, *items):
        res = super().do_list_create(h, name, layout, *items)
        if MODE == "leaky-list":
            import _posixshmem  # the bug: a scratch block, never removed
            os.close(_posixshmem.shm_open("/psm_" + os.urandom(4).hex(),
                                          os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600))
        if MODE == "header":
            buf = self._list(h).shm.buf
            n = struct.unpack_from("q", buf, 0)[0]
            offs = struct.unpack_from("%dq" % (n + 1), buf, 8)
            for i in range(n):  # the bug: sizes where offsets belong
                struct.pack_into("q", buf, 8 + 8 * i, offs[i + 1] - offs[i])
        return res


def blind():
    for line in sys.stdin:
        w = line.split()
        hello = w[:1] == ["hello"]
        sys.stdout.write("ok blind-0 py38,py39 %d.%d.%d 2 shm,list,buffers,tracker\n"
                         % sys.version_info[:3] if hello else "ok\n")
        sys.stdout.flush()
        if w[:1] == ["quit"]:
            break


base.Adapter = Wrong
if __name__ == "__main__":
    blind() if MODE == "blind" else base.main()
