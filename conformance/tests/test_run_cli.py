#!/usr/bin/env python3
"""run.py refuses to give a verdict it cannot give: each of these must exit
2 with a message naming the cause, never "passed"."""
import os
import subprocess
import sys
import tempfile
import unittest

CONF = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(CONF, "run.py")
CPY = os.path.join(CONF, "adapters", "cpython", "adapter.py")
IMPL = "%s %s" % (sys.executable, CPY)


def run(*args):
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([sys.executable, RUN, "--impl", IMPL, "--out", out] + list(args),
                           capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


class Refusals(unittest.TestCase):
    def refused(self, args, *words):
        rc, out = run(*args)
        self.assertEqual(rc, 2, out[-2000:])
        self.assertNotIn(" passed, 0 failed", out)
        for w in words:
            self.assertIn(w, out)

    def test_no_such_python(self):
        self.refused(["--pythons", "no-such-python"], "no-such-python", "cannot run")

    def test_peer_that_refuses_to_run(self):
        with tempfile.NamedTemporaryFile("w", suffix="-shim", delete=False) as f:
            f.write("#!/bin/sh\necho 'this shim refuses to run' >&2\nexit 127\n")
        os.chmod(f.name, 0o755)
        try:
            self.refused(["--pythons", f.name], f.name, "this shim refuses to run")
        finally:
            os.unlink(f.name)

    def test_unknown_group(self):
        self.refused(["--groups", "nosuchgroup"], "nosuchgroup", "unknown group")

    def test_unknown_excluded_group(self):
        self.refused(["--exclude-groups", "nosuchgroup"], "nosuchgroup")

    def test_case_matching_nothing(self):
        self.refused(["--case", "no-case-is-called-this"], "no-case-is-called-this")

    def test_no_peer_for_selector(self):
        self.refused(["--pythons", sys.executable, "--peers", "2.7"], "no peer matches")

    def test_all_skipped(self):
        # A 3.9+ peer whose impl writes only py39, asked for cases that need no
        # peer and were all skipped: the buffers group under an adapter that
        # exports no buffers.
        ref = os.path.join(os.path.dirname(CONF), "build", "conformance", "ref-adapter")
        if not os.path.exists(ref):
            self.skipTest("build/conformance/ref-adapter not built")
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run([sys.executable, RUN, "--impl", ref, "--out", out, "--pythons",
                                sys.executable, "--groups", "buffers"],
                               capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("no case was executed", p.stdout + p.stderr)


class Expectations(unittest.TestCase):
    def run_with(self, text, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        try:
            return run("--expect", f.name, "--pythons", sys.executable, *args)
        finally:
            os.unlink(f.name)

    def test_misspelt_case_is_refused(self):
        rc, out = self.run_with("errors/get-index-33333 -- misspelt\n", "--case", "get-index-3")
        self.assertEqual(rc, 2, out[-2000:])
        self.assertIn("names no case", out)

    def test_known_failure_that_passes_fails_the_run(self):
        rc, out = self.run_with("errors/get-index-3 -- said to fail\n", "--groups", "errors",
                                "--case", "get-index-3")
        self.assertEqual(rc, 1, out[-2000:])
        self.assertIn("expected to fail", out)

    def test_a_family_pattern_names_every_case_it_matches(self):
        rc, out = self.run_with("errors/get-index-* -- said to fail\n", "--groups", "errors",
                                "--case", "get-index-")
        self.assertEqual(rc, 1, out[-2000:])
        self.assertIn("errors/get-index-3 (expected to fail, passed)", out)
        self.assertIn("errors/get-index-100 (expected to fail, passed)", out)

    def test_a_family_pattern_matching_no_case_is_refused(self):
        rc, out = self.run_with("random/* -- no such group\n", "--case", "get-index-3")
        self.assertEqual(rc, 2, out[-2000:])
        self.assertIn("random/* names no case", out)

    def test_known_failure_on_other_peers_only(self):
        rc, out = self.run_with("errors/get-index-3 on 2.7 -- not this peer\n", "--groups", "errors",
                                "--case", "get-index-3")
        self.assertEqual(rc, 0, out[-2000:])


if __name__ == "__main__":
    unittest.main()
