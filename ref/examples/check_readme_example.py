#!/usr/bin/env python3
"""Runs README's "Using the library" section top to bottom, as a reader
would: its C program (which must be ref/examples/share_with_python.c) is
started, its Python session is run against the name the program printed
(a doctest, in a separate interpreter, as a second process would), then
Enter is pressed and the program's output must be README's text block.

usage: check_readme_example.py README EXAMPLE_SOURCE EXAMPLE_BINARY [PYTHON...]
Runs the section once per PYTHON (default: this interpreter). Prints
"example: N passed, M failed" and what differed, and exits 1 on a failure.
"""
import re
import subprocess
import sys

SECTION = "## Using the library"
README_NAME = "psm_1a2b3c4d"

DOCTEST = r"""
import doctest, sys
text = sys.stdin.read()
test = doctest.DocTestParser().get_doctest(text, {}, "README", "README.md", 0)
runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
runner.run(test)
sys.exit(1 if runner.failures else 0)
"""


def blocks(readme):
    """The c, python and text blocks of README's library section."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end >= 0 else len(text)]
    found = {}
    for lang, body in re.findall(r"^```(\w+)\n(.*?)^```", section, re.M | re.S):
        found.setdefault(lang, body)
    return found


def run_section(found, binary, python):
    """The problems of one run of the section with this Python."""
    prog = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    try:
        name = prog.stdout.readline().strip()
        prompt = prog.stdout.readline().strip()
        if not name or prompt != "press Enter when Python is done":
            prog.kill()
            return ["the program printed %r, %r before waiting" % (name, prompt)]
        session = subprocess.run([python, "-c", DOCTEST],
                                 input=found["python"].replace(README_NAME, name),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 universal_newlines=True, timeout=60)
        out, err = prog.communicate("\n", timeout=60)
    finally:
        if prog.poll() is None:
            prog.kill()
    problems = []
    if session.returncode != 0:
        problems.append("the Python session differs from README:\n" + session.stdout)
    if prog.returncode != 0 or err:
        problems.append("the program exited %d: %s" % (prog.returncode, err))
    if out != found["text"]:
        problems.append("after Enter the program printed\n%s\nnot README's\n%s"
                        % (out, found["text"]))
    return problems


def main(argv):
    readme, source, binary = argv[1:4]
    pythons = argv[4:] or [sys.executable]
    found = blocks(readme)
    missing = [b for b in ("c", "python", "text") if b not in found]
    if missing:
        print("example: README's library section has no %s block" % ", ".join(missing))
        return 1
    with open(source, encoding="utf-8") as f:
        if f.read() != found["c"]:
            print("example: README's C program differs from %s" % source)
            return 1
    failed = 0
    for python in pythons:
        problems = run_section(found, binary, python)
        failed += bool(problems)
        for p in problems:
            print("example (%s): %s" % (python, p))
    print("example: %d passed, %d failed" % (len(pythons) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
