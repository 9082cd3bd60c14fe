"""Runs the Python examples of the READMEs in fresh processes and checks
what they print: the project's README ("From Python": another process's
write arrives, the block is gone afterwards, no tracker warning) and the
package's (ref/python/README.md, "Use": it prints what its comments say)."""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(PACKAGE))


def example(readme, section):
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    part = text.split("\n## %s\n" % section, 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", part, re.S).group(1)


def run(code):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "example.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(code)
        p = subprocess.run([sys.executable, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def project_example():
    rc, out, err = run(example(os.path.join(ROOT, "README.md"), "From Python"))
    lines = out.splitlines()
    ok = (rc == 0 and len(lines) == 2 and lines[0] == "1 4"
          and re.fullmatch(r"ShareableList\(\['HOWDY', b'HoWdY', -273\.154, 100, None, True, "
                           r"42\], name='(psm_[0-9a-f]{8})'\)", lines[1]) is not None
          and not err)
    if ok:
        name = re.search(r"name='(psm_[0-9a-f]{8})'", lines[1]).group(1)
        ok = not os.path.exists(os.path.join("/dev/shm", name))
    return ok, rc, out, err


def package_example():
    code = example(os.path.join(PACKAGE, "README.md"), "Use")
    # Each print's comment says what it prints.
    want = [re.search(r"# (\S+(?: \S+)*?)(?: \(.*\))?$", line).group(1)
            for line in code.splitlines() if line.startswith("print(")]
    rc, out, err = run(code)
    return rc == 0 and out.splitlines() == want and not err, rc, out, err


def main():
    failed = 0
    for name, check in (("project README", project_example),
                        ("package README", package_example)):
        ok, rc, out, err = check()
        if not ok:
            failed += 1
            print("%s example: FAILED\nrc=%d\nstdout:\n%sstderr:\n%s" % (name, rc, out, err))
    print("readme example: %d passed, %d failed" % (2 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
