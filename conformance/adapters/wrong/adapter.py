#!/usr/bin/env python3
"""Deliberately wrong adapters, for the harness's self-test: the suite must
catch each of these and say why. Usage: adapter.py MODE, MODE one of
  nul     reads str/bytes without stripping trailing NULs
  header  writes py38-style sizes into a py39 header
  blind   answers `ok` to every request but hello: every case must catch it
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
    def do_list_create(self, h, name, layout, *items):
        res = super().do_list_create(h, name, layout, *items)
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
        sys.stdout.write("ok blind-0 py38,py39 %d.%d.%d\n" % sys.version_info[:3] if hello else "ok\n")
        sys.stdout.flush()
        if w[:1] == ["quit"]:
            break


base.Adapter = Wrong
if __name__ == "__main__":
    blind() if MODE == "blind" else base.main()
