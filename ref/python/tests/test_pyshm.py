"""The pyshm module's own tests (standard library only).

Run with the module importable (PYTHONPATH=build/python/<X.Y>). PYSHM_PEERS
may list other interpreters, "label=path label=path ...", for the
cross-version interop cases (they run the stdlib's module only).
"""
import errno
import gc
import os
import pickle
import random
import struct
import subprocess
import sys
import time
import unittest
from multiprocessing import shared_memory as stdlib

import pyshm

PY38 = sys.version_info[:2] == (3, 8)
PY313 = sys.version_info[:2] >= (3, 13)
SHM_DIR = "/dev/shm"
_before = set()
_touched = set()  # every block this process created or attached


def _record_registrations():
    """Learns every name pyshm hands the resource tracker (it registers each
    block it creates or attaches, as CPython does), so the final check looks
    at this process's blocks only, not at those of other programs."""
    from multiprocessing import resource_tracker
    register = resource_tracker.register

    def recording(name, rtype):
        _touched.add(name.lstrip("/"))
        return register(name, rtype)
    resource_tracker.register = recording


def shm_names():
    return set(os.listdir(SHM_DIR)) if os.path.isdir(SHM_DIR) else set()


def exists(name):
    return os.path.exists(os.path.join(SHM_DIR, name))


def setUpModule():
    _before.update(shm_names())
    _record_registrations()


def tearDownModule():
    gc.collect()
    left = sorted((shm_names() - _before) & _touched)
    if left:
        raise AssertionError("blocks left in %s: %s" % (SHM_DIR, left))


def peers():
    out = []
    for item in os.environ.get("PYSHM_PEERS", "").split():
        label, _, path = item.partition("=")
        out.append((label, path))
    return out


def run_py(python, code, *args, env=None):
    """Runs code in another interpreter; returns (rc, stdout, stderr)."""
    p = subprocess.run([python, "-c", code] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def child_env():
    """The environment for a child that should import this pyshm."""
    env = dict(os.environ)
    where = os.path.dirname(pyshm.__file__)
    if hasattr(pyshm, "__path__"):  # installed: the package pyshm/
        where = os.path.dirname(where)
    env["PYTHONPATH"] = where
    return env


class Mine(pyshm.SharedMemory):
    """A subclass: pickles and reprs under its own name."""


class MyStr(str):
    pass


class MyBytes(bytes):
    pass


class MyInt(int):
    pass


class Block:
    """A stdlib block holding raw bytes, unlinked at the end of a test."""

    def __init__(self, test, image):
        self.shm = stdlib.SharedMemory(create=True, size=max(len(image), 1))
        self.shm.buf[:len(image)] = image
        test.addCleanup(self.cleanup)

    def cleanup(self):
        self.shm.close()
        try:
            self.shm.unlink()
        except FileNotFoundError:
            pass


def image39(items_raw):
    """A py39 image from (alloc, format, code, payload) tuples."""
    n = len(items_raw)
    offs = [0]
    for alloc, _, _, _ in items_raw:
        offs.append(offs[-1] + alloc)
    out = struct.pack("q", n) + struct.pack("%dq" % (n + 1), *offs)
    for alloc, _, _, payload in items_raw:
        out += payload.ljust(alloc, b"\0")[:alloc]
    for _, fmt, _, _ in items_raw:
        out += fmt.ljust(8, b"\0")
    for _, _, code, _ in items_raw:
        out += struct.pack("b", code)
    return bytearray(out)


class SharedMemoryBasics(unittest.TestCase):
    """What CPython's test_shared_memory_basics checks, without its mocks."""

    def test_attributes_attach_and_errors(self):
        sms = pyshm.SharedMemory(create=True, size=512)
        self.addCleanup(sms.unlink)
        self.assertTrue(sms.name.startswith("psm_"))
        self.assertEqual(len(sms.name), 12)
        self.assertEqual(sms._name, "/" + sms.name)
        self.assertEqual(sms.size, 512)
        self.assertEqual(len(sms.buf), 512)
        self.assertEqual(repr(sms), "SharedMemory(%r, size=512)" % sms.name)
        self.assertEqual(bytes(sms.buf[:8]), bytes(8))  # zero-filled
        sms.buf[0] = 42
        also = pyshm.SharedMemory(sms.name)
        self.assertEqual(also.buf[0], 42)
        also.close()
        same = pyshm.SharedMemory(sms.name, size=20 * sms.size)
        self.assertEqual(same.size, 512)  # size ignored on attach
        same.close()
        with self.assertRaises(FileExistsError):
            pyshm.SharedMemory(sms.name, create=True, size=512)
        with self.assertRaises(ValueError):
            pyshm.SharedMemory(create=True, size=-2)
        with self.assertRaises(ValueError):
            pyshm.SharedMemory(create=True, size=0)
        with self.assertRaises(ValueError):
            pyshm.SharedMemory(create=True)
        with self.assertRaises(ValueError):
            pyshm.SharedMemory(create=False)
        with self.assertRaises(FileNotFoundError):
            pyshm.SharedMemory("pyshm_test_not_there")
        sms.close()
        sms.close()  # idempotent
        self.assertIsNone(sms.buf)

    def test_double_unlink(self):
        uno = pyshm.SharedMemory(create=True, size=5000)
        duo = pyshm.SharedMemory(uno.name)
        duo.unlink()
        duo.close()
        with self.assertRaises(FileNotFoundError):
            uno.unlink()
        uno.buf[0] = 1  # the mapping outlives the name
        uno.close()

    def test_named_create(self):
        name = "pyshm_t%d" % os.getpid()
        sms = pyshm.SharedMemory(name, create=True, size=10)
        self.addCleanup(sms.unlink)
        self.assertEqual(sms.name, name)
        self.assertTrue(exists(name))
        sms.close()

    def test_pickle_and_subclass(self):
        sms = Mine(create=True, size=64)
        self.addCleanup(sms.unlink)
        sms.buf[:3] = b"abc"
        for proto in range(pickle.HIGHEST_PROTOCOL + 1):
            other = pickle.loads(pickle.dumps(sms, protocol=proto))
            self.assertIsInstance(other, Mine)
            self.assertEqual(bytes(other.buf[:3]), b"abc")
            self.assertEqual(repr(other), "Mine(%r, size=64)" % sms.name)
            other.close()
        sms.close()

    @unittest.skipUnless(PY313, "track= is new in 3.13")
    def test_track_false_keeps_block(self):
        sms = pyshm.SharedMemory(create=True, size=10, track=False)
        self.assertFalse(sms._track)
        code = ("import pyshm, sys\n"
                "m = pyshm.SharedMemory(sys.argv[1], track=False)\nm.close()\n")
        rc, _, err = run_py(sys.executable, code, sms.name, env=child_env())
        self.assertEqual(rc, 0, err)
        self.assertNotIn("resource_tracker", err)
        self.assertTrue(exists(sms.name))
        sms.close()
        sms.unlink()

    @unittest.skipIf(PY313, "3.8-3.12 have no track=")
    def test_no_track_before_313(self):
        with self.assertRaises(TypeError):
            pyshm.SharedMemory(create=True, size=10, track=False)


class ExportedBuffers(unittest.TestCase):

    def setUp(self):
        self.sms = pyshm.SharedMemory(create=True, size=4096)
        self.addCleanup(self.sms.unlink)

    def test_close_refused_while_view_exported(self):
        view = self.sms.buf[10:20]
        with self.assertRaises(BufferError):
            self.sms.close()
        view[0] = 7  # the mapping is still there
        self.assertIsNone(self.sms.buf)  # as CPython: buf went first
        view.release()
        self.sms.close()

    def test_buf_released_on_close(self):
        buf = self.sms.buf
        self.sms.close()
        with self.assertRaises(ValueError):
            buf[0]

    def test_view_outlives_object(self):
        view = self.sms.buf[0:16]
        name = self.sms.name
        other = pyshm.SharedMemory(name)
        del self.sms
        gc.collect()
        view[3] = 99  # the mapping lives while a view does
        self.assertEqual(other.buf[3], 99)
        self.sms = other  # for the cleanup's unlink
        view.release()
        other.close()

    def test_buffer_protocol_shapes(self):
        m = memoryview(self.sms.buf)
        self.assertEqual((m.format, m.itemsize, m.nbytes, m.readonly), ("B", 1, 4096, False))
        casted = self.sms.buf.cast("q")
        casted[1] = -5
        self.assertEqual(struct.unpack_from("q", self.sms.buf, 8)[0], -5)
        ba = bytearray(b"xyz")
        self.sms.buf[100:103] = ba
        self.assertEqual(bytes(self.sms.buf[100:103]), b"xyz")
        casted.release()
        m.release()
        self.sms.close()


class BadArguments(unittest.TestCase):

    def test_shared_memory_arguments(self):
        name = "pyshm_t%d_args" % os.getpid()
        with self.assertRaises(TypeError):
            pyshm.SharedMemory(name, create=True, size="10")
        with self.assertRaises(TypeError):
            pyshm.SharedMemory(name, create=True, size=1.5)  # CPython leaves a block here
        self.assertFalse(exists(name))
        with self.assertRaises(TypeError):
            pyshm.SharedMemory(123)
        with self.assertRaises(ValueError):
            pyshm.SharedMemory("a\0b", create=True, size=8)
        with self.assertRaises(OSError):
            pyshm.SharedMemory("a/b", create=True, size=8)
        with self.assertRaises(OSError):
            pyshm.SharedMemory("x" * 300, create=True, size=8)
        # More than the system can map: CPython's mmap says ENOMEM.
        with self.assertRaises(OSError) as cm:
            pyshm.SharedMemory(name, create=True, size=2 ** 62)
        self.assertEqual(cm.exception.errno, errno.ENOMEM)
        for big in (2 ** 63, 2 ** 70):  # CPython creates the block, then fails
            with self.assertRaises(OverflowError):
                pyshm.SharedMemory(name, create=True, size=big)
        self.assertFalse(exists(name))
        with self.assertRaises(TypeError):
            pyshm.SharedMemory(None, True, 8, 9)

    def test_uninitialised_objects(self):
        s = pyshm.SharedMemory.__new__(pyshm.SharedMemory)
        self.assertIsNone(s.buf)
        s.close()
        s.unlink()  # no name: nothing to do
        sl = pyshm.ShareableList.__new__(pyshm.ShareableList)
        with self.assertRaises(TypeError):
            len(sl)
        with self.assertRaises(TypeError):
            sl[0]
        with self.assertRaises(TypeError):
            sl.count(1)
        self.assertIsNone(sl.shm)
        repr(sl)

    def test_list_arguments(self):
        name = "pyshm_t%d_list" % os.getpid()
        with self.assertRaises(KeyError):
            pyshm.ShareableList([1, object()], name=name)
        with self.assertRaises(KeyError):
            pyshm.ShareableList([[1]], name=name)
        with self.assertRaises(struct.error):
            pyshm.ShareableList([2 ** 64], name=name)  # CPython leaves the block here
        with self.assertRaises(UnicodeEncodeError):
            pyshm.ShareableList(["\udc80"], name=name)
        for cls in (MyStr, MyBytes, MyInt):
            with self.assertRaises(KeyError):  # exact types on create, as CPython
                pyshm.ShareableList([cls(b"1" if cls is MyBytes else 1)], name=name)
        with self.assertRaises(AssertionError):
            pyshm.ShareableList([b"x" * 10 ** 7], name=name)
        self.assertFalse(exists(name))
        with self.assertRaises(ValueError):
            pyshm.ShareableList([1], layout="py40")
        with self.assertRaises(TypeError):
            pyshm.ShareableList(5)
        with self.assertRaises(TypeError):
            pyshm.ShareableList([1], [2])  # name is keyword-only
        with self.assertRaises(FileNotFoundError):
            pyshm.ShareableList(name="pyshm_test_not_there")

    def test_item_arguments(self):
        sl = pyshm.ShareableList([1, "abc", 2.5])
        self.addCleanup(sl.shm.unlink)
        for bad in (3, -4, 2 ** 100, -2 ** 100):
            with self.assertRaises(IndexError):
                sl[bad]
            with self.assertRaises(IndexError):
                sl[bad] = 0
        with self.assertRaises(TypeError):
            sl["a"]
        with self.assertRaises(TypeError):
            sl[0:1]
        with self.assertRaises(AttributeError):  # as CPython: no __delitem__
            del sl[0]
        with self.assertRaises(struct.error):
            sl[0] = 2 ** 63
        self.assertEqual(sl[0], 1)  # unchanged (CPython zeroes it)
        with self.assertRaises(KeyError):
            sl[0] = [1]
        with self.assertRaisesRegex(ValueError, "exceeds available storage"):
            sl[1] = "x" * 9
        with self.assertRaises(UnicodeEncodeError):
            sl[1] = "\ud800"
        sl[1] = MyStr("xyz")  # __setitem__ takes str and bytes subclasses
        self.assertEqual(sl[1], "xyz")
        sl[1] = "abc"
        with self.assertRaises(KeyError):
            sl[1] = MyInt(3)
        self.assertEqual(list(sl), [1, "abc", 2.5])
        self.assertEqual(sl[True], "abc")
        sl.shm.close()
        with self.assertRaises(TypeError):
            sl[0]
        with self.assertRaises(TypeError):
            sl[0] = 1
        with self.assertRaises(TypeError):
            sl.format


class Items(unittest.TestCase):

    def test_values_and_equality(self):
        nan = float("nan")
        sl = pyshm.ShareableList([1, True, 1.0, 0, False, -0.0, None, "a", b"a", nan,
                                  2 ** 53 + 1, "ab\0\0", b"\0\0"])
        self.addCleanup(sl.shm.unlink)
        self.assertEqual(sl.count(1), 3)
        self.assertEqual(sl.count(0), 3)
        self.assertEqual(sl.count(None), 1)
        self.assertEqual(sl.count("a"), 1)
        self.assertEqual(sl.count(b"a"), 1)
        self.assertEqual(sl.count(nan), 0)
        self.assertEqual(sl.count(float(2 ** 53)), 0)
        self.assertEqual(sl.count(2 ** 53 + 1), 1)
        self.assertEqual(sl.count(2 ** 64), 0)
        self.assertEqual(sl.index(False), 3)
        self.assertEqual(sl.index(b"a"), 8)
        with self.assertRaisesRegex(ValueError, r"^'zz' not in this container$"):
            sl.index("zz")
        self.assertEqual(sl[11], "ab")  # trailing NULs are lost, as in CPython
        self.assertEqual(sl[12], b"")
        self.assertIs(sl[1], True)
        self.assertEqual(str(sl[5]), "-0.0")

        class Any:
            def __eq__(self, other):
                return other is None
        self.assertEqual(sl.count(Any()), 1)
        self.assertEqual(sl.index(Any()), 6)

    def test_non_ascii_str_is_not_truncated(self):
        # CPython sizes this slot by characters (8 bytes) and truncates.
        sl = pyshm.ShareableList(["€€€", "ééééé"])
        self.addCleanup(sl.shm.unlink)
        self.assertEqual(sl[0], "€€€")
        self.assertEqual(sl[1], "ééééé")
        other = stdlib.ShareableList(name=sl.shm.name)
        self.assertEqual(list(other), ["€€€", "ééééé"])
        other.shm.close()
        sl.shm.close()

    def test_repr_format_generic(self):
        sl = pyshm.ShareableList(["howdy", b"HoWdY", -273.154, 100, None, True, 42])
        self.addCleanup(sl.shm.unlink)
        self.assertEqual(repr(sl), "ShareableList(%r, name=%r)" % (list(sl), sl.shm.name))
        self.assertEqual(sl.format, "8s8sdqxxxxxx?xxxxxxxx?q")
        self.assertEqual(sl._get_packing_format(-1), "q")
        if sys.version_info >= (3, 9):
            self.assertEqual(repr(pyshm.ShareableList[int]), "pyshm.ShareableList[int]")
        sl.shm.close()

    def test_big_list(self):
        sl = pyshm.ShareableList(range(10000))
        self.addCleanup(sl.shm.unlink)
        self.assertEqual(len(sl), 10000)
        self.assertEqual(sl[-1], 9999)
        self.assertEqual(sl.index(9999), 9999)
        self.assertEqual(sum(sl), sum(range(10000)))
        sl.shm.close()


class HostileImages(unittest.TestCase):
    """Corrupt images: ValueError naming the field, never a crash."""

    def attach(self, image, layout=None):
        b = Block(self, bytes(image))
        return pyshm.ShareableList(name=b.shm.name, layout=layout)

    def assert_refused(self, image, field, layout=None, on_get=None):
        if on_get is None:
            with self.assertRaises(ValueError) as cm:
                self.attach(image, layout)
        else:
            sl = self.attach(image, layout)
            self.addCleanup(sl.shm.close)
            with self.assertRaises(ValueError) as cm:
                sl[on_get]
        self.assertIn(field, str(cm.exception))

    def good(self):
        return image39([(8, b"q", 0, struct.pack("q", 5)), (8, b"8s", 1, b"hi")])

    def test_good_image_reads(self):
        sl = self.attach(self.good())
        self.addCleanup(sl.shm.close)
        self.assertEqual(list(sl), [5, "hi"])

    def test_header(self):
        img = self.good()
        img[0:8] = struct.pack("q", -1)
        self.assert_refused(img, "N")
        img[0:8] = struct.pack("q", 2 ** 62)  # CPython: MemoryError
        self.assert_refused(img, "N")
        img = self.good()
        img[16:24] = struct.pack("q", 2 ** 40)  # offsets[1] far beyond the block
        self.assert_refused(img, "offsets[1]")
        img = self.good()
        img[16:24] = struct.pack("q", 16)
        img[24:32] = struct.pack("q", 8)  # decreasing
        self.assert_refused(img, "offsets[2]")
        self.assert_refused(b"\x01\x00", "N")
        self.assert_refused(struct.pack("qq", 1, -3) + bytes(24), "sizes[0]")

    def test_items(self):
        img = self.good()
        fmt0 = 8 * 4 + 16
        img[fmt0:fmt0 + 8] = b"i".ljust(8, b"\0")  # CPython reads any struct format
        self.assert_refused(img, "format 0", on_get=0)
        img = self.good()
        img[fmt0 + 8:fmt0 + 16] = b"16s".ljust(8, b"\0")  # wider than its slot
        self.assert_refused(img, "format 1", on_get=1)
        img = self.good()
        img[fmt0 + 16] = 9  # CPython: KeyError
        self.assert_refused(img, "code 0", on_get=0)
        img = self.good()
        img[fmt0 + 17] = 0  # code 0 with an "8s" format
        self.assert_refused(img, "code 1", on_get=1)
        img = self.good()
        img[40:42] = b"\xff\xfe"
        sl = self.attach(img)
        self.addCleanup(sl.shm.close)
        with self.assertRaises(UnicodeDecodeError) as cm:
            sl[1]
        self.assertEqual(cm.exception.start, 0)
        with self.assertRaises(UnicodeDecodeError):
            list(sl)
        with self.assertRaises(UnicodeDecodeError):
            sl.count(5)
        self.assertEqual(sl.index(5), 0)
        # A str probe is compared with the stored bytes, but a bad item
        # still raises where CPython's loop, which decodes each, raises.
        with self.assertRaises(UnicodeDecodeError):
            sl.count("hi")
        with self.assertRaises(UnicodeDecodeError):
            sl.index("\xff\xfehi")
        with self.assertRaises(UnicodeDecodeError):
            sl.count(b"\xff\xfehi")

    def test_random_images(self):
        rnd = random.Random(1234)
        base = bytes(image39([(8, b"q", 0, b""), (16, b"16s", 2, b"abc"), (8, b"d", 0, b"")]))
        allowed = (ValueError, UnicodeDecodeError, IndexError)
        for _ in range(300):
            img = bytearray(base)
            for _ in range(rnd.randint(1, 6)):
                img[rnd.randrange(len(img))] = rnd.randrange(256)
            if rnd.random() < 0.2:
                img = img[:rnd.randrange(len(img))]
            try:
                sl = self.attach(img)
            except allowed:
                continue
            try:
                for i in range(-len(sl) - 1, len(sl) + 1):
                    try:
                        sl[i]
                        sl[i] = b"z"
                        sl[i] = 7
                    except allowed:
                        pass
                try:
                    sl.format, repr(sl), sl.count(1)
                except allowed:
                    pass
            finally:
                sl.shm.close()


# In a mount namespace of its own, /dev/shm is a 32 MiB tmpfs.
SMALL_DEV_SHM = r'''
import errno, os, sys
import pyshm
from multiprocessing import shared_memory as stdlib
for cls in (stdlib.SharedMemory, pyshm.SharedMemory):
    block = cls(create=True, size=64 << 20)  # sparse: made, as CPython makes it
    print(cls.__module__, "made", block.size, os.stat("/dev/shm/" + block.name).st_blocks)
    block.close()
    block.unlink()
try:  # a list is written whole at once: its pages are reserved first
    pyshm.ShareableList([b"x" * 9000000] * 4)
except OSError as e:
    print("list", errno.errorcode[e.errno])
print("left", sorted(os.listdir("/dev/shm")))
'''


class SmallDevShm(unittest.TestCase):

    @unittest.skipUnless(sys.platform.startswith("linux") and os.geteuid() == 0,
                         "a private tmpfs on /dev/shm needs Linux and root")
    def test_sparse_blocks_reserved_lists(self):
        unshare = ["unshare", "--mount", "--propagation", "private"]
        # Where the namespace or the mount cannot be made (a chroot whose root
        # is no mount point, a container without CAP_SYS_ADMIN), say so.
        try:
            probe = subprocess.run(unshare + ["mount", "-t", "tmpfs", "pyshm-probe", "/mnt"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        except FileNotFoundError:
            self.skipTest("no unshare")
        if probe.returncode != 0:
            self.skipTest("no private tmpfs here: %s" % probe.stderr.decode().strip())
        shell = "mount -t tmpfs -o size=32m pyshm-test /dev/shm && exec \"$0\" -c \"$1\""
        p = subprocess.run(unshare + ["sh", "-c", shell, sys.executable, SMALL_DEV_SHM],
                           env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertEqual(p.stdout.decode().split("\n"), [
            "multiprocessing.shared_memory made 67108864 0", "pyshm made 67108864 0",
            "list ENOSPC", "left []", ""])


def stub_path():
    """pyshm/__init__.pyi: beside an installed module, else in the sources."""
    beside = os.path.join(os.path.dirname(pyshm.__file__), "__init__.pyi")
    if os.path.exists(beside):
        return beside
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "pyshm", "__init__.pyi")


class Signatures(unittest.TestCase):
    """help() and inspect.signature() show real parameters, and they are
    the typing stub's."""

    def setUp(self):
        import inspect
        self.inspect = inspect
        self.stub = {"__name__": "pyshm_stub"}
        with open(stub_path(), encoding="utf-8") as f:
            exec(compile(f.read(), stub_path(), "exec"), self.stub)

    def params(self, obj, skip_self=False):
        sig = self.inspect.signature(obj)
        ps = list(sig.parameters.values())[1 if skip_self else 0:]
        return [(p.name, p.kind if p.name != "self" else None, p.default) for p in ps]

    def test_classes(self):
        track = ["track"] if PY313 else []
        self.assertEqual(list(self.inspect.signature(pyshm.SharedMemory).parameters),
                         ["name", "create", "size"] + track)
        self.assertEqual(list(self.inspect.signature(pyshm.ShareableList).parameters),
                         ["sequence", "name", "layout"])
        for name in ("SharedMemory", "ShareableList"):
            with self.subTest(name=name):
                self.assertEqual(self.params(getattr(pyshm, name)),
                                 self.params(self.stub[name].__init__, skip_self=True))

    def test_methods_and_attributes(self):
        for cls in ("SharedMemory", "ShareableList"):
            runtime, stub = getattr(pyshm, cls), self.stub[cls]
            public = {n for n in dir(runtime) if not n.startswith("_")}
            self.assertEqual(public, {n for n in dir(stub) if not n.startswith("_")}, cls)
            for n in sorted(public):
                obj = getattr(runtime, n)
                if callable(obj) and not isinstance(obj, type):
                    with self.subTest(method="%s.%s" % (cls, n)):
                        self.assertEqual(self.params(obj), self.params(getattr(stub, n)))
        self.assertEqual(self.params(pyshm.install), self.params(self.stub["install"]))
        self.assertEqual(sorted(pyshm.__all__), sorted(self.stub["__all__"]))

    def test_help_shows_parameters(self):
        import pydoc
        text = pydoc.render_doc(pyshm.ShareableList, renderer=pydoc.plaintext)
        self.assertIn("ShareableList(sequence=None, *, name=None, layout=None)", text)
        self.assertIn("count(self, value, /)", text)


class ConcurrentWriter(unittest.TestCase):

    def test_reads_while_another_process_writes(self):
        sl = pyshm.ShareableList(["a" * 20, 0, b"x" * 16])
        self.addCleanup(sl.shm.unlink)
        code = (
            "import pyshm, sys, time\n"
            "sl = pyshm.ShareableList(name=sys.argv[1])\n"
            "end = time.time() + 0.5; i = 0\n"
            "while time.time() < end:\n"
            "    i += 1\n"
            "    sl[0] = 'b' * 5 if i % 2 else 'a' * 20\n"
            "    sl[1] = i if i % 3 else 'str%d' % (i % 10)\n"
            "    sl[2] = b'y' * (i % 17) if i % 5 else None\n"
            "sl.shm.close()\n"
            # Attaching registered the block with this child's tracker
            # (3.8-3.12, as CPython): take it back so the exit keeps it.
            "from multiprocessing import resource_tracker as r\n"
            "r.unregister(sl.shm._name, 'shared_memory')\n")
        child = subprocess.Popen([sys.executable, "-c", code, sl.shm.name], env=child_env())
        reads = torn = 0
        end = time.time() + 5
        while child.poll() is None and time.time() < end:
            for i in range(3):
                try:
                    v = sl[i]
                except ValueError:
                    torn += 1  # a format and code seen from different writes
                    continue
                reads += 1
                if i == 0:
                    self.assertIsInstance(v, str)
                    # Torn between two writes at worst (no lock in the
                    # format), never anything but these characters.
                    self.assertLessEqual(set(v), {"a", "b", "\0"})
                elif i == 1:
                    self.assertIsInstance(v, (int, str))
                else:
                    self.assertTrue(v is None or isinstance(v, bytes))
        child.wait(timeout=30)
        self.assertEqual(child.returncode, 0)
        self.assertGreater(reads, 100)
        sl.shm.close()


class Interop(unittest.TestCase):

    def test_pyshm_to_stdlib_and_back(self):
        items = [1, -2.5, True, None, "héllo wörld", b"\x00bytes", "", 2 ** 63 - 1]
        sl = pyshm.ShareableList(items)
        self.addCleanup(sl.shm.unlink)
        st = stdlib.ShareableList(name=sl.shm.name)
        self.assertEqual(list(st), items)
        self.assertEqual(st.format, sl.format)
        st[4] = "bye"
        st[0] = "text"
        self.assertEqual(sl[4], "bye")
        self.assertEqual(sl[0], "text")
        st.shm.close()
        st2 = stdlib.ShareableList(items)
        self.addCleanup(st2.shm.unlink)
        mine = pyshm.ShareableList(name=st2.shm.name)
        self.assertEqual(list(mine), items)
        mine[1] = b"raw"
        self.assertEqual(st2[1], b"raw")
        mine.shm.close()
        st2.shm.close()
        sl.shm.close()

    def test_identical_images(self):
        items = [1, 2.0, False, None, "abc" * 5, b"\x01" * 9, "", b""]
        a = pyshm.ShareableList(items)
        b = stdlib.ShareableList(items)
        self.addCleanup(a.shm.unlink)
        self.addCleanup(b.shm.unlink)
        self.assertEqual(bytes(a.shm.buf), bytes(b.shm.buf))
        a.shm.close()
        b.shm.close()

    def test_py38_layout(self):
        sl = pyshm.ShareableList([1, "abc", None], layout="py38")
        self.addCleanup(sl.shm.unlink)
        self.assertEqual(sl.layout, "py38")
        self.assertEqual(struct.unpack_from("qq", sl.shm.buf, 0), (3, 8))  # sizes[0]
        again = pyshm.ShareableList(name=sl.shm.name)  # detected
        self.assertEqual(again.layout, "py38")
        self.assertEqual(list(again), [1, "abc", None])
        again.shm.close()
        sl.shm.close()
        self.assertEqual(pyshm.ShareableList.__new__(pyshm.ShareableList).layout, None)
        empty = pyshm.ShareableList()
        self.addCleanup(empty.shm.unlink)
        self.assertEqual((empty.layout, empty.shm.size), ("py38", 8) if PY38 else ("py39", 16))
        empty.shm.close()

    def test_tracker_mixing(self):
        # Mixed in one process, the resource tracker must end with nothing
        # registered and nothing left: no warning, no block.
        code = (
            "import pyshm, sys\n"
            "from multiprocessing import shared_memory as std\n"
            "a = pyshm.ShareableList([1, 2]); b = std.SharedMemory(a.shm.name)\n"
            "print(a.shm.name); b.close(); b.unlink(); a.shm.close()\n"
            "c = std.ShareableList([3]); d = pyshm.SharedMemory(c.shm.name)\n"
            "print(c.shm.name); d.close(); d.unlink(); c.shm.close()\n"
            "e = pyshm.SharedMemory(create=True, size=9); f = std.SharedMemory(e.name)\n"
            "print(e.name); f.close(); e.close(); e.unlink()\n")
        rc, out, err = run_py(sys.executable, code, env=child_env())
        self.assertEqual(rc, 0, err)
        self.assertNotIn("leaked", err)
        for name in out.split():
            self.assertFalse(exists(name), name)

    def test_tracker_same_as_stdlib(self):
        # A process that attaches and exits: whatever CPython's tracker does
        # to the block (it unlinks it: attaching registers, 3.13 included
        # unless track=False), it does the same with pyshm, either side.
        attach = {
            "stdlib": "from multiprocessing.shared_memory import SharedMemory as S\n",
            "pyshm": "from pyshm import SharedMemory as S\n",
        }
        results = {}
        for creator in ("stdlib", "pyshm"):
            for attacher in ("stdlib", "pyshm"):
                cls = stdlib.SharedMemory if creator == "stdlib" else pyshm.SharedMemory
                shm = cls(create=True, size=16)
                code = attach[attacher] + "import sys\nS(sys.argv[1]).close()\n"
                rc, _, err = run_py(sys.executable, code, shm.name, env=child_env())
                self.assertEqual(rc, 0, err)
                results[creator, attacher] = exists(shm.name)
                shm.close()
                try:
                    shm.unlink()
                except FileNotFoundError:
                    # unlink() raised before unregistering: do it by hand so
                    # this interpreter's tracker does not warn at exit.
                    from multiprocessing import resource_tracker
                    resource_tracker.unregister(shm._name, "shared_memory")
        self.assertEqual(len(set(results.values())), 1, results)
        self.assertFalse(results["stdlib", "stdlib"])

    def test_across_versions(self):
        read = ("import sys\nfrom multiprocessing import shared_memory as s\n"
                "l = s.ShareableList(name=sys.argv[1])\nprint(repr(list(l)))\n"
                "l[0] = 'from %d.%d' % sys.version_info[:2]\nl.shm.close()\n"
                "from multiprocessing import resource_tracker as r\n"
                "r.unregister('/' + sys.argv[1], 'shared_memory')\n")
        create = ("import sys\nfrom multiprocessing import shared_memory as s\n"
                  "from multiprocessing import resource_tracker as r\n"
                  "l = s.ShareableList(['x' * 16, 7, 1.5, None, b'b'])\n"
                  "r.unregister(l.shm._name, 'shared_memory')\n"
                  "print(l.shm.name); l.shm.close()\n")
        items = ["x" * 16, 7, 1.5, None, b"b"]
        ran = 0
        for label, python in peers():
            rc, ver, _ = run_py(python, "import sys; print('%d.%d' % sys.version_info[:2])")
            if rc != 0:
                continue
            ran += 1
            peer38 = ver.strip() == "3.8"
            with self.subTest(peer=label):
                sl = pyshm.ShareableList(items, layout="py38" if peer38 else "py39")
                self.addCleanup(sl.shm.unlink)
                rc, out, err = run_py(python, read, sl.shm.name)
                self.assertEqual(rc, 0, err)
                self.assertEqual(out.strip(), repr(items))
                self.assertEqual(sl[0], "from " + ver.strip())
                sl.shm.close()
                rc, out, err = run_py(python, create)
                self.assertEqual(rc, 0, err)
                theirs = pyshm.ShareableList(name=out.strip())
                self.addCleanup(theirs.shm.unlink)
                self.assertEqual(theirs.layout, "py38" if peer38 else "py39")
                self.assertEqual(list(theirs), items)
                theirs.shm.close()
        if not peers():
            self.skipTest("no PYSHM_PEERS given")


if __name__ == "__main__":
    unittest.main()
