"""Whole-command comparisons with hyperfine: the pyshm tool against a
`python3 -c` one-liner doing the same with ShareableList, process start-up
included, because that is what a shell script or a build step pays.

usage: commands.py --pyshm TOOL --interpreters FILE --out DIR [--quick]

The one-liners unregister the block from CPython's resource tracker before
exiting; without that, an interpreter that only attached would unlink the
list when it exits (see common.untrack), and the next run would find
nothing. hyperfine's JSON is kept as exported, except that interpreter
paths are replaced by their version, so no machine's layout is recorded.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ITEMS = 100  # a list of mixed items, the kind a script would print

SHOW = ("from multiprocessing.shared_memory import ShareableList as L;"
        "from multiprocessing import resource_tracker as t;"
        "s = L(name='{name}'); print(list(s)); t.unregister(s.shm._name, 'shared_memory')")
GET = ("from multiprocessing.shared_memory import ShareableList as L;"
       "from multiprocessing import resource_tracker as t;"
       "s = L(name='{name}'); print(repr(s[3])); t.unregister(s.shm._name, 'shared_memory')")


def values():
    cycle = ["{i}", "{i}.5", "True", "'item {i}'", "b'bytes {i}'", "None"]
    return [cycle[i % 6].format(i=i) for i in range(ITEMS)]


def create(tool, layout):
    r = subprocess.run([tool, "list", "create", "--layout", layout] + values(),
                       stdout=subprocess.PIPE, universal_newlines=True, check=True)
    return r.stdout.strip()


def hyperfine(commands, out, quick):
    """commands: list of (name, command line)."""
    runs = ["--warmup", "1", "--runs", "3"] if quick else ["--warmup", "3", "--min-runs", "30"]
    argv = ["hyperfine", "-N", "--style", "basic", "--export-json", out] + runs
    for name, cmd in commands:
        argv += ["--command-name", name, cmd]
    subprocess.run(argv, check=True, stdout=sys.stderr)


def scrub(path, replacements):
    with open(path) as f:
        text = f.read()
    for old, new in replacements:
        text = text.replace(json.dumps(old)[1:-1], new)
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pyshm", required=True)
    ap.add_argument("--interpreters", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if not shutil.which("hyperfine"):
        print("commands: hyperfine not found; skipped", file=sys.stderr)
        return 0
    with open(args.interpreters) as f:
        interps = json.load(f)
    if args.quick and len(interps) > 2:
        interps = [interps[0], interps[-1]]  # the oldest and the newest
    tool = args.pyshm
    names = {}
    try:
        # CPython 3.8 reads only its own layout ("py38"); 3.9 and later read
        # only "py39". The tool reads both.
        names["py39"] = create(tool, "py39")
        names["py38"] = create(tool, "py38")
        replacements = []
        for op, code, tool_args in (("show", SHOW, ["list", "show"]),
                                    ("get", GET, ["list", "get"])):
            cmds = []
            extra = ["3"] if op == "get" else []
            cmds.append(("pyshm list %s" % op,
                         " ".join([tool] + tool_args + [names["py39"]] + extra)))
            for it in interps:
                layout = "py38" if it["version"].startswith("3.8.") else "py39"
                label = "python%s ShareableList %s" % (it["version"], op)
                replacements.append((it["exe"], "python" + it["version"]))
                cmds.append((label, '%s -c "%s"' % (it["exe"], code.format(name=names[layout]))))
            if interps:
                newest = interps[-1]
                cmds.append(("python%s -c pass (start-up only)" % newest["version"],
                             "%s -c pass" % newest["exe"]))
            out = os.path.join(args.out, "hyperfine-list-%s.json" % op)
            hyperfine(cmds, out, args.quick)
            scrub(out, replacements)
    finally:
        for name in names.values():
            subprocess.run([tool, "unlink", name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
