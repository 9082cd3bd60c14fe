"""Lists and checks what the module's sdist and wheels hold.

usage: package_check.py --sdist PATH --wheel PATH [--wheel PATH ...]
                        --license LICENSE --header pyshm.h

A wheel holds the extension as the package pyshm (pyshm/__init__.*.so),
its typing (pyshm/__init__.pyi, py.typed) and its metadata with the license,
and nothing else; every wheel given holds the same files. The sdist holds
what builds the module on its own (libpyshm's sources included), its tests,
and no build products. The metadata is the users' description. Exits 1,
naming each problem, if anything is off.
"""
import argparse
import email.parser
import re
import sys
import tarfile
import zipfile

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def check_wheel(path, license_text, version):
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
        print("wheel %s:" % path)
        for info in sorted(z.infolist(), key=lambda i: i.filename):
            print("  %8d  %s" % (info.file_size, info.filename))
        info = "pyshm-%s.dist-info/" % version
        expected = {"pyshm/__init__.pyi", "pyshm/py.typed", info + "LICENSE",
                    info + "METADATA", info + "WHEEL", info + "top_level.txt", info + "RECORD"}
        modules = [n for n in names if re.fullmatch(r"pyshm/__init__\.[\w.-]+\.(so|pyd)", n)]
        check(len(modules) == 1, "%s: one extension pyshm/__init__.*.so, found %s"
              % (path, modules))
        extra = set(names) - expected - set(modules)
        missing = expected - set(names)
        check(not extra, "%s: files that are not the module's: %s" % (path, sorted(extra)))
        check(not missing, "%s: missing %s" % (path, sorted(missing)))
        if info + "LICENSE" in names:
            check(z.read(info + "LICENSE").decode() == license_text,
                  "%s: the license is not the repository's LICENSE" % path)
        if info + "METADATA" in names:
            check_metadata(path, z.read(info + "METADATA").decode(), version)
        return [n if n not in modules else "pyshm/__init__.<ext>" for n in names]


def check_metadata(where, text, version):
    msg = email.parser.Parser().parsestr(text)
    body = msg.get_payload()
    for field, want in (("Name", "pyshm"), ("Version", version), ("License", "MIT"),
                        ("Requires-Python", ">=3.8"),
                        ("Description-Content-Type", "text/markdown")):
        check(msg.get(field) == want, "%s: metadata %s is %r, not %r"
              % (where, field, msg.get(field), want))
    check("License :: OSI Approved :: MIT License" in msg.get_all("Classifier", []),
          "%s: no MIT classifier" % where)
    # The description is written for users: what it is, how to install, an
    # example, the differences, the speed; not the developers' file table.
    for part in ("pip install", "```python", "pyshm.install()", "## Differences",
                 "## Speed"):
        check(part in body, "%s: the description lacks %r" % (where, part))
    check("| file |" not in body, "%s: the description is the developers' file table" % where)


def check_sdist(path, license_text, version):
    top = "pyshm-%s/" % version
    with tarfile.open(path) as t:
        members = {m.name: m for m in t.getmembers()}
        print("sdist %s:" % path)
        for name in sorted(members):
            if members[name].isfile():
                print("  %8d  %s" % (members[name].size, name))
        files = {n[len(top):] for n, m in members.items() if m.isfile() and n.startswith(top)}
        for need in ("PKG-INFO", "setup.py", "pyproject.toml", "MANIFEST.in", "README.md",
                     "LICENSE", "pyshm/__init__.pyi", "pyshm/py.typed", "src/module.h",
                     "src/module.c", "src/shared_memory.c", "src/shareable_list.c",
                     "src/install.c", "libpyshm/include/pyshm.h", "libpyshm/src/codec.c",
                     "libpyshm/src/shm_posix.c", "libpyshm/src/internal.h",
                     "tests/test_pyshm.py", "tests/test_differential.py"):
            check(need in files, "%s: %s is missing" % (path, need))
        for name in files:
            check(not re.search(r"(\.o|\.so|\.pyc)$|(^|/)(build|__pycache__)/", name),
                  "%s: a build product: %s" % (path, name))
        check("adapter.py" not in files, "%s: holds the conformance adapter" % path)
        if top + "LICENSE" in members:
            check(members[top + "LICENSE"].isfile(), "%s: LICENSE is not a file" % path)
            check(t.extractfile(top + "LICENSE").read().decode() == license_text,
                  "%s: the license is not the repository's LICENSE" % path)
        if top + "PKG-INFO" in members:
            check_metadata(path, t.extractfile(top + "PKG-INFO").read().decode(), version)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdist", required=True)
    ap.add_argument("--wheel", action="append", required=True)
    ap.add_argument("--license", required=True)
    ap.add_argument("--header", required=True)
    args = ap.parse_args()
    with open(args.license, encoding="utf-8") as f:
        license_text = f.read()
    with open(args.header, encoding="utf-8") as f:
        version = re.search(r'#define PYSHM_VERSION "([^"]+)"', f.read()).group(1)
    check_sdist(args.sdist, license_text, version)
    contents = [check_wheel(w, license_text, version) for w in args.wheel]
    check(all(c == contents[0] for c in contents),
          "the wheels hold different files: %s" % contents)
    for p in problems:
        print("python-package: " + p)
    print("python-package: sdist and %d wheel(s) %s" % (
        len(args.wheel), "checked" if not problems else "have %d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
