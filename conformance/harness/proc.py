"""A running adapter: one long-lived process spoken to line by line.

Adapters are reused across many cases (starting an interpreter per case
would cost more than the cases themselves), so a crashed or hung adapter is
restarted rather than ending the run.
"""
import os
import select
import subprocess
import tempfile


PROTOCOL = "2"  # PROTOCOL.md's version; `hello` must name it
FEATURES = ("shm", "list", "buffers", "tracker")  # what `hello` may declare


class AdapterDied(Exception):
    pass


class WrongProtocol(AdapterDied):
    """The adapter speaks another version of the protocol."""


class Reply:
    """One reply: ok with words, or err with an exception class name."""

    def __init__(self, line):
        self.line = line
        head, _, rest = line.partition(" ")
        self.ok = head == "ok"
        if self.ok:
            self.text = rest
            self.exc = None
        else:
            cls, _, msg = rest.partition(" ")
            self.exc = cls or "?"
            self.text = msg

    @property
    def words(self):
        return self.text.split()

    def __repr__(self):
        return self.line if len(self.line) < 200 else self.line[:200] + "..."


class Adapter:
    def __init__(self, argv, label, timeout=60.0):
        self.argv = list(argv)
        self.label = label
        self.timeout = timeout
        self.proc = None
        self.layouts = ()
        self.ident = "?"
        self.matches = None  # the CPython version(s) it claims to behave as
        self.protocol = None
        self.features = frozenset()  # what it declares it implements

    def start(self):
        # stderr goes to a file, not a pipe nobody drains (a full pipe would
        # block the adapter), and is shown when the adapter misbehaves.
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.err, bufsize=0)
        self._buf = b""
        r = self.call("hello")
        if not r.ok:
            raise AdapterDied("%s: hello failed: %r" % (self.label, r))
        w = r.words
        self.ident = w[0] if w else "?"
        self.layouts = tuple(x for x in w[1].split(",") if x != "-") if len(w) > 1 else ()
        self.matches = w[2] if len(w) > 2 else None
        self.protocol = w[3] if len(w) > 3 else "1"
        if self.protocol != PROTOCOL:
            self.stop()
            raise WrongProtocol(
                "%s speaks protocol version %s (hello: `%s`); this harness speaks version %s, whose "
                "hello reply is `ok IMPLEMENTATION LAYOUTS MATCHES %s FEATURES` (PROTOCOL.md, "
                "\"Session\")" % (self.label, self.protocol, r.line[:120], PROTOCOL, PROTOCOL))
        self.features = frozenset(f for f in (w[4].split(",") if len(w) > 4 else ()) if f != "-")
        unknown = sorted(self.features - set(FEATURES))
        if unknown:
            self.stop()
            raise WrongProtocol("%s declares %s, not features of protocol %s (%s)" % (
                self.label, ",".join(unknown), PROTOCOL, ",".join(FEATURES)))
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_tail(self, n=800):
        try:
            self.err.seek(0)
            data = self.err.read()
            return data[-n:].decode("utf-8", "replace")
        except Exception:
            return ""

    def _readline(self):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            r, _, _ = select.select([fd], [], [], self.timeout)
            if not r:
                raise AdapterDied("%s: no reply within %.0fs" % (self.label, self.timeout))
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise AdapterDied("%s: exited (%s) %s" % (
                    self.label, self.proc.poll(), self.stderr_tail()))
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")

    def call(self, line):
        if not self.alive():
            raise AdapterDied("%s: not running" % self.label)
        try:
            self.proc.stdin.write(line.encode() + b"\n")
        except (BrokenPipeError, OSError):
            raise AdapterDied("%s: exited %s" % (self.label, self.stderr_tail()))
        return Reply(self._readline())

    def stop(self, timeout=10.0):
        """Asks the adapter to quit and waits; kills it if it does not."""
        if self.proc is None:
            return
        if self.alive():
            try:
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self):
        if self.proc is not None and self.alive():
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        return self.start()
