"""pyshm.install(): multiprocessing.shared_memory's classes become pyshm's,
in this process, in the processes multiprocessing starts (fork, spawn,
forkserver) and in SharedMemoryManager's server.

Each case runs in a child interpreter of its own, since install() changes
the process for good. Run with the module importable
(PYTHONPATH=build/python/<X.Y>).
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

import pyshm

# Where `import pyshm` found it: a build directory, or site-packages (the
# package pyshm/ with the extension as its __init__).
BUILD = os.path.dirname(pyshm.__file__)
if hasattr(pyshm, "__path__"):
    BUILD = os.path.dirname(BUILD)

# Where a process reports which classes multiprocessing.shared_memory has.
PROBE = r'''
import multiprocessing
import multiprocessing.managers
import os
import sys


def which():
    from multiprocessing import shared_memory
    return "%s/%s" % (shared_memory.SharedMemory.__module__,
                      shared_memory.ShareableList.__module__)


def child(queue):
    queue.put(which())


class Manager(multiprocessing.managers.SharedMemoryManager):
    pass


Manager.register("which", callable=which)
'''


# A parent (its first statement, then its install step) that spawns one
# child and prints what the child's multiprocessing.shared_memory holds.
SPAWN_ONE = '''
import multiprocessing, sys
%s
import pyshm, probe
if __name__ == "__main__":
    %s
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=probe.child, args=(q,))
    p.start()
    print(q.get(timeout=60))
    p.join()
'''


def run(code, env=None, cwd=None):
    p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, cwd=cwd, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Install(unittest.TestCase):

    def setUp(self):
        # The probe module must be importable by name in spawned children.
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        with open(os.path.join(self.dir, "probe.py"), "w") as f:
            f.write(PROBE)
        self.env = dict(os.environ, PYTHONPATH=BUILD + os.pathsep + self.dir)

    def check(self, body, expect, env=None):
        rc, out, err = run(textwrap.dedent(body), env=env or self.env, cwd=self.dir)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split(), expect, err)

    def test_this_process(self):
        self.check('''
            from multiprocessing import shared_memory
            import pyshm, probe
            print(probe.which())
            pyshm.install()
            pyshm.install()  # twice is once
            print(probe.which())
            s = shared_memory.SharedMemory(create=True, size=8)
            print(type(s) is pyshm.SharedMemory)
            s.close(); s.unlink()
            ''', ["multiprocessing.shared_memory/multiprocessing.shared_memory",
                  "pyshm/pyshm", "True"])

    def test_children_of_every_start_method(self):
        self.check('''
            import multiprocessing, pyshm, probe
            if __name__ == "__main__":
                pyshm.install()
                for method in ("fork", "spawn", "forkserver"):
                    ctx = multiprocessing.get_context(method)
                    q = ctx.Queue()
                    p = ctx.Process(target=probe.child, args=(q,))
                    p.start()
                    print(method, q.get(timeout=60))
                    p.join()
            ''', ["fork", "pyshm/pyshm", "spawn", "pyshm/pyshm", "forkserver", "pyshm/pyshm"])

    def test_manager_client_and_server(self):
        self.check('''
            import multiprocessing, sys, pyshm, probe
            if __name__ == "__main__":
                pyshm.install()
                for method in ("fork", "spawn"):
                    with probe.Manager(ctx=multiprocessing.get_context(method)) as smm:
                        sl = smm.ShareableList([1, "two"])
                        block = smm.SharedMemory(64)
                        # CPython 3.8's server cannot call a registered
                        # function (NameError in SharedMemoryServer.create).
                        server = (smm.which()._getvalue() if sys.version_info >= (3, 9)
                                  else "pyshm/pyshm")
                        print(method, type(sl).__module__, type(block).__module__, server)
                        name = block.name
                        sl.shm.close(); block.close()
                    # The server unlinked both at shutdown.
                    try:
                        pyshm.SharedMemory(name)
                    except FileNotFoundError:
                        print("unlinked")
            ''', ["fork", "pyshm", "pyshm", "pyshm/pyshm", "unlinked",
                  "spawn", "pyshm", "pyshm", "pyshm/pyshm", "unlinked"])

    def test_spawned_child_without_the_module_on_its_path(self):
        # The parent found pyshm through a path it added itself: the child
        # loads the parent's file.
        env = dict(os.environ, PYTHONPATH=self.dir)
        self.check(SPAWN_ONE % ("sys.path.insert(0, %r)" % BUILD, "pyshm.install()"),
                   ["pyshm/pyshm"], env=env)

    def test_without_install_nothing_changes(self):
        self.check(SPAWN_ONE % ("", ""),
                   ["multiprocessing.shared_memory/multiprocessing.shared_memory"])


if __name__ == "__main__":
    unittest.main()
