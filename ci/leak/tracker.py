"""CPython's resource tracker against blocks a C program created.

    python3 tracker.py PYSHM PYTHON...

PYSHM is the pyshm tool (it creates the blocks: a reference process that
has exited, as a C server would have done). Each PYTHON (3.8 or later;
older ones are skipped) attaches such a block in a short-lived process,
closes it and exits, in several ways; afterwards the block must be present
or gone exactly as the top-level RESOURCE_TRACKER.md says:

  attach, close, exit                   3.8-3.12: gone, with a "leaked
                                        shared_memory objects" warning
                                        3.13+: gone as well (track=True)
  attach, close, unregister, exit       present (3.8-3.12 workaround)
  attach with track=False, close, exit  present (3.13+)

Exit status 1 if any case differs.
"""
import os
import subprocess
import sys

CASES = {
    "attach": "s = SharedMemory(NAME); s.close()",
    "unregister": (
        "s = SharedMemory(NAME); s.close(); "
        "from multiprocessing import resource_tracker; "
        "resource_tracker.unregister(s._name, 'shared_memory')"
    ),
    "track_false": "s = SharedMemory(NAME, track=False); s.close()",
}


def version(python):
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True)
    return tuple(int(x) for x in out.stdout.split("."))


def expected(case, ver):
    """True if the block must still exist afterwards; None: not applicable."""
    if case == "attach":
        return False
    if case == "unregister":
        return True if ver < (3, 13) else None
    if case == "track_false":
        return True if ver >= (3, 13) else None
    raise ValueError(case)


def exists(name):
    return os.path.exists("/dev/shm/" + name)


def main():
    pyshm, pythons = sys.argv[1], sys.argv[2:]
    failures = n = 0
    seen = set()
    for python in pythons:
        ver = version(python)
        if ver < (3, 8) or ver in seen:
            continue
        seen.add(ver)
        for case, code in CASES.items():
            want = expected(case, ver)
            if want is None:
                continue
            n += 1
            name = "pyshm_rt%d_%d" % (os.getpid(), n)
            subprocess.run([pyshm, "create", "64", "--name", name], check=True,
                           stdout=subprocess.DEVNULL)
            prog = ("from multiprocessing.shared_memory import SharedMemory\n"
                    "NAME = %r\n%s\n" % (name, code))
            # Reading stderr to its end also waits for the tracker process,
            # which inherits it and does its unlinking as it exits.
            run = subprocess.run([python, "-c", prog], capture_output=True, text=True)
            present = exists(name)
            warned = "leaked shared_memory" in run.stderr
            ok = run.returncode == 0 and present == want
            # 3.8-3.12 also say what they did; 3.13 with tracking says it too.
            if not present and not warned:
                ok = False
            label = "%d.%d %-12s -> %s%s" % (ver[0], ver[1], case,
                                             "present" if present else "gone",
                                             " (warned)" if warned else "")
            print("%s %d - %s" % ("ok" if ok else "not ok", n, label))
            if not ok:
                failures += 1
                sys.stderr.write(run.stderr)
            if present:
                subprocess.run([pyshm, "unlink", name], check=True)
    print("1..%d" % n)
    print("tracker: %d cases, %d failures" % (n, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
