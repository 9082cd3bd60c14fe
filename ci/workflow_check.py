#!/usr/bin/env python3
"""Checks the hosted-CI workflow against the Makefile and the README.

  - every `make TARGET` a step runs names a target the Makefile defines
    (looked up in make's own database, `make -p`, so nothing is built);
    (`${{ matrix.X }}` stands for each value of the job's matrix);
  - the Linux job is the fresh-machine path: a bare debian:bookworm
    container that installs nothing beyond git, make and ca-certificates
    and runs exactly the README's commands, in the README's order;
  - the fresh job runs, in the same bare container, each of the Makefile's
    DOCUMENTED_TARGETS as its only make command, one matrix entry each;
  - the pythons job sets up CPython 3.8 to 3.13, runs the suite on them and
    the module's tests;
  - the jobs that run the suite upload junit.xml, report.md and
    summary.json and write the job summary; macOS and Windows build and
    test the library and the tool.

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
FRESH_JOB = "fresh"
PYTHONS_JOB = "pythons"
PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
# What each job must run (a make target among its calls).
MUST_RUN = {
    PYTHONS_JOB: [("conformance", "conformance-matrix"), ("check-python",)],
    # The library's runners and the tool's portable test.
    "macos": [("check-unit-equivalents",)],
    "windows": [("check-unit-equivalents",)],
}
RESULT_FILES = ("junit.xml", "report.md", "summary.json")
MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")

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
    """(name, script) of each run step; a script that names `${{ matrix.X }}`
    once per value of the job's matrix."""
    strategy = job.get("strategy") if isinstance(job.get("strategy"), dict) else {}
    matrix = strategy.get("matrix") if isinstance(strategy.get("matrix"), dict) else {}
    for step in job.get("steps") or []:
        if not (isinstance(step, dict) and isinstance(step.get("run"), str)):
            continue
        name, script = step.get("name", step["run"].strip()), step["run"]
        keys = set(MATRIX_REF.findall(script))
        if not keys:
            yield name, script
            continue
        for key in keys:
            for value in matrix.get(key) or ["<no matrix.%s>" % key]:
                yield name, MATRIX_REF.sub(lambda m: str(value) if m.group(1) == key
                                           else m.group(0), script)


def uses(job, action):
    """The `with` settings of each step of job that uses action."""
    for step in job.get("steps") or []:
        if isinstance(step, dict) and str(step.get("uses", "")).split("@")[0] == action:
            yield step.get("with") or {}


def bare_container(workflow, job_id, job):
    """Problems of a job that must be a bare Debian container."""
    problems = []
    container = job.get("container")
    image = container.get("image") if isinstance(container, dict) else container
    if image != LINUX_IMAGE:
        problems.append("%s: job %s runs in %r, not a bare %s container"
                        % (workflow, job_id, image, LINUX_IMAGE))
    for name, script in steps(job):
        for words in commands(script):
            if words[0] == "apt-get" and "install" in words:
                extra = {w for w in words[words.index("install") + 1:]
                         if not w.startswith("-")} - LINUX_PACKAGES
                if extra:
                    problems.append("%s: job %s, step '%s' installs %s: a fresh "
                                    "machine has only %s; `make` must install "
                                    "the rest" % (workflow, job_id, name,
                                                  " ".join(sorted(extra)),
                                                  ", ".join(sorted(LINUX_PACKAGES))))
    return problems


def ran(job):
    """The make command lines a job runs."""
    return [line for _, script in steps(job) for line, _ in make_calls(script)]


def targets_of(job):
    return [t for _, script in steps(job) for _, ts in make_calls(script) for t in ts]


def documented_targets():
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run([os.environ.get("MAKE", "make"), "-s", "--no-print-directory",
                          "print-DOCUMENTED_TARGETS"], env=env, stdout=subprocess.PIPE,
                         universal_newlines=True, check=True)
    return out.stdout.split()


def results_published(workflow, job_id, job):
    problems = []
    paths = " ".join(str(w.get("path", "")) for w in uses(job, "actions/upload-artifact"))
    missing = [f for f in RESULT_FILES if f not in paths]
    if missing:
        problems.append("%s: job %s runs the suite but uploads no %s"
                        % (workflow, job_id, ", ".join(missing)))
    if not any("GITHUB_STEP_SUMMARY" in script for _, script in steps(job)):
        problems.append("%s: job %s runs the suite but writes no job summary"
                        % (workflow, job_id))
    return problems


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
        problems += bare_container(workflow, LINUX_JOB, linux)
        wanted = readme_commands(readme)
        if not wanted:
            problems.append("%s: no sh block with make commands" % readme)
        elif ran(linux) != wanted:
            problems.append("%s: job %s runs %s; %s says %s"
                            % (workflow, LINUX_JOB, ran(linux) or "no make command",
                               readme, wanted))

    fresh = jobs.get(FRESH_JOB)
    if not isinstance(fresh, dict):
        problems.append("%s: no job '%s'" % (workflow, FRESH_JOB))
    else:
        problems += bare_container(workflow, FRESH_JOB, fresh)
        documented = documented_targets()
        if ran(fresh) != ["make %s" % t for t in documented]:
            problems.append("%s: job %s runs %s; each of DOCUMENTED_TARGETS alone is %s"
                            % (workflow, FRESH_JOB, ran(fresh),
                               " ".join(documented)))

    for job_id, wanted in MUST_RUN.items():
        job = jobs.get(job_id)
        if not isinstance(job, dict):
            problems.append("%s: no job '%s'" % (workflow, job_id))
            continue
        for choices in wanted:
            if not set(choices) & set(targets_of(job)):
                problems.append("%s: job %s runs no `make %s`"
                                % (workflow, job_id, "` or `make ".join(choices)))

    pythons = jobs.get(PYTHONS_JOB)
    if isinstance(pythons, dict):
        versions = [str(w.get("python-version", "")).split() for w in
                    uses(pythons, "actions/setup-python")]
        if not versions or sorted(versions[0]) != sorted(PYTHONS):
            problems.append("%s: job %s sets up CPython %s, not %s"
                            % (workflow, PYTHONS_JOB, versions or "none", " ".join(PYTHONS)))

    # The fresh job proves targets install what they need; its results are
    # the same as the other jobs'.
    for job_id, job in jobs.items():
        runs_suite = isinstance(job, dict) and any(
            t == "check" or (t.startswith("conformance") and t != "conformance-vectors")
            for t in targets_of(job))
        if runs_suite and job_id != FRESH_JOB:
            problems += results_published(workflow, job_id, job)

    for p in problems:
        print(p)
    if problems:
        return 1
    print("workflow: %d make calls, every target exists; job %s runs %s; job %s each "
          "documented target alone; job %s CPython %s"
          % (calls, LINUX_JOB, " then ".join("`%s`" % c for c in readme_commands(readme)),
             FRESH_JOB, PYTHONS_JOB, "-".join([PYTHONS[0], PYTHONS[-1]])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
