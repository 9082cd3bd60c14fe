"""Where the blocks of a run of cases live, and how the harness sees them.

A case's side effects (which blocks exist after each step) are part of its
transcript, so the harness must tell the blocks a case made from blocks
anyone else on the machine makes meanwhile: other runs, other people's
tests, other peers of this same run judged in parallel. Three ways, best
first:

- "private": on Linux, where the OS lets us, every run of cases (one
  implementation process and one peer, case after case) gets a mount
  namespace of its own with an empty tmpfs on /dev/shm, where glibc's
  shm_open makes its blocks. The adapters are started inside it (nsenter);
  the harness reads it through /proc/PID/root/dev/shm. Everything listed
  there belongs to the case running, and nothing else can appear.
- "shared": /dev/shm is listed, but only names the case knows are
  attributed to it (names it chose, names a reply reported). A block that
  appears under another name while the implementation carries out a step
  cannot be told from an unrelated one at once: it is kept aside
  (Step.unknown), and counts only when CPython in the implementation's
  place made none at that step, a second run of the case makes one at the
  same step again, and both are still there afterwards
  (runner.confirm_unreported). Another process's blocks cannot meet all
  three but by a coincidence repeated at the same step.
- "probe": no listing (macOS): the same names, each asked of shm_open.

The mode a run used is stated in its report.
"""
import os
import shutil
import subprocess
import sys

SHM = "/dev/shm"
MODES = ("auto", "private", "shared")


class SpaceError(Exception):
    pass


class Space:
    """The shared /dev/shm, or (no listing) shm_open probes."""
    kind = "shared" if os.path.isdir(SHM) else "probe"
    prefix = []  # argv prefix that starts a process inside this space

    @property
    def dir(self):
        return SHM if self.kind == "shared" else None

    def path(self, name):
        return os.path.join(self.dir, name) if self.dir else None

    def exists(self, name):
        if self.dir:
            return os.path.exists(self.path(name))
        try:
            import _posixshmem
            fd = _posixshmem.shm_open("/" + name, os.O_RDWR, mode=0o600)
            os.close(fd)
            return True
        except FileNotFoundError:
            return False
        except (OSError, ValueError, ImportError):  # a name no block can have
            return False

    def listing(self, candidates):
        """The names present: of `candidates` only, unless private."""
        if self.dir:
            try:
                present = set(os.listdir(self.dir))
            except OSError:
                return set()
            return present & set(candidates)
        return {n for n in candidates if self.exists(n)}

    def everything(self):
        """Every name listed, whoever made it (None where nothing is
        listed): for the names that appear during a step."""
        if not self.dir:
            return None
        try:
            return set(os.listdir(self.dir))
        except OSError:
            return set()

    def unlink(self, name):
        """Removes a block by name, for the harness's cleanup."""
        if sys.platform == "win32":
            return  # blocks die with their last handle there
        try:
            import _posixshmem
            _posixshmem.shm_unlink("/" + name)
        except (OSError, ValueError, ImportError):  # gone, or a name no block can have
            pass

    def write_block(self, name, data):
        """A block holding `data`, made by the harness itself (no adapter)."""
        from multiprocessing import resource_tracker, shared_memory
        shm = shared_memory.SharedMemory(name, create=True, size=max(len(data), 1))
        try:  # the harness unlinks it itself; no tracker is wanted
            resource_tracker.unregister(shm._name, "shared_memory")
        except Exception:
            pass
        shm.buf[:len(data)] = data
        shm.close()

    def clear(self, names):
        """Removes what a case left: everything here if private, else the
        names given."""
        for n in names:
            self.unlink(n)

    def close(self):
        pass


class PrivateSpace(Space):
    """A mount namespace holding an empty tmpfs on /dev/shm, kept alive by a
    small holder process that exits when its stdin closes (so it dies with
    the harness, whatever happens to the harness)."""
    kind = "private"

    def __init__(self):
        user = os.geteuid() != 0
        ns = ["--user", "--map-root-user"] if user else []
        script = ("mount -t tmpfs -o mode=1777 pyshm-conformance %s && echo ready && "
                  "exec cat >/dev/null" % SHM)
        try:
            self.holder = subprocess.Popen(
                ["unshare"] + ns + ["--mount", "--propagation", "private", "sh", "-c", script],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            raise SpaceError("unshare: %s" % e)
        line = self.holder.stdout.readline()
        if line.strip() != b"ready":
            err = self.holder.stderr.read().decode("utf-8", "replace").strip().splitlines()
            self.holder.wait()
            raise SpaceError(err[-1] if err else "unshare exited with status %s" % self.holder.returncode)
        pid = str(self.holder.pid)
        self._dir = "/proc/%s/root%s" % (pid, SHM)
        self.prefix = ["nsenter", "--target", pid, "--wd=" + os.getcwd()] + (
            ["--user", "--preserve-credentials"] if user else []) + ["--mount", "--"]

    @property
    def dir(self):
        return self._dir

    def listing(self, candidates=()):
        try:
            return set(os.listdir(self._dir))
        except OSError:
            return set()

    def unlink(self, name):
        try:
            os.unlink(self.path(name))
        except OSError:
            pass

    def write_block(self, name, data):
        fd = os.open(self.path(name), os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        try:
            os.ftruncate(fd, max(len(data), 1))
            os.write(fd, data)
        finally:
            os.close(fd)

    def clear(self, names=()):
        for n in self.listing():
            self.unlink(n)

    def close(self):
        if self.holder.poll() is None:
            self.holder.stdin.close()
            try:
                self.holder.wait(10)
            except subprocess.TimeoutExpired:
                self.holder.kill()
                self.holder.wait()


_mode = "shared"


def choose(mode):
    """Sets the run's mode ("auto": private where the OS allows it); returns
    (mode, why private was not used or None)."""
    global _mode
    if mode not in MODES:
        raise ValueError("--blocks is one of %s" % ", ".join(MODES))
    if mode == "shared" or not sys.platform.startswith("linux"):
        _mode = Space.kind
        return _mode, None if mode == "shared" else "no mount namespaces on %s" % sys.platform
    why = None
    if not (shutil.which("unshare") and shutil.which("nsenter")):
        why = "unshare and nsenter (util-linux) not found"
    else:
        try:
            PrivateSpace().close()
        except SpaceError as e:
            why = str(e)
    if why and mode == "private":
        raise SpaceError("a private /dev/shm cannot be made here: %s" % why)
    _mode = Space.kind if why else "private"
    return _mode, why


def mode():
    return _mode


def new():
    """A space for one run of cases, in the run's mode."""
    return PrivateSpace() if _mode == "private" else Space()
