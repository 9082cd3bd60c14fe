"""Runs the Python example of the README's "From Python" section in a fresh
process and checks what it prints, that the other process's write arrived,
and that the block is gone afterwards with no tracker warning."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def example():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "example.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(example())
        p = subprocess.run([sys.executable, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
    out, err = p.stdout.decode(), p.stderr.decode()
    lines = out.splitlines()
    ok = (p.returncode == 0 and len(lines) == 2 and lines[0] == "1 4"
          and re.fullmatch(r"ShareableList\(\['HOWDY', b'HoWdY', -273\.154, 100, None, True, "
                           r"42\], name='(psm_[0-9a-f]{8})'\)", lines[1]) is not None
          and not err)
    if ok:
        name = re.search(r"name='(psm_[0-9a-f]{8})'", lines[1]).group(1)
        ok = not os.path.exists(os.path.join("/dev/shm", name))
    print("readme example: %s" % ("1 passed, 0 failed" if ok else "FAILED"))
    if not ok:
        print("rc=%d\nstdout:\n%sstderr:\n%s" % (p.returncode, out, err))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
