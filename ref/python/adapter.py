"""Conformance adapter for the pyshm module: conformance/adapters/cpython's
adapter with multiprocessing.shared_memory's classes replaced by pyshm's,
and the layout of list_create/list_attach passed on (pyshm reads and writes
both generations on any interpreter; "auto" is its default).

    PYTHONPATH=build/python/<X.Y> python3.X ref/python/adapter.py [--track]

speaks conformance/PROTOCOL.md on stdin/stdout, as the CPython adapter does.
"""
import importlib.util
import os
import sys

import pyshm
from multiprocessing import shared_memory

shared_memory.SharedMemory = pyshm.SharedMemory
shared_memory.ShareableList = pyshm.ShareableList

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location(
    "cpython_adapter", os.path.join(ROOT, "conformance", "adapters", "cpython", "adapter.py"))
base = importlib.util.module_from_spec(spec)
spec.loader.exec_module(base)


def layout(word):
    if word not in ("auto", "py38", "py39"):
        raise base.ProtocolError("unknown layout %s" % word)
    return None if word == "auto" else word


class Adapter(base.Adapter):
    def do_hello(self):
        # The module, not the interpreter, is the implementation; it writes
        # both layouts, behaves as the CPython running it, and has what the
        # CPython adapter declares (buffers: buf is a memoryview).
        return "pyshm-python-%s py38,py39 %d.%d.%d %s %s" % (
            getattr(pyshm, "__version__", "0"), *sys.version_info[:3], base.PROTOCOL, base.FEATURES)

    def do_list_create(self, h, name, lay, *items):
        values = [base.decode_value(t) for t in items]
        sl = pyshm.ShareableList(values, name=None if name == "-" else name, layout=layout(lay))
        self.lists[h] = sl
        return sl.shm.name

    def do_list_attach(self, h, name, lay="auto"):
        sl = pyshm.ShareableList(name=name, layout=layout(lay))
        self.lists[h] = sl
        return str(len(sl))


base.Adapter = Adapter
if __name__ == "__main__":
    base.main()
