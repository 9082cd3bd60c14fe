"""Python code that runs while the module works on a block's memory (an
__index__, an __eq__, a __len__, a finalizer, another thread) must never
make it use memory that is gone: every case here ends in an exception or a
correct value, never a signal.

Each case runs in a child interpreter (a crash there is a negative return
code, reported with the signal's name). The threaded stress test is
stress_close.py, run by this file with a few hundred rounds and by
`make check-python-san` under ASan with thousands. The sparse-image case
measures the memory an attach takes.

Run with the module importable (PYTHONPATH=build/python/<X.Y>).
"""
import os
import signal
import subprocess
import sys
import textwrap
import unittest

import pyshm

HERE = os.path.dirname(os.path.abspath(__file__))

# Every case starts with this: expect() runs a call that must raise, and
# every block made through make() is unlinked at exit, whatever happens.
PRELUDE = r'''
import atexit, gc, sys, threading, time
import pyshm
made = []
def make(items):
    sl = pyshm.ShareableList(items)
    made.append(sl.shm.name)
    return sl
def block(size=4096):
    shm = pyshm.SharedMemory(create=True, size=size)
    made.append(shm.name)
    return shm
@atexit.register
def _unlink():
    for name in made:
        try:
            pyshm.SharedMemory(name).unlink()
        except FileNotFoundError:
            pass
def expect(exc, fn):
    try:
        r = fn()
    except exc as e:
        print("raised", type(e).__name__)
    else:
        sys.exit("no %s: the call returned %r" % (exc.__name__, r))
'''

# Another thread closes the block while the main thread's __index__ waits
# in the middle of the call (%s).
THREAD_CLOSES = r'''
sl = make([1, b"x" * 4096])
inside, closed = threading.Event(), threading.Event()
class I:
    def __index__(self):
        inside.set(); closed.wait(10); return 1
def closer():
    inside.wait(10); sl.shm.close(); closed.set()
t = threading.Thread(target=closer); t.start()
expect(TypeError, lambda: %s)
t.join()
'''

CASES = {
    # The issue's own example: CPython's list raises TypeError here.
    "index_closes_block_in_get": r'''
sl = make([1, b"x" * 64])
class I:
    def __index__(self):
        sl.shm.close(); return 1
expect(TypeError, lambda: sl[I()])
''',
    "index_closes_block_in_set": r'''
sl = make([1, b"x" * 64])
class I:
    def __index__(self):
        sl.shm.close(); return 1
def store(): sl[I()] = b"y" * 64
expect(TypeError, store)
''',
    "index_closes_block_in_packing_format": r'''
sl = make([1, "abc"])
class I:
    def __index__(self):
        sl.shm.close(); return 1
expect(TypeError, lambda: sl._get_packing_format(I()))
''',
    # Another thread closes the block while this one's __index__ waits.
    "thread_closes_during_index": THREAD_CLOSES % "sl[I()]",
    "thread_closes_during_set_index": THREAD_CLOSES % "sl.__setitem__(I(), b'z' * 4096)",
    # SharedMemory.__init__ again on a closed block a list still holds:
    # the list's memory is gone, and the address may hold another block.
    "reinit_closed_block_held_by_list": r'''
sl = make([1, b"x" * 64])
other = block(4096)
other.buf[:16] = b"ABCDEFGHIJKLMNOP"
sl.shm.close()
sl.shm.__init__(other.name)
expect(TypeError, lambda: sl[1])
expect(TypeError, lambda: sl.count(1))
expect(TypeError, lambda: len(sl))
print(bytes(sl.shm.buf[:4]))
''',
    "reinit_closed_block_same_address": r'''
sl = make([7, "gen-one"])
size = sl.shm.size
sl.shm.close()
# New blocks of the same size, mapped where the old one was, until one is.
others = [block(size) for _ in range(32)]
for o in others:
    o.buf[:size] = b"\xff" * size
sl.shm.__init__(others[0].name)
for i in (0, 1):
    expect(TypeError, lambda: sl[i])
''',
    # On a live block, the list keeps the memory it was made over.
    "reinit_live_block_held_by_list": r'''
sl = make([1, b"x" * 64])
other = block(4096)
sl.shm.__init__(other.name)
assert sl[1] == b"x" * 64, sl[1]
sl[0] = 5
assert other.buf[:8] == bytes(8)
sl.shm.close()  # its buf goes: the list is closed, as CPython's
expect(TypeError, lambda: sl[0])
del sl; gc.collect()
print("kept")
''',
    "eq_closes_block_in_count": r'''
sl = make([1, 2, 3, b"x" * 64])
class E:
    def __eq__(self, other):
        sl.shm.close(); return False
expect(TypeError, lambda: sl.count(E()))
''',
    "eq_closes_block_in_index": r'''
sl = make(["a", "b", "c"])
class E:
    def __eq__(self, other):
        sl.shm.close(); return False
expect(TypeError, lambda: sl.index(E()))
''',
    # __eq__ puts the list on another, shorter block: the scan goes on
    # over the new one, as CPython's loop would.
    "eq_reinits_list_in_count": r'''
sl = make([1, 2, 3, 4, 5, 6])
class E:
    calls = 0
    def __eq__(self, other):
        E.calls += 1
        if E.calls == 2:
            old = sl.shm
            sl.__init__([9])
            made.append(sl.shm.name)
            old.close()
        return other == 9
print("count", sl.count(E()))
''',
    "len_closes_block_in_reinit": r'''
sl = make([1, 2, 3])
class Seq:
    def __len__(self):
        sl.shm.close(); return 2
    def __getitem__(self, i):
        if i >= 2: raise IndexError(i)
        return i
sl.__init__(Seq())
made.append(sl.shm.name)
print(list(sl))
''',
    "eq_closes_block_in_scan_of_str": r'''
sl = make(["a" * 100, "b" * 100])
class S(str):
    def __eq__(self, other):
        sl.shm.close(); return False
    __hash__ = str.__hash__
expect(TypeError, lambda: sl.count(S("zz")))
''',
    # The module takes a str subclass's characters as they are: it calls
    # neither its __str__ nor its encode().
    "str_subclass_methods_close_block": r'''
sl = make(["abc", 1])
class S(str):
    def __str__(self):
        sl.shm.close(); return "bad"
    def encode(self, *args, **kwargs):
        sl.shm.close(); return b"bad"
sl[0] = S("xyz")
print(sl[0])
''',
    # Python code (the resource tracker's register) runs while a new list
    # is made from a sequence that code can empty.
    "register_empties_the_sequence": r'''
from multiprocessing import resource_tracker
items = ["x" * 100 + str(i) for i in range(50)]
register = resource_tracker.register
def emptying(name, rtype):
    items.clear(); gc.collect()
    emptying.others = ["y" * 100 + str(i) for i in range(50)]  # reuse the memory
    return register(name, rtype)
resource_tracker.register = emptying
sl = make(items)
resource_tracker.register = register
print(sl[0] == "x" * 100 + "0", sl[49] == "x" * 100 + "49")
''',
    # A finalizer run by the collector in the middle of the module's work.
    "finalizer_closes_block": r'''
sl = make([1, "abc", b"x" * 300, 2.5, None])
class Closer:
    def __del__(self):
        try:
            sl.shm.close()
        except BufferError:
            pass
gc.set_threshold(1, 1, 1)
outcomes = set()
for n in range(2000):
    c = Closer(); c.self = c; del c
    try:
        sl[n % 5]; sl[n % 5] = sl[n % 5]; sl.count(2.5); sl.format
        outcomes.add("value")
    except TypeError:
        outcomes.add("TypeError")
print(sorted(outcomes))
''',
    "view_keeps_mapping_alive": r'''
sl = make([1, b"x" * 64])
obj = sl.shm.buf.obj
view = sl.shm.buf[8:16]
expect(BufferError, sl.shm.close)
view.release()
sl.shm.close()
expect(ValueError, lambda: memoryview(obj))
expect(TypeError, lambda: sl[0])
''',
}

# What each case prints, in order, when it ends as it should.
EXPECTED = {
    "reinit_closed_block_held_by_list": "raised TypeError\nraised TypeError\nraised TypeError\n"
                                        "b'ABCD'",
    "reinit_closed_block_same_address": "raised TypeError\nraised TypeError",
    "reinit_live_block_held_by_list": "raised TypeError\nkept",
    "eq_reinits_list_in_count": "count 0",
    "len_closes_block_in_reinit": "[0, 1]",
    "finalizer_closes_block": "['TypeError', 'value']",
    "str_subclass_methods_close_block": "xyz",
    "register_empties_the_sequence": "True True",
    "view_keeps_mapping_alive": "raised BufferError\nraised ValueError\nraised TypeError",
}


def run_child(code, *args, timeout=120):
    # Where `import pyshm` found it (an installed one is a package).
    where = os.path.dirname(pyshm.__file__)
    if hasattr(pyshm, "__path__"):
        where = os.path.dirname(where)
    env = dict(os.environ, PYTHONPATH=where)
    return subprocess.run([sys.executable, "-c", code] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=timeout)


def ended(p):
    """How a child ended, in words."""
    if p.returncode < 0:
        return "killed by %s" % signal.Signals(-p.returncode).name
    return "exit status %d" % p.returncode


class Callbacks(unittest.TestCase):
    """Each case of CASES, in a child of its own."""


def make_case(name, body):
    def test(self):
        p = run_child(PRELUDE + textwrap.dedent(body))
        out, err = p.stdout.decode().strip(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, "%s: %s\n%s" % (name, ended(p), err[-2000:]))
        self.assertEqual(out, EXPECTED.get(name, "raised TypeError"), err[-2000:])
    return test


for _name, _body in CASES.items():
    setattr(Callbacks, "test_" + _name, make_case(_name, _body))


class Stress(unittest.TestCase):

    def test_threads_close_and_remap(self):
        rounds = os.environ.get("PYSHM_STRESS_ROUNDS", "300")
        with open(os.path.join(HERE, "stress_close.py")) as f:
            p = run_child(f.read(), rounds, timeout=600)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, "%s\n%s%s" % (ended(p), out[-2000:], err[-3000:]))
        self.assertIn("stress: %s rounds" % rounds, out)
        print(out.strip().splitlines()[0])  # the summary for check.sh


# A block of 1 GiB whose only written bytes are a header claiming N =
# 50,000,000 items: 400 MB of offsets, all holes.
SPARSE = r'''
import os, sys
from multiprocessing import shared_memory
import _posixshmem
name = "pyshm_sparse_%d" % os.getpid()
fd = _posixshmem.shm_open("/" + name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
try:
    os.ftruncate(fd, 1 << 30)
    os.pwrite(fd, (50000000).to_bytes(8, sys.byteorder), 0)
    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    before = status("VmHWM")
    import pyshm
    try:
        pyshm.ShareableList(name=name)
    except ValueError as e:
        print("ValueError", e)
    print("grew_kib", status("VmHWM") - before)
    print("file_kib", os.fstat(fd).st_blocks // 2)
finally:
    os.close(fd)
    _posixshmem.shm_unlink("/" + name)
'''


@unittest.skipUnless(sys.platform.startswith("linux"), "/proc and sparse tmpfs files: Linux")
class SparseImage(unittest.TestCase):

    def test_attach_reads_only_what_was_written(self):
        p = run_child(SPARSE)
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, "%s\n%s" % (ended(p), err))
        self.assertIn("N: 50000000", out)
        self.assertIn("never written", out)
        fields = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
        grew, pages = int(fields["grew_kib"]), int(fields["file_kib"])
        sys.stderr.write("\n  sparse 1 GiB image: peak RSS +%d KiB, block holds %d KiB ... "
                         % (grew, pages))
        # Trusting the header as far as the mapping reaches would fault in
        # its 400 MB of offsets; the written bytes are one page. 32 MiB is
        # the bound, with a wide margin (memory, not time).
        self.assertLess(grew, 32 << 10)
        self.assertLess(pages, 1 << 10)


if __name__ == "__main__":
    unittest.main()
