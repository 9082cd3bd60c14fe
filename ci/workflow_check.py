#!/usr/bin/env python3
"""Checks the hosted-CI workflow against the Makefile and the README.

  - every `make TARGET` a step runs names a target the Makefile defines
    (looked up in make's own database, `make -p`, so nothing is built);
  - the Linux job is the fresh-machine path: a bare debian:bookworm
    container that installs nothing beyond git, make and ca-certificates
    and runs exactly the README's commands, in the README's order.

usage: workflow_check.py WORKFLOW README
Needs PyYAML (Debian's python3-yaml). Prints one line per problem and
exits 1 when there is any.
"""
import os
import re
import shlex
import subprocess
import sys

import yaml

# The fresh-machine job: the container and what it may install itself.
LINUX_JOB = "linux"
LINUX_IMAGE = "debian:bookworm"
LINUX_PACKAGES = {"git", "make", "ca-certificates"}

# make options that take the next word as their argument.
MAKE_OPTS_WITH_ARG = {"-C", "-f", "-I", "-o", "-W", "--directory", "--file",
                      "--makefile", "--include-dir", "--old-file", "--new-file",
                      "--what-if"}


def commands(script):
    """Yields each simple command of a shell script as a list of words."""
    # Line by line, continuations joined: shlex drops the newline that ends
    # a comment, and a newline ends a command.
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.commenters = "#"
        words = []
        for tok in lexer:
            if set(tok) <= set("&|;()"):
                if words:
                    yield words
                words = []
            else:
                words.append(tok)
        if words:
            yield words


def make_calls(script):
    """The make invocations of a script, each as (command line, [targets])."""
    for words in commands(script):
        # `sudo make ...` in the README is the workflow's `make ...` as root.
        while words and (words[0] in ("sudo", "env") or "=" in words[0]):
            words = words[1:]
        if not words or os.path.basename(words[0]) != "make":
            continue
        targets, skip = [], False
        for w in words[1:]:
            if skip:
                skip = False
            elif w in MAKE_OPTS_WITH_ARG:
                skip = True
            elif w.startswith("-") or "=" in w:
                continue
            else:
                targets.append(w)
        yield " ".join(words), targets or ["all"]


def make_targets():
    """Every target the Makefile defines, from make's database."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    # A goal with no recipe of its own, so that printing the database
    # builds nothing.
    out = subprocess.run([os.environ.get("MAKE", "make"), "-rp",
                          "--eval", ".workflow-db:", ".workflow-db"],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=False)
    if out.returncode != 0:
        sys.exit("workflow: make -p failed:\n" + out.stderr)
    targets, in_files, not_target = set(), False, False
    for line in out.stdout.splitlines():
        if line == "# Files":
            in_files = True
        elif line.startswith("# files hash-table stats"):
            in_files = False
        elif in_files and line == "# Not a target:":
            not_target = True
            continue
        elif in_files and line and line[0] not in "#\t" and ":" in line:
            if not not_target:
                targets.add(line.split(":", 1)[0])
        not_target = False
    return targets


def readme_commands(path):
    """The make commands of the README's first sh block that has any."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
        cmds = [line for line, _ in make_calls(block)]
        if cmds:
            return cmds
    return []


def steps(job):
    for step in job.get("steps") or []:
        if isinstance(step, dict) and isinstance(step.get("run"), str):
            yield step.get("name", step["run"].strip()), step["run"]


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: workflow_check.py WORKFLOW README")
    workflow, readme = argv[1:]
    try:
        with open(workflow, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print("%s: cannot read: %s" % (workflow, e))
        return 1
    jobs = doc.get("jobs") or {} if isinstance(doc, dict) else {}
    problems = []
    known = make_targets()
    calls = 0
    for job_id, job in jobs.items():
        for name, script in steps(job):
            for line, targets in make_calls(script):
                calls += 1
                problems += ["%s: job %s, step '%s': `%s`: no make target '%s'"
                             % (workflow, job_id, name, line, t)
                             for t in targets if t not in known]
    if calls == 0:
        problems.append("%s: no step runs make" % workflow)

    linux = jobs.get(LINUX_JOB)
    if not isinstance(linux, dict):
        problems.append("%s: no job '%s'" % (workflow, LINUX_JOB))
    else:
        container = linux.get("container")
        image = container.get("image") if isinstance(container, dict) else container
        if image != LINUX_IMAGE:
            problems.append("%s: job %s runs in %r, not a bare %s container"
                            % (workflow, LINUX_JOB, image, LINUX_IMAGE))
        ran = []
        for name, script in steps(linux):
            for words in commands(script):
                if words[0] == "apt-get" and "install" in words:
                    extra = {w for w in words[words.index("install") + 1:]
                             if not w.startswith("-")} - LINUX_PACKAGES
                    if extra:
                        problems.append("%s: job %s, step '%s' installs %s: a fresh "
                                        "machine has only %s; `make` must install "
                                        "the rest" % (workflow, LINUX_JOB, name,
                                                      " ".join(sorted(extra)),
                                                      ", ".join(sorted(LINUX_PACKAGES))))
            ran += [line for line, _ in make_calls(script)]
        wanted = readme_commands(readme)
        if not wanted:
            problems.append("%s: no sh block with make commands" % readme)
        elif ran != wanted:
            problems.append("%s: job %s runs %s; %s says %s"
                            % (workflow, LINUX_JOB, ran or "no make command",
                               readme, wanted))

    for p in problems:
        print(p)
    if problems:
        return 1
    print("workflow: %d make calls, every target exists; job %s runs %s"
          % (calls, LINUX_JOB, " then ".join("`%s`" % c for c in readme_commands(readme))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
