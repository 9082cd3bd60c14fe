"""CPython's own shared-memory tests, run against pyshm.

usage: run_cpython_tests.py [fork|spawn]     (default: fork)

Calls pyshm.install() (multiprocessing.shared_memory's SharedMemory and
ShareableList become pyshm's; SharedMemoryManager goes through them), then
loads `_TestSharedMemory` from the running interpreter's
`test._test_multiprocessing` (when the test package is installed) for the
given start method and runs it. The children the tests start, and the
manager's server, use pyshm as well: by fork they inherit it, by spawn
install() puts it there. Cases listed in cpython_skips.txt are skipped with
their reason. Prints one summary line:
    cpython-tests <X.Y> <method>: <n> cases, <passed> passed, <skipped> skipped, <failed> failed
Set PYSHM_NO_SKIPS=1 to run the listed cases as well (they fail).

Subprocesses started with `python -E`/`-I` (the tracker tests) run the stdlib
module on their side: they check how CPython's tracker treats a block the
parent created with pyshm.
"""
import os
import shutil
import sys
import tempfile
import unittest

import pyshm

pyshm.install()

# The tests, as a module of their own: children started by spawn import
# it by name to find the functions they run.
TEST_MODULE = """
from test._test_multiprocessing import install_tests_in_module_dict
install_tests_in_module_dict(globals(), %r)
"""


def load_skips(path):
    skips = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(":")
                skips[name.strip()] = why.strip()
    return skips


def main():
    method = sys.argv[1] if len(sys.argv) > 1 else "fork"
    label = "%d.%d %s" % (sys.version_info[:2] + (method,))
    try:
        import test._test_multiprocessing as tm
    except ImportError as e:
        print("cpython-tests %s: not run: no test package (%s)" % (label, e))
        return 0
    # The test module must see pyshm's classes, not copies of the originals.
    assert tm.shared_memory.SharedMemory is pyshm.SharedMemory
    tmp = tempfile.mkdtemp(prefix="pyshm-cpython-tests-")
    name = "pyshm_cpython_%s_tests" % method
    with open(os.path.join(tmp, name + ".py"), "w") as f:
        f.write(TEST_MODULE % method)
    sys.path.insert(0, tmp)
    try:
        ns = vars(__import__(name))
        return run(ns, label)
    finally:
        # The module and what importing it leaves (__pycache__, unless
        # PYTHONDONTWRITEBYTECODE is set).
        shutil.rmtree(tmp)


def run(ns, label):
    cls = ns["WithProcessesTestSharedMemory"]
    skips = load_skips(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "cpython_skips.txt"))
    if os.environ.get("PYSHM_NO_SKIPS"):  # to see the listed cases fail
        skips = {}
    for name, why in skips.items():
        if hasattr(cls, name):
            setattr(cls, name, unittest.skip(why)(getattr(cls, name)))
    # Every block this process creates or attaches goes through the tracker's
    # register (pyshm registers as CPython does): remember the names, to find
    # any the tests leave behind, and only those (other programs' blocks may
    # come and go meanwhile).
    from multiprocessing import resource_tracker
    touched, register = set(), resource_tracker.register

    def recording(name, rtype):
        touched.add(name.lstrip("/"))
        return register(name, rtype)
    resource_tracker.register = recording
    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    suite = unittest.TestLoader().loadTestsFromTestCase(cls)
    total = suite.countTestCases()
    verbosity = 2 if os.environ.get("VERBOSE") else 1
    ns["setUpModule"]()
    try:
        result = unittest.TextTestRunner(verbosity=verbosity, stream=sys.stderr).run(suite)
    finally:
        ns["tearDownModule"]()
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    left = sorted((after - before) & touched)
    if left:
        print("cpython-tests %s: blocks left in /dev/shm: %s" % (label, left))
        failed += 1
    skipped = len(result.skipped)
    print("cpython-tests %s: %d cases, %d passed, %d skipped, %d failed%s" % (
        label, total, total - failed - skipped, skipped, failed,
        "".join("\n  skipped %s" % t.id().rsplit(".", 1)[-1] for t, _ in result.skipped)))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
