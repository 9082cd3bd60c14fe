#!/usr/bin/env python3
"""What a verdict says, on implementations that are partial, leaky or
outside: each test runs run.py on a deliberately wrong adapter
(adapters/wrong/adapter.py) or a module through the model adapter, against
one CPython, and reads every output it writes."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ET

CONF = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, CONF)
from harness import discover, expectations  # noqa: E402

RUN = os.path.join(CONF, "run.py")
CPY = os.path.join(CONF, "adapters", "cpython", "adapter.py")
WRONG = os.path.join(CONF, "adapters", "wrong", "adapter.py")
FOUND, _ = discover.interpreters()
PY = " ".join(next((c for v, c in FOUND if v[:2] == (3, 11)), [sys.executable]))


def pyenv_python(minor):
    root = discover.pyenv_root()
    if not root:
        return None
    d = os.path.join(root, "versions")
    for v in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if v.startswith("3.%d." % minor) and os.path.exists(os.path.join(d, v, "bin", "python3")):
            return os.path.join(d, v, "bin", "python3")
    return None


class Run:
    """One run of run.py and everything it wrote."""

    def __init__(self, impl, *args, env=None):
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run([sys.executable, RUN, "--impl", impl, "--out", out] + list(args),
                               capture_output=True, text=True, timeout=600, env=env)
            self.rc, self.stdout, self.stderr = p.returncode, p.stdout, p.stderr
            self.out = p.stdout + p.stderr
            def read(f):
                if not os.path.exists(os.path.join(out, f)):
                    return None
                with open(os.path.join(out, f), encoding="utf-8") as fh:
                    return fh.read()
            self.report, self.junit = read("report.md"), read("junit.xml")
            s = read("summary.json")
            self.summary = json.loads(s) if s else None

    @property
    def statement(self):
        return self.report.splitlines()[0] if self.report else ""


class Noise:
    """Another program's blocks, while a run goes on: names like CPython's
    random ones, each made in the machine's /dev/shm and removed a few
    milliseconds later (only these, the test's own)."""

    def __init__(self):
        self.made = 0
        self.stop = threading.Event()

    def loop(self):
        live = []
        while not self.stop.wait(0.002):
            n = "/dev/shm/psm_" + os.urandom(4).hex()
            os.close(os.open(n, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
            live.append(n)
            self.made += 1
            if len(live) > 4:
                os.unlink(live.pop(0))
        for n in live:
            os.unlink(n)

    def __enter__(self):
        if not os.path.isdir("/dev/shm"):
            raise unittest.SkipTest("no /dev/shm here")
        self.thread = threading.Thread(target=self.loop)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def wrong(mode, *args, **kw):
    return Run("%s %s %s" % (PY, WRONG, mode), "--pythons", PY, *args, **kw)


class PartialImplementations(unittest.TestCase):
    def test_unsupported_for_declared_lists_fails_scenarios_and_vectors_alike(self):
        r = wrong("listless", "--groups", "errors,vectors")
        self.assertEqual(r.rc, 1, r.out[-3000:])
        self.assertIn("does NOT conform", r.statement)
        self.assertIn("cause: declares ShareableList but answers `err Unsupported` to its commands",
                      r.statement)
        self.assertEqual(len(r.summary["causes"]), 1, r.summary["causes"])  # one cause, not one per case
        by_group = r.summary["groups"]
        for g in ("errors", "vectors"):
            self.assertGreater(by_group[g]["fail"], 0, g)
            self.assertEqual(by_group[g]["skip"], 0 if g == "errors" else by_group[g]["skip"], g)
        # A vector skipped for Unsupported would be a skip with that reason: none is.
        self.assertFalse([s for s in r.summary["skipped"] if "Unsupported" in s["reason"]])

    def test_undeclared_lists_are_named_as_not_run_and_the_rest_is_judged(self):
        r = wrong("shm-only", "--groups", "errors,lifecycle")
        self.assertEqual(r.rc, 0, r.out[-3000:])
        m = re.search(r"ShareableList not implemented \((\d+) cases not run\)", r.statement)
        self.assertTrue(m, r.statement)
        self.assertIn("for SharedMemory (", r.statement)
        self.assertEqual(int(m.group(1)), r.summary["not_implemented"]["ShareableList"])
        self.assertEqual(r.summary["skipped"], [{"reason": "not implemented: ShareableList",
                                                 "cases": int(m.group(1))}])

    def test_cases_cpython_in_its_place_cannot_run_are_not_called_unimplemented(self):
        # CPython 3.8 (writes py38) claimed as 3.11 (writes py39 only), against
        # a 3.8 peer: the list cases ran on the implementation but not on the
        # CPython in its place. Skipped, with that reason; not "not implemented".
        py38, py311 = (" ".join(next((c for v, c in FOUND if v[:2] == m), [""])) for m in ((3, 8), (3, 11)))
        if not py38 or not py311:
            self.skipTest("needs CPython 3.8 and 3.11")
        r = Run("%s %s" % (py38, CPY), "--match", "3.11", "--pythons", "%s %s" % (py38, py311),
                "--peers", "3.8", "--groups", "errors")
        self.assertNotIn("not implemented", r.statement)
        self.assertEqual(r.summary["not_implemented"], {})
        self.assertTrue(any(s["reason"].startswith("CPython in the implementation's place cannot "
                                                   "take part") for s in r.summary["skipped"]),
                        r.summary["skipped"])

    def test_a_block_left_by_a_failed_create_fails_and_is_named(self):
        for blocks in ("auto", "shared"):
            r = wrong("leaky", "--groups", "errors", "--blocks", blocks)
            self.assertEqual(r.rc, 1, r.out[-3000:])
            self.assertIn("cause: leaves a block CPython does not leave (after `shm_create`)", r.statement)
            self.assertIn("errors/shm-create-size-0", r.statement)
            self.assertRegex(r.report, r"with the implementation: \$0 \(named cnf[0-9a-f]+_[0-9a-f]+\)")
            self.assertEqual(r.summary["numbers"]["failed"], 1, r.summary["causes"])

    def test_a_block_left_under_a_name_no_reply_gave_fails(self):
        for blocks in ("auto", "shared"):
            with Noise():  # other processes' blocks come and go meanwhile
                r = wrong("leaky-unnamed", "--groups", "errors", "--blocks", blocks)
            self.assertEqual(r.rc, 1, r.out[-3000:])
            # A private /dev/shm (auto, where the system allows one) sees every
            # block; a shared one knows only that none of the replies named it.
            how = ("leaves a block CPython does not leave (after `shm_create`)"
                   if r.summary["blocks"] == "private" else
                   "leaves a block no reply named (after `shm_create`)")
            self.assertIn("cause: " + how, r.statement)
            self.assertIn("errors/shm-create-size-0", r.statement)
            self.assertRegex(r.report, r"psm_[0-9a-f]{8}")
            self.assertEqual(r.summary["numbers"]["failed"], 1, r.summary["causes"])

    def test_a_block_left_by_the_vectors_fails(self):
        r = wrong("leaky-list", "--groups", "vectors", "--case", "py39-int-")
        if r.summary and r.summary["blocks"] != "private":
            self.skipTest("no private /dev/shm here: vectors have no CPython run to tell "
                          "the implementation's blocks from others'")
        self.assertEqual(r.rc, 1, r.out[-3000:])
        self.assertIn("cause: leaves a block behind (a vector)", r.statement)
        self.assertRegex(r.report, r"left after the vector \(now removed\): psm_[0-9a-f]{8}")

    def test_other_processes_blocks_fail_nothing(self):
        for blocks in ("auto", "shared"):
            with Noise() as noise:
                r = Run("%s %s" % (PY, CPY), "--pythons", PY, "--groups", "errors,lifecycle",
                        "--blocks", blocks)
            self.assertGreater(noise.made, 100)
            self.assertEqual(r.rc, 0, r.out[-3000:])
            self.assertIn("conforms to", r.statement)

    def test_protocol_version_1_is_refused_naming_the_version(self):
        r = wrong("v1", "--groups", "errors")
        self.assertEqual(r.rc, 2, r.out[-3000:])
        self.assertIn("protocol version 1", r.stderr)
        self.assertIn("version 2", r.stderr)


class OracleSkips(unittest.TestCase):
    def test_a_case_cpython_cannot_take_part_in_is_no_area_not_implemented(self):
        # The reference writes py38 lists; claiming 3.12 against a 3.8 peer,
        # CPython 3.12 in its place cannot write the py38 ones: those cases
        # are skipped, but nothing of the implementation went unimplemented.
        ref = os.path.join(os.path.dirname(CONF), "build", "conformance", "ref-adapter")
        py38, py312 = pyenv_python(8), pyenv_python(12)
        if not os.path.exists(ref) or not py38 or not py312:
            self.skipTest("needs build/conformance/ref-adapter and Pythons 3.8 and 3.12 under pyenv root")
        r = Run(ref, "--match", "3.12", "--pythons", "%s %s" % (py38, py312), "--peers", "3.8",
                "--groups", "errors,layout",
                "--expect", os.path.join(CONF, "expectations", "ref.txt"))
        self.assertEqual(r.rc, 0, r.out[-3000:])
        self.assertTrue(any(x["reason"].startswith("CPython in the implementation's place cannot take part")
                            for x in r.summary["skipped"]), r.summary["skipped"])
        self.assertEqual(r.summary["not_implemented"], {}, r.statement)
        self.assertNotIn("not implemented", r.statement)


class Expectations(unittest.TestCase):
    def test_other_layout_selects_the_peers_of_the_other_generation_than_the_oracle(self):
        e = expectations.Entry("cross/x", "other-layout", "reads both layouts", "f:1")
        self.assertTrue(e.matches("cross/x", (3, 8, 18), (3, 13, 0)))
        self.assertFalse(e.matches("cross/x", (3, 12, 1), (3, 13, 0)))
        self.assertTrue(e.matches("cross/x", (3, 12, 1), (3, 8, 18)))
        self.assertFalse(e.matches("cross/x", (3, 8, 18), (3, 8, 18)))
        both = expectations.Entry("cross/x", "3.12,other-layout", "either", "f:2")
        self.assertTrue(both.matches("cross/x", (3, 12, 1), (3, 13, 0)))
        self.assertFalse(both.matches("cross/x", (3, 11, 7), (3, 13, 0)))


class Counts(unittest.TestCase):
    def check_agree(self, r):
        n = r.summary["numbers"]
        plan = int(re.search(r"^1\.\.(\d+)$", r.stdout, re.M).group(1))
        line = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", r.stdout, re.M)
        st = re.search(r": (\d+) cases?, (\d+) passed.*?, \**(\d+) failed\**, (\d+) skipped", r.statement)
        root = ET.fromstring(r.junit)
        junit = [int(root.get(k)) for k in ("tests", "failures", "skipped")]
        suites = [sum(int(s.get(k)) for s in root) for k in ("tests", "failures", "skipped")]
        cases = len(root.findall(".//testcase"))
        self.assertEqual(plan, n["cases"])
        self.assertEqual([int(x) for x in line.groups()], [n["passed"], n["failed"], n["skipped"]])
        self.assertEqual([int(x) for x in st.groups()], [n["cases"], n["passed"], n["failed"], n["skipped"]])
        self.assertEqual(junit, [n["cases"], n["failed"], n["skipped"]])
        self.assertEqual(suites, junit)
        self.assertEqual(cases, n["cases"])
        self.assertEqual(n["passed"] + n["failed"] + n["skipped"], n["cases"])
        self.assertEqual(len(r.summary["results"]), n["cases"])
        self.assertEqual(sum(s["cases"] for s in r.summary["skipped"]), n["skipped"])
        self.assertEqual(sum(c["cases"] for c in r.summary["causes"]), n["failed"])

    def test_counts_agree_with_skips_and_failures(self):
        self.check_agree(wrong("shm-only", "--groups", "errors,selftest"))
        self.check_agree(wrong("leaky", "--groups", "errors,lifecycle"))

    def test_every_skip_has_a_reason_everywhere(self):
        r = wrong("shm-only", "--groups", "errors", "-v")
        skips = [ln for ln in r.stdout.splitlines() if "# SKIP" in ln]
        self.assertTrue(skips)
        self.assertTrue(all(ln.split("# SKIP", 1)[1].strip() for ln in skips))
        for s in ET.fromstring(r.junit).iter("skipped"):
            self.assertTrue(s.get("message"))
        self.assertTrue(all(x.get("why") for x in r.summary["results"] if x["status"] == "skip"))
        head = r.report.split("\n## ")[1]  # the opening section, as CI summaries show it
        self.assertIn("| not implemented: ShareableList |", head)

    def test_report_opens_with_statement_and_causes(self):
        r = wrong("listless", "--groups", "errors")
        self.assertTrue(r.report.startswith("**"), r.report[:200])
        opening = r.report.split("\n## ")[1]
        self.assertTrue(opening.startswith("Causes"))
        self.assertIn("| cause | cases | peers | example |", opening)
        self.assertLess(len([ln for ln in r.report.splitlines() if "Unsupported" in ln and
                             ln.startswith("| declares")]), 3)
        self.assertIn("cause: declares ShareableList", r.stdout)  # the terminal


class ModelAdapter(unittest.TestCase):
    """The model adapter serves a drop-in module on Python 3.6 and 3.7: the
    module here is CPython 3.8's own shared_memory.py, loaded over a small
    _posixshmem written with os.open on /dev/shm (tests/shm38shim.py). What
    is tested is the adapter's --module/--match/--name on those versions and
    a verdict on a real module; not any published backport."""

    def run_on(self, minor):
        py = pyenv_python(minor)
        py38 = pyenv_python(8)
        if not py or not py38:
            self.skipTest("no Python 3.%d or 3.8 under pyenv root" % minor)
        src = subprocess.run([py38, "-c", "import multiprocessing.shared_memory as m; print(m.__file__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
        env = dict(os.environ, SHM38_SOURCE=src,
                   PYTHONPATH=os.path.dirname(os.path.abspath(__file__)))
        r = Run("%s %s --module shm38shim --match 3.8 --name shim-on-3.%d" % (py, CPY, minor),
                "--pythons", py38, "--groups", "layout,cross", env=env)
        self.assertEqual(r.rc, 0, r.out[-3000:])
        self.assertTrue(r.statement.startswith("**shim-on-3.%d (python 3.8) conforms to CPython 3.8"
                                               % minor), r.statement)

    def test_python_36(self):
        self.run_on(6)

    def test_python_37(self):
        self.run_on(7)


class Peers(unittest.TestCase):
    def test_a_peer_that_cannot_run_is_named_with_the_last_line_of_its_error(self):
        with tempfile.NamedTemporaryFile("w", suffix="-python", delete=False) as f:
            f.write("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                    "echo '  File \"x\", line 1' >&2\necho 'ImportError: no shared memory here' >&2\n"
                    "exit 1\n")
        os.chmod(f.name, 0o755)
        try:
            r = Run("%s %s" % (PY, CPY), "--pythons", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(r.rc, 2)
        self.assertIn("ImportError: no shared memory here", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_refusing_pyenv_shims_are_one_quiet_line(self):
        with tempfile.TemporaryDirectory() as d:
            shims = os.path.join(d, "shims")
            os.mkdir(shims)
            for minor in (28, 29):  # discovery looks for python3.8 to python3.29
                p = os.path.join(shims, "python3.%d" % minor)
                with open(p, "w") as f:
                    f.write("#!/bin/sh\necho 'pyenv: python3.%d: command not found' >&2\n"
                            "echo >&2\necho 'The `python3.%d` command exists in these Python versions:' >&2\n"
                            "exit 127\n" % (minor, minor))
                os.chmod(p, 0o755)
            env = dict(os.environ, PATH=shims + os.pathsep + os.environ["PATH"])
            r = Run("%s %s" % (PY, CPY), "--peers", "3.11", "--groups", "errors", "--case", "get-index-3",
                    env=env)
        self.assertEqual(r.rc, 0, r.out[-2000:])
        self.assertRegex(r.stdout, r"# \d+ pyenv shims skipped .*python3\.28 python3\.29")
        self.assertNotRegex(r.stdout, r"not a peer: \S*python3\.2[89]")


if __name__ == "__main__":
    unittest.main()
