#!/usr/bin/env python3
"""Conformance adapter for CPython's multiprocessing.shared_memory.

Speaks the line protocol of conformance/PROTOCOL.md (version 2) on
stdin/stdout. Standard library only; runs on Python 3.6 and later. The layout
generation it writes is the interpreter's own: py38 on 3.8, py39 on 3.9 and
later.

Resource tracker. CPython 3.8-3.12 register every block with the resource
tracker on create *and* on attach, and the tracker unlinks whatever is still
registered when the interpreter exits. Left alone, this adapter's exit would
unlink blocks the other side of a scenario still uses. So, unless started
with --track:
  - SharedMemory gets track=False where the interpreter has it (3.13+);
  - everywhere else (all of 3.8-3.12, and ShareableList on 3.13, which has
    no track parameter) the adapter replaces resource_tracker.register and
    resource_tracker.unregister with no-ops for "shared_memory" before any
    block is made, so no block is ever registered and no tracker process is
    started for it. CPython's own code paths are otherwise unchanged.
With --track nothing is patched and CPython behaves as it does by default;
the request `tracking default` does the same from then on. The suite's
tracker group uses both to observe what a process's exit does to a block.

The implementation under test is the `multiprocessing.shared_memory` of the
interpreter running this file. Any drop-in module serves as well (a
backport for an older Python, another implementation), with no copy of
this file:
  --module NAME     take SharedMemory and ShareableList from module NAME
  --match VERSION   the CPython version it claims to behave as (hello's
                    MATCHES; default: the interpreter's own version)
  --name NAME       the implementation's name in reports (default:
                    sys.implementation's, e.g. cpython-3.12.1)
It runs on Python 3.6 and later (where backports live); the layout it
declares follows --match (py38 for 3.8 and before, py39 after).
"""
import importlib
import struct
import sys

try:
    from multiprocessing import resource_tracker
except ImportError:  # Python before 3.8: no resource tracker for shared memory
    resource_tracker = None


def _option(flag):
    args = sys.argv[1:]
    return args[args.index(flag) + 1] if flag in args[:-1] else None


PROTOCOL = "2"
TRACK = "--track" in sys.argv[1:]
MODULE = _option("--module")
if MODULE:
    shared_memory = importlib.import_module(MODULE)
else:
    try:
        from multiprocessing import shared_memory
    except ImportError:
        sys.exit("adapter.py: Python %d.%d has no multiprocessing.shared_memory (3.8+); name a "
                 "module that provides it with --module NAME" % sys.version_info[:2])
MATCHES = _option("--match") or "%d.%d.%d" % sys.version_info[:3]
try:
    _claimed = tuple(int(x) for x in MATCHES.split(".")[:2])
except ValueError:
    sys.exit("adapter.py: --match takes a CPython version such as 3.8 or 3.9.16, not %r" % MATCHES)
GENERATION = "py38" if _claimed < (3, 9) else "py39"


def _has_track_param():
    """SharedMemory(..., track=) exists (CPython 3.13, and modules like it)."""
    try:
        import inspect
        return "track" in inspect.signature(shared_memory.SharedMemory).parameters
    except (TypeError, ValueError):  # a C type without a signature
        return sys.version_info >= (3, 13)


HAS_TRACK_PARAM = _has_track_param()
FEATURES = "shm,list,buffers" + (",tracker" if resource_tracker else "")
if resource_tracker:
    _register, _unregister = resource_tracker.register, resource_tracker.unregister

if not TRACK and resource_tracker:

    def _quiet_register(name, rtype):
        if rtype != "shared_memory":
            _register(name, rtype)

    def _quiet_unregister(name, rtype):
        if rtype != "shared_memory":
            _unregister(name, rtype)

    resource_tracker.register = _quiet_register
    resource_tracker.unregister = _quiet_unregister


class ProtocolError(Exception):
    """A malformed request; reported as ProtocolError, never a Python class."""


class Unsupported(Exception):
    """A request this adapter cannot carry out (e.g. a foreign layout)."""


# The value words below repeat conformance/harness/values.py (word/parse) on
# purpose: this adapter is the model other implementers copy, and it must run
# as one standalone file under any CPython 3.8+, importing nothing from the
# harness. Keep the two in step with PROTOCOL.md ("Values").
def decode_value(tok):
    kind, _, val = tok.partition(":")
    if kind == "none" and not val:
        return None
    if kind == "int":
        return int(val)
    if kind == "float":
        if len(val) != 16:
            raise ProtocolError("float needs 16 hex digits")
        return struct.unpack("<d", bytes.fromhex(val)[::-1])[0]
    if kind == "bool":
        if val not in ("0", "1"):
            raise ProtocolError("bool is 0 or 1")
        return val == "1"
    if kind == "str":
        return bytes.fromhex(val).decode("utf-8", "surrogatepass")
    if kind == "bytes":
        return bytes.fromhex(val)
    raise ProtocolError("bad value %r" % tok)


def encode_value(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "bool:%d" % v
    if isinstance(v, int):
        return "int:%d" % v
    if isinstance(v, float):
        return "float:" + struct.pack("<d", v)[::-1].hex()
    if isinstance(v, str):
        return "str:" + v.encode("utf-8", "surrogatepass").hex()
    if isinstance(v, (bytes, bytearray)):
        return "bytes:" + bytes(v).hex()
    raise ProtocolError("cannot encode %s" % type(v).__name__)


def implementation_name():
    """NAME-VERSION of the Python implementation running this adapter, from
    sys.implementation (`cpython-3.12.1`, `pypy-7.3.11`), or --name."""
    given = _option("--name")
    if given:
        return given
    impl = sys.implementation
    v = impl.version
    ver = "%d.%d.%d" % (v.major, v.minor, v.micro)
    if v.releaselevel != "final":
        ver += "%s%d" % (v.releaselevel[0], v.serial)
    return "%s-%s" % (impl.name, ver)


NAME = implementation_name()


def exc_name(e):
    if isinstance(e, struct.error):
        return "struct.error"
    return type(e).__name__


class Adapter:
    def __init__(self):
        self.shms = {}   # handle -> SharedMemory
        self.lists = {}  # handle -> ShareableList
        self.views = {}  # handle -> memoryview slice of a block's buf
        self.tracking = TRACK
        self.last_error = None

    def _shm(self, h):
        if h not in self.shms:
            raise ProtocolError("unknown block handle %s" % h)
        return self.shms[h]

    def _list(self, h):
        if h not in self.lists:
            raise ProtocolError("unknown list handle %s" % h)
        return self.lists[h]

    # -- SharedMemory ------------------------------------------------------
    def _new_shm(self, name, create, size, track=None):
        kw = {"track": False} if HAS_TRACK_PARAM and not self.tracking else {}
        if track is not None:  # asked for explicitly: passed as asked, even where
            kw["track"] = track  # the interpreter has no such parameter
        return shared_memory.SharedMemory(name, create=create, size=size, **kw)

    @staticmethod
    def _track_arg(opt):
        if opt is None:
            return None
        if opt not in ("track=0", "track=1"):
            raise ProtocolError("expected track=0 or track=1, got %s" % opt)
        return opt == "track=1"

    def do_shm_create(self, h, name, size, opt=None):
        shm = self._new_shm(None if name == "-" else name, True, int(size), self._track_arg(opt))
        self.shms[h] = shm
        return "%s %d" % (shm.name, shm.size)

    def do_shm_attach(self, h, name, opt=None):
        shm = self._new_shm(None if name == "-" else name, False, 0, self._track_arg(opt))
        self.shms[h] = shm
        return "%s %d" % (shm.name, shm.size)

    def do_shm_info(self, h):
        shm = self._shm(h)
        return "%s %d" % (shm.name, shm.size)

    def do_shm_read(self, h, off, n):
        off, n = int(off), int(n)
        return bytes(self._shm(h).buf[off:off + n]).hex() or "-"

    def do_shm_write(self, h, off, data):
        data = b"" if data == "-" else bytes.fromhex(data)
        off = int(off)
        self._shm(h).buf[off:off + len(data)] = data

    def do_shm_dump(self, h):
        return bytes(self._shm(h).buf).hex() or "-"

    def do_shm_close(self, h):
        self._shm(h).close()

    # -- exported buffers --------------------------------------------------
    def _new_view(self, v, buf, off, n):
        off, n = int(off), int(n)
        self.views[v] = buf[off:off + n]  # buf is None after close: TypeError

    def do_shm_view(self, h, v, off, n):
        self._new_view(v, self._shm(h).buf, off, n)

    def do_list_view(self, h, v, off, n):
        self._new_view(v, self._list(h).shm.buf, off, n)

    def _view(self, v):
        if v not in self.views:
            raise ProtocolError("unknown view handle %s" % v)
        return self.views[v]

    def do_view_read(self, v):
        return bytes(self._view(v)).hex() or "-"

    def do_view_release(self, v):
        self._view(v).release()

    def do_shm_unlink(self, h):
        self._shm(h).unlink()

    # -- ShareableList -----------------------------------------------------
    def do_list_create(self, h, name, layout, *items):
        if layout not in ("auto", GENERATION):
            raise Unsupported("this interpreter writes %s only" % GENERATION)
        values = [decode_value(t) for t in items]
        sl = shared_memory.ShareableList(values, name=None if name == "-" else name)
        self.lists[h] = sl
        return sl.shm.name

    def do_list_attach(self, h, name, layout="auto"):
        if layout not in ("auto", GENERATION):
            raise Unsupported("this interpreter reads %s only" % GENERATION)
        sl = shared_memory.ShareableList(name=name)
        self.lists[h] = sl
        return str(len(sl))

    def do_list_name(self, h):
        return self._list(h).shm.name

    def do_list_len(self, h):
        return str(len(self._list(h)))

    def do_list_get(self, h, i):
        return encode_value(self._list(h)[int(i)])

    def do_list_set(self, h, i, tok):
        self._list(h)[int(i)] = decode_value(tok)

    def do_list_format(self, h):
        return self._list(h).format

    def do_list_count(self, h, tok):
        return str(self._list(h).count(decode_value(tok)))

    def do_list_index(self, h, tok):
        return str(self._list(h).index(decode_value(tok)))

    def do_list_dump(self, h):
        return bytes(self._list(h).shm.buf).hex() or "-"

    def do_list_close(self, h):
        self._list(h).shm.close()

    def do_list_unlink(self, h):
        self._list(h).shm.unlink()

    # -- session -----------------------------------------------------------
    def do_hello(self):
        return "%s %s %s %s %s" % (NAME, GENERATION, MATCHES, PROTOCOL, FEATURES)

    def do_tracking(self, mode):
        """`default`: from now on, blocks are registered with the resource
        tracker exactly as this interpreter does by default."""
        if mode != "default":
            raise ProtocolError("tracking takes `default`")
        if resource_tracker is None:
            raise Unsupported("no resource tracker on this interpreter")
        resource_tracker.register, resource_tracker.unregister = _register, _unregister
        self.tracking = True

    def do_err_detail(self):
        e = self.last_error
        if not isinstance(e, OSError):
            return None
        fn = e.filename
        return "errno=%s filename=%s" % (
            "none" if e.errno is None else e.errno,
            "none" if fn is None else encode_value(fn if isinstance(fn, (str, bytes)) else str(fn)))

    def do_reset(self):
        # Close (never unlink) everything; the harness unlinks what it made.
        for v in self.views.values():
            v.release()
        for obj in list(self.shms.values()) + [sl.shm for sl in self.lists.values()]:
            try:
                obj.close()
            except Exception:
                pass
        self.shms.clear()
        self.lists.clear()
        self.views.clear()


def main():
    ad = Adapter()
    out = sys.stdout
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            ad.do_reset()
            out.write("ok\n")
            out.flush()
            break
        fn = getattr(ad, "do_" + words[0], None)
        try:
            if fn is None:
                raise Unsupported(words[0])
            try:
                res = fn(*words[1:])
            except TypeError as e:
                # A wrong argument count is the harness's fault, not CPython's.
                if "positional argument" in str(e) and e.__traceback__.tb_next is None:
                    raise ProtocolError(str(e))
                raise
            reply = "ok" if res is None or res == "" else "ok " + res
        except Unsupported as e:
            reply = "err Unsupported %s" % e
        except ProtocolError as e:
            reply = "err ProtocolError %s" % e
        except BaseException as e:  # every CPython error is data, even MemoryError
            ad.last_error = e
            msg = " ".join(str(e).split())[:200]
            reply = ("err %s %s" % (exc_name(e), msg)).rstrip()
        out.write(reply + "\n")
        out.flush()


if __name__ == "__main__":
    main()
