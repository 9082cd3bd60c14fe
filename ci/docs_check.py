#!/usr/bin/env python3
"""Checks README's table of targets against the Makefile.

  - the table lists exactly the Makefile's DOCUMENTED_TARGETS;
  - each documented target but `uninstall` installs its packages first (it
    is one of the `needs` targets of `make deps-list`);
  - the Debian column of each row names exactly the packages `make
    deps-list` gives that target beyond the base ones (libpython3.X-testsuite
    stands for the one of the system python3's version); `check` must take
    every package of the other rows.

usage: docs_check.py README    (run from the project's root; MAKE may name make)
Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import subprocess
import sys

BEGIN = "<!-- targets: begin"
END = "<!-- targets: end -->"
BASE = {"gcc", "libc6-dev", "make", "python3"}
TESTSUITE = re.compile(r"libpython3\.\d+-testsuite")


def make(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run([os.environ.get("MAKE", "make"), "-s", "--no-print-directory"]
                          + list(args), env=env, capture_output=True, text=True,
                          check=True).stdout


def table(readme):
    """{target: set of Debian packages, or None for a row that names none}."""
    with open(readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("docs: %s has no table between '%s' and '%s'" % (readme, BEGIN, END))
    body = text[text.index(BEGIN):text.index(END)]
    rows = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([a-z0-9-]+)`", cells[0]) if len(cells) >= 4 else None
        if not m:
            continue
        pkgs = cells[2]
        if pkgs == "—":
            rows[m.group(1)] = set()
        elif re.fullmatch(r"[a-z0-9.+X-]+( [a-z0-9.+X-]+)*", pkgs):
            rows[m.group(1)] = set(pkgs.split())
        else:
            rows[m.group(1)] = None
    return rows


def main():
    problems = []
    rows = table(sys.argv[1])
    documented = make("print-DOCUMENTED_TARGETS").split()
    listed = {}
    for line in make("deps-list").splitlines():
        target, _, pkgs = line.partition(":")
        listed[target] = {TESTSUITE.sub("libpython3.X-testsuite", p) for p in pkgs.split()} - BASE
    for t in documented:
        if t not in rows:
            problems.append("README's table lacks the documented target '%s'" % t)
        if t != "uninstall" and t not in listed:
            problems.append("'%s' is documented but installs nothing first (no `needs`)" % t)
    for t in rows:
        if t not in documented:
            problems.append("README's table has '%s', which DOCUMENTED_TARGETS lacks" % t)
    for t, pkgs in rows.items():
        if t not in listed or t == "check":
            continue
        if pkgs is None:
            problems.append("README's row '%s' does not list Debian packages" % t)
        elif pkgs != listed[t]:
            problems.append("README's row '%s' names %s, make deps-list %s"
                            % (t, " ".join(sorted(pkgs)) or "none",
                               " ".join(sorted(listed[t])) or "none"))
    others = set().union(*(p for t, p in rows.items() if t != "check" and p and t in listed
                           and t not in ("conformance-matrix", "fuzz-afl")))
    missing = others - listed.get("check", set())
    if missing:
        problems.append("make check lacks packages of the targets it covers: %s"
                        % " ".join(sorted(missing)))
    for p in problems:
        print("docs: " + p)
    if not problems:
        print("docs: README's %d targets agree with the Makefile" % len(rows))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
